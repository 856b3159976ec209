// Callback probes against a shared PostgreSQL state store, as an attacker who holds a victim's callback URL
// (code and state): send it to the same app's other callback endpoint (one client ID registered with two
// redirect URIs, e.g. the citizen portal and the officers' portal sharing the store), replay it after the
// victim's success, and race it against the victim's own callback on two replicas. The misrouted callback must
// be refused without burning the victim's login, a replay is refused as such, and of two racing callbacks
// exactly one completes.
import { createHash } from 'node:crypto';
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DigitalIdClient, LoginState, StateStore } from '../../src/index.js';
import { PostgresStateStore } from '../../src/postgres.js';
import { failure, loginAs, REDIRECT, sandboxClient } from '../helpers.js';

const postgres = requirePostgres({ why: 'callbacks misrouted, replayed and raced through the shared store' });

/** The same registered client's second redirect URI (the sandbox registers it for localhost too). */
const OTHER_REDIRECT = 'http://localhost:3000/auth/callback';

postgres.describe('callbacks against the shared PostgreSQL store', () => {
  const population = generatePopulation({ seed: 43, people: 4, companies: 1 });
  const citizen = population.people[1]!;
  let thaid: ThaidProvider;
  let url = '';
  const stores: PostgresStateStore[] = [];
  const clients: DigitalIdClient[] = [];
  beforeAll(async () => {
    thaid = await startThaidProvider({ population });
    url = (await testDatabase('digital_id_probe')).url;
    await new PostgresStateStore({ connectionString: url }).migrate();
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of stores) await s.close();
    await thaid?.close();
  });

  /** An app replica: a client with its own pool on the shared table. */
  function replica(redirectUri = REDIRECT): DigitalIdClient {
    const stateStore = new PostgresStateStore({ connectionString: url, poolSize: 2 });
    stores.push(stateStore);
    const c = sandboxClient(thaid, { stateStore, redirectUri });
    clients.push(c);
    return c;
  }

  it("a callback moved to the app's other redirect URI is refused there and does not burn the login", async () => {
    const victimSide = replica();
    const otherSide = replica(OTHER_REDIRECT);
    const { callbackUrl, state } = await loginAs(victimSide, new SandboxBrowser(), citizen.citizenId);
    const moved = new URL(callbackUrl);
    const other = new URL(OTHER_REDIRECT);
    moved.protocol = other.protocol;
    moved.host = other.host;
    moved.pathname = other.pathname;
    const err = await failure(() => otherSide.handleCallback(moved, { expectedState: state }));
    // Unknown there (the login is filed under the victim endpoint's own key), as at another client.
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_MISMATCH');
    const identity = await victimSide.handleCallback(callbackUrl, { expectedState: state });
    expect(identity.citizenId).toBe(citizen.citizenId);
  });

  it('a callback replayed after success, on any replica, is refused as a replay', async () => {
    const [a, b] = [replica(), replica()];
    const { callbackUrl, state } = await loginAs(a, new SandboxBrowser(), citizen.citizenId);
    expect((await a.handleCallback(callbackUrl, { expectedState: state })).citizenId).toBe(citizen.citizenId);
    for (const c of [a, b])
      expect((await failure(() => c.handleCallback(callbackUrl, { expectedState: state }))).code).toBe(
        'ERR_DIGITAL_ID_STATE_REPLAYED',
      );
  });

  it('one callback racing itself on four replicas: exactly one completes, the others read a replay', async () => {
    const four = [replica(), replica(), replica(), replica()];
    const { callbackUrl, state } = await loginAs(four[0]!, new SandboxBrowser(), citizen.citizenId);
    const results = await Promise.allSettled(
      four.map((c) => c.handleCallback(callbackUrl, { expectedState: state })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect((won[0] as PromiseFulfilledResult<{ citizenId?: string }>).value.citizenId).toBe(
      citizen.citizenId,
    );
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_DIGITAL_ID_STATE_REPLAYED' });
  });

  it('a login filed under the previous release key (issuer and client ID only) still completes once', async () => {
    const saved: LoginState[] = [];
    const capturing: StateStore = {
      save: async (r) => void saved.push(structuredClone(r)),
      consume: async () => ({ status: 'unknown' }),
    };
    const starter = sandboxClient(thaid, { stateStore: capturing });
    clients.push(starter);
    const { callbackUrl, state } = await loginAs(starter, new SandboxBrowser(), citizen.citizenId);
    const namespace = createHash('sha256')
      .update(JSON.stringify(['thgov/digital-id state key v1', thaid.issuer, thaid.clients.default.clientId]))
      .digest('base64url');
    const shared = new PostgresStateStore({ connectionString: url, poolSize: 1 });
    stores.push(shared);
    await shared.save({ ...saved[0]!, state: `${namespace}.${state}` });
    const c = replica();
    expect((await c.handleCallback(callbackUrl, { expectedState: state })).citizenId).toBe(citizen.citizenId);
    expect((await failure(() => c.handleCallback(callbackUrl, { expectedState: state }))).code).toBe(
      'ERR_DIGITAL_ID_STATE_REPLAYED',
    );
  });
});
