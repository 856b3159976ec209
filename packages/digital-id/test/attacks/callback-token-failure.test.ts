// Quirk: the code exchange fails the way gateways and networks fail (a 502 HTML page, a 503 with Retry-After, the
// connection reset under the request). The login state is one-time and is consumed before the code is exchanged,
// so the same callback can never be completed again: repeating the call reads ERR_DIGITAL_ID_STATE_REPLAYED,
// whose hint blames a reload or the back button. The error said `retryable: true` all the same, which thgov
// defines as "repeating the same call could succeed": a retry loop (core's, or the application's) repeated it and
// the citizen saw the wrong diagnosis. After the login is spent the error must say it is not retryable and tell
// the caller to start the login again, and the spent state must stay spent (a replayed callback never redeems the
// code twice), in the memory store and in PostgreSQL alike.
import { createServer, type Server, type Socket } from 'node:net';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DigitalIdClient, MemoryStateStore, type StateStore } from '../../src/index.js';
import { PostgresStateStore } from '../../src/postgres.js';
import { failure, REDIRECT } from '../helpers.js';
import { quirkClient, useQuirkProvider } from '../quirk-provider.js';

const quirks = useQuirkProvider();
const postgres = requirePostgres({ why: 'a spent login state shared by replicas' });

/** A token endpoint that accepts the connection, reads the request and resets it (no answer at all). */
let resetting: Server;
let resetCount = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  resetting = createServer((s) => {
    sockets.add(s);
    s.once('data', () => {
      resetCount++;
      s.resetAndDestroy();
    });
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => resetting.close(() => r()));
});

const tokenCalls = () => quirks.op.seen.filter((s) => s.path === '/token').length;

type Failing = 'a 502 HTML page' | 'a 503 with Retry-After' | 'a connection reset';
const FAILURES: Failing[] = ['a 502 HTML page', 'a 503 with Retry-After', 'a connection reset'];

/** Makes every token request fail so; returns how many requests reached the failing endpoint so far. */
function failTokenRequests(how: Failing): () => number {
  if (how === 'a connection reset') {
    const port = (resetting.address() as { port: number }).port;
    quirks.op.discovery = { token_endpoint: `http://127.0.0.1:${port}/token` };
    const before = resetCount;
    return () => resetCount - before;
  }
  quirks.op.token = () =>
    how === 'a 502 HTML page'
      ? { status: 502, type: 'text/html', body: '<html><h1>502 Bad Gateway</h1></html>' }
      : { status: 503, headers: { 'retry-after': '3' }, body: { error: 'temporarily_unavailable' } };
  const before = tokenCalls();
  return () => tokenCalls() - before;
}

/** The failed callback, then the very same call repeated (as a retry loop would, trusting `retryable`). */
async function failThenRepeat(c: DigitalIdClient, attempts: () => number) {
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  const callback = `${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`;
  const first = await failure(() => c.handleCallback(callback, { expectedState: req.state }));
  const sent = attempts();
  const repeated = await failure(() => c.handleCallback(callback, { expectedState: req.state }));
  return { first, repeated, sentBefore: sent, sentAfter: attempts() };
}

function expectSpentAndSaidSo(r: Awaited<ReturnType<typeof failThenRepeat>>) {
  // The repeat cannot succeed: the login is spent, and its code is never sent a second time.
  expect(r.repeated.code).toBe('ERR_DIGITAL_ID_STATE_REPLAYED');
  expect(r.sentBefore).toBeGreaterThan(0);
  expect(r.sentAfter).toBe(r.sentBefore);
  // So the first error must not invite a repeat of the call, and must say what to do instead.
  expect(r.first.code).toMatch(/^ERR_(NETWORK|DIGITAL_ID_RESPONSE_INVALID)$/);
  expect(r.first.retryable).toBe(false);
  expect(r.first.hint).toMatch(/start the login again/i);
}

describe('a code exchange that fails in transit, memory state store', () => {
  it.each(FAILURES)('%s: not retryable, the login spent and said so', async (how) => {
    const c = quirkClient(quirks.op, quirks.clients, { stateStore: new MemoryStateStore() });
    const r = await failThenRepeat(c, failTokenRequests(how));
    expectSpentAndSaidSo(r);
  });

  it('a 503 keeps its status and Retry-After for the caller (when to offer a new login)', async () => {
    const c = quirkClient(quirks.op, quirks.clients);
    const { first } = await failThenRepeat(c, failTokenRequests('a 503 with Retry-After'));
    expect(first.statusCode).toBe(503);
    expect(first.retryAfterInMs).toBe(3_000);
  });

  it('userinfo answering 503 after the code was redeemed (claims from userinfo): not retryable either', async () => {
    const c = quirkClient(quirks.op, quirks.clients, { claimsSource: 'userinfo' });
    let userinfoCalls = 0;
    quirks.op.userinfo = () => {
      userinfoCalls++;
      return { status: 503, type: 'text/html', body: '<html>Service Unavailable</html>' };
    };
    const r = await failThenRepeat(c, () => tokenCalls());
    expect(userinfoCalls).toBe(1);
    expect(r.first.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(r.first.statusCode).toBe(503);
    expect(r.first.retryable).toBe(false);
    expect(r.first.hint).toMatch(/start the login again/i);
    expect(r.repeated.code).toBe('ERR_DIGITAL_ID_STATE_REPLAYED');
    expect(r.sentAfter).toBe(r.sentBefore);
  });

  it('a failure before the login is taken (discovery) stays retryable, and the repeat succeeds', async () => {
    const c = quirkClient(quirks.op, quirks.clients, { discovery: 'required' });
    let n = 0;
    quirks.op.discoveryRaw = (res) => {
      n++;
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>');
    };
    const err = await failure(() => c.createLoginRequest());
    expect(n).toBe(1);
    expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
    expect(err.retryable).toBe(true);
    quirks.op.discoveryRaw = undefined;
    const req = await c.createLoginRequest();
    quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
    const person = await c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
      expectedState: req.state,
    });
    expect(person.subject).toBe('user-1');
  });
});

postgres.describe('a code exchange that fails in transit, PostgreSQL state store', () => {
  let store: StateStore & { close(): Promise<void> };
  beforeAll(async () => {
    const url = (await testDatabase('digital_id_token_failure')).url;
    store = new PostgresStateStore({ connectionString: url, migrate: true });
  });
  afterAll(async () => {
    await store?.close();
  });

  it.each(FAILURES)('%s: not retryable, the login spent and said so', async (how) => {
    const c = quirkClient(quirks.op, quirks.clients, { stateStore: store });
    const r = await failThenRepeat(c, failTokenRequests(how));
    expectSpentAndSaidSo(r);
  });
});
