import {
  type DgaProvider,
  generatePopulation,
  SandboxBrowser,
  startDgaProvider,
  startThaidProvider,
  type ThaidProvider,
} from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DigitalIdClient,
  type DigitalIdClientOptions,
  MemoryStateStore,
  type StateStore,
} from '../src/index.js';
import { failure, loginAs, REDIRECT, redirected, sandboxClient } from './helpers.js';

const population = generatePopulation({ seed: 12, people: 30, companies: 2 });
const citizen = population.people[2]!;

let thaid: ThaidProvider;
let dga: DgaProvider;
let client: DigitalIdClient;
const extra: DigitalIdClient[] = [];

function thaidClient(overrides: Partial<DigitalIdClientOptions> = {}): DigitalIdClient {
  const made = sandboxClient(thaid, overrides);
  extra.push(made);
  return made;
}

beforeAll(async () => {
  thaid = await startThaidProvider({ population });
  dga = await startDgaProvider({ population });
  client = thaidClient();
});
afterAll(async () => {
  await Promise.all(extra.map((c) => c.close()));
  await thaid.close();
  await dga.close();
});

describe('state', () => {
  it('rejects a tampered state: ERR_DIGITAL_ID_STATE_MISMATCH', async () => {
    const { callbackUrl } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const state = tampered.searchParams.get('state') ?? '';
    expect((await failure(() => client.handleCallback(tampered, { expectedState: state }))).code).toBe(
      'ERR_DIGITAL_ID_STATE_MISMATCH',
    );
  });

  it('rejects a callback whose state is not the one in the session: ERR_DIGITAL_ID_STATE_MISMATCH', async () => {
    const first = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    const second = await client.createLoginRequest();
    const err = await failure(() =>
      client.handleCallback(first.callbackUrl, { expectedState: second.state }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_MISMATCH');
  });

  it('rejects a replayed callback: ERR_DIGITAL_ID_STATE_REPLAYED', async () => {
    const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    await client.handleCallback(callbackUrl, { expectedState: state });
    const err = await failure(() => client.handleCallback(callbackUrl, { expectedState: state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_REPLAYED');
    expect(err.hint).toMatch(/once/);
  });

  it('rejects a callback without state: ERR_DIGITAL_ID_STATE_MISSING', async () => {
    const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    const u = new URL(callbackUrl);
    u.searchParams.delete('state');
    expect((await failure(() => client.handleCallback(u, { expectedState: state }))).code).toBe(
      'ERR_DIGITAL_ID_STATE_MISSING',
    );
  });

  it('rejects an expired login state: ERR_DIGITAL_ID_STATE_EXPIRED', async () => {
    const memory = new MemoryStateStore();
    // A store that ages every state at once stands in for a citizen who took too long at the QR step.
    const aging: StateStore = {
      save: (record) => memory.save({ ...record, expiresAt: Date.now() - 1 }),
      consume: (state) => memory.consume(state),
    };
    const slow = thaidClient({ stateStore: aging });
    const { callbackUrl, state } = await loginAs(slow, new SandboxBrowser(), citizen.citizenId);
    const err = await failure(() => slow.handleCallback(callbackUrl, { expectedState: state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_EXPIRED');
  });
});

describe('code', () => {
  it('rejects a replayed authorization code: ERR_DIGITAL_ID_INVALID_GRANT', async () => {
    const first = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    await client.handleCallback(first.callbackUrl, { expectedState: first.state });
    // A fresh, valid state carrying the already-redeemed code.
    const second = await client.createLoginRequest();
    const replay = new URL(first.callbackUrl);
    replay.searchParams.set('state', second.state);
    const err = await failure(() => client.handleCallback(replay, { expectedState: second.state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect((err as { oauthError?: string }).oauthError).toBe('invalid_grant');
  });
});

describe('mix-up', () => {
  it("rejects a second provider's response: ERR_DIGITAL_ID_ISSUER_MISMATCH", async () => {
    const mine = await client.createLoginRequest();
    const dgaClient = sandboxClient(dga);
    extra.push(dgaClient);
    const theirs = await loginAs(dgaClient, new SandboxBrowser(), citizen.citizenId);
    const mixed = new URL(theirs.callbackUrl);
    expect(mixed.searchParams.get('iss')).toBe(dga.issuer);
    mixed.searchParams.set('state', mine.state);
    const err = await failure(() => client.handleCallback(mixed, { expectedState: mine.state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ISSUER_MISMATCH');
  });

  it('a login state started with another provider sharing the store is unknown here (ERR_DIGITAL_ID_STATE_MISMATCH) and left to its client', async () => {
    const shared = new MemoryStateStore();
    const a = thaidClient({ stateStore: shared });
    const b = sandboxClient(dga, { stateStore: shared });
    extra.push(b);
    const { callbackUrl, state } = await loginAs(b, new SandboxBrowser(), citizen.citizenId);
    const err = await failure(() => a.handleCallback(callbackUrl, { expectedState: state }));
    // Filed under b's own key: a never finds it (so cannot burn it), and b still completes the login.
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_MISMATCH');
    expect((await b.handleCallback(callbackUrl, { expectedState: state })).provider).toBe('dga');
  });
});

describe('scope and redirect', () => {
  it('reports an unapproved scope: ERR_DIGITAL_ID_INVALID_SCOPE', async () => {
    const c = thaid.clients.restricted;
    const restricted = thaidClient({ clientId: c.clientId, clientSecret: c.clientSecret });
    const { callbackUrl, state } = await loginAs(restricted, new SandboxBrowser(), citizen.citizenId, {
      scopes: ['openid', 'pid', 'address'],
    });
    const err = await failure(() => restricted.handleCallback(callbackUrl, { expectedState: state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_SCOPE');
    expect((err as { oauthError?: string }).oauthError).toBe('invalid_scope');
  });

  it('an unregistered redirect URI stops at the provider (no redirect to it)', async () => {
    const wrong = thaidClient({ redirectUri: 'http://127.0.0.1:3000/not-registered' });
    const req = await wrong.createLoginRequest();
    const outcome = await new SandboxBrowser().login(req.url, { citizenId: citizen.citizenId });
    expect(outcome.kind).toBe('error-page');
    expect(outcome.kind === 'error-page' && outcome.error).toBe('invalid_redirect_uri');
  });

  it('rejects a callback that arrives at another path than the redirect URI: ERR_DIGITAL_ID_REDIRECT_MISMATCH', async () => {
    const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    const moved = new URL(callbackUrl);
    moved.pathname = '/auth/other-callback';
    expect((await failure(() => client.handleCallback(moved, { expectedState: state }))).code).toBe(
      'ERR_DIGITAL_ID_REDIRECT_MISMATCH',
    );
  });

  it('reports a cancelled login: ERR_DIGITAL_ID_ACCESS_DENIED', async () => {
    const req = await client.createLoginRequest();
    const outcome = await new SandboxBrowser().login(req.url, { citizenId: citizen.citizenId, cancel: true });
    const callbackUrl = redirected(outcome);
    expect((await failure(() => client.handleCallback(callbackUrl, { expectedState: req.state }))).code).toBe(
      'ERR_DIGITAL_ID_ACCESS_DENIED',
    );
  });
});

describe('hostile callback input', () => {
  it.each([
    ['not a URL', 'callback?code=1'],
    ['oversized', `${REDIRECT}?state=${'a'.repeat(20_000)}`],
    ['repeated state', `${REDIRECT}?state=a&state=b&code=c`],
  ])('%s: ERR_DIGITAL_ID_CALLBACK_INVALID', async (_label, url) => {
    // A hostile URL is refused before the state is looked at.
    const expectedState = new URL(url, REDIRECT).searchParams.get('state') ?? 'a';
    expect((await failure(() => client.handleCallback(url, { expectedState }))).code).toBe(
      'ERR_DIGITAL_ID_CALLBACK_INVALID',
    );
  });

  it('a known state with neither code nor error: ERR_DIGITAL_ID_CALLBACK_INVALID', async () => {
    const req = await client.createLoginRequest();
    const err = await failure(() =>
      client.handleCallback(`${REDIRECT}?state=${req.state}&iss=${encodeURIComponent(thaid.issuer)}`, {
        expectedState: req.state,
      }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_CALLBACK_INVALID');
  });
});
