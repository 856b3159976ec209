// Quirk: a transient name-resolution failure (EAI_AGAIN: the resolver of a Kubernetes node or a VPC timing out for a
// moment, a very common blip) just as the callback exchanges its code. The request never left this machine, so
// sending it again is safe whatever the method (core's transport, AWS SDK v3 and Azure SDK retry such failures);
// the client sent nothing again and failed the callback, whose login state was already consumed: the citizen had
// to scan the ThaID QR code again over a blip that was over before the error reached the page. A request that
// was not sent must be tried again within the call (bounded, under the call's deadline); one that may have
// reached the provider never is.
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { failure, REDIRECT } from '../helpers.js';
import { quirkClient, useQuirkProvider } from '../quirk-provider.js';

const quirks = useQuirkProvider();

/** A host name only this test resolves (to the quirk provider on 127.0.0.1), after `failures` EAI_AGAIN answers. */
const FLAKY_HOST = 'token.flaky-resolver.invalid';
type Lookup = (host: string, options: unknown, callback: (...args: unknown[]) => void) => void;
const dns = createRequire(import.meta.url)('node:dns') as { lookup: Lookup };
const realLookup = dns.lookup;
let lookups = 0;

function flakyResolver(failures: number): void {
  lookups = 0;
  dns.lookup = (host, options, callback) => {
    if (host !== FLAKY_HOST) return realLookup(host, options, callback);
    lookups++;
    if (lookups <= failures) {
      const err = Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), {
        code: 'EAI_AGAIN',
        errno: -3001,
        syscall: 'getaddrinfo',
        hostname: host,
      });
      return void process.nextTick(() => callback(err));
    }
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    process.nextTick(() =>
      all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
    );
  };
}

afterEach(() => {
  dns.lookup = realLookup;
});

const tokenCalls = () => quirks.op.seen.filter((s) => s.path === '/token').length;

async function loginThroughFlakyTokenHost(port: string | number = new URL(quirks.op.issuer).port) {
  quirks.op.discovery = { token_endpoint: `http://${FLAKY_HOST}:${port}/token` };
  const c = quirkClient(quirks.op, quirks.clients);
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

describe('a request that never left (name resolution failed for a moment)', () => {
  it('the code exchange is tried again within the call and the login completes, the code sent once', async () => {
    flakyResolver(1);
    const before = tokenCalls();
    const person = await loginThroughFlakyTokenHost();
    expect(person.subject).toBe('user-1');
    expect(lookups).toBe(2);
    expect(tokenCalls() - before).toBe(1);
  });

  it('a resolver that keeps failing: a bounded number of attempts, then a typed ERR_NETWORK', async () => {
    flakyResolver(Number.POSITIVE_INFINITY);
    const before = tokenCalls();
    const err = await failure(() => loginThroughFlakyTokenHost());
    expect(err.code).toBe('ERR_NETWORK');
    expect(lookups).toBeGreaterThan(1);
    expect(lookups).toBeLessThanOrEqual(3);
    expect(tokenCalls() - before).toBe(0);
  });

  it('a connection reset after the request was sent is never sent again (the code may be redeemed)', async () => {
    flakyResolver(0);
    let received = 0;
    const resetting = createServer((socket) => {
      socket.once('data', () => {
        received++;
        socket.resetAndDestroy();
      });
    });
    await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (resetting.address() as AddressInfo).port;
      const err = await failure(() => loginThroughFlakyTokenHost(port));
      expect(err.code).toBe('ERR_NETWORK');
      expect(received).toBe(1);
    } finally {
      await new Promise<void>((r) => resetting.close(() => r()));
    }
  });
});
