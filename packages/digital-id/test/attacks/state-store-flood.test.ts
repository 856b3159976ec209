import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDigitalIdError, MemoryStateStore } from '../../src/index.js';
import { failure, loginAs, sandboxClient } from '../helpers.js';
import { loginRecord } from '../login-record.js';

/**
 * Login-start flood (state eviction): starting a login is one unauthenticated GET, so anyone can file pending
 * logins in the state store. A store that makes room by dropping the oldest pending login lets a flood push out
 * the logins of citizens still scanning the ThaID QR code: each of them fails at the callback, after the work.
 * The store first forgets what cannot complete anyway (used and expired states) and then refuses the new start
 * with a typed, retryable error: the logins already pending complete.
 */

const record = loginRecord;

describe('MemoryStateStore under a login-start flood', () => {
  it('refuses a start beyond maxEntries live logins rather than drop a pending one', async () => {
    const store = new MemoryStateStore({ maxEntries: 3 });
    await store.save(record('citizen'));
    await store.save(record('flood-1'));
    await store.save(record('flood-2'));
    const err = await failure(() => store.save(record('flood-3')));
    expect(isDigitalIdError(err, 'ERR_DIGITAL_ID_STATE_STORE_FULL')).toBe(true);
    expect(err.retryable).toBe(true);
    expect((await store.consume('citizen')).status).toBe('ok');
    expect((await store.consume('flood-3')).status).toBe('unknown');
  });

  it('makes room from expired logins first, whatever their age', async () => {
    const store = new MemoryStateStore({ maxEntries: 3 });
    await store.save(record('citizen'));
    await store.save(record('stale', -1));
    await store.save(record('flood-1'));
    await store.save(record('next'));
    expect(store.size).toBe(3);
    expect((await store.consume('citizen')).status).toBe('ok');
    expect((await store.consume('next')).status).toBe('ok');
  });

  it('saving a state again (same key) at capacity replaces it, not refused', async () => {
    const store = new MemoryStateStore({ maxEntries: 2 });
    await store.save(record('a'));
    await store.save(record('b'));
    await store.save({ ...record('b'), nonce: 'again' });
    const got = await store.consume('b');
    expect(got.status === 'ok' && got.record.nonce).toBe('again');
  });
});

describe('DigitalIdClient with a flooded MemoryStateStore (ThaID sandbox)', () => {
  const population = generatePopulation({ seed: 29, people: 4, companies: 1 });
  let op: ThaidProvider;
  beforeAll(async () => {
    op = await startThaidProvider({ population });
  });
  afterAll(async () => {
    await op.close();
  });

  it("the citizen's pending login completes; the flood's extra start is ERR_DIGITAL_ID_STATE_STORE_FULL", async () => {
    const client = sandboxClient(op, { stateStore: new MemoryStateStore({ maxEntries: 5 }) });
    try {
      const citizen = population.people[0]!;
      // The citizen starts (and is on the provider's page) while the flood starts logins it never finishes.
      const walk = loginAs(client, new SandboxBrowser(), citizen.citizenId);
      const { callbackUrl, state } = await walk;
      for (let i = 0; i < 4; i++) await client.createLoginRequest();
      const err = await failure(() => client.createLoginRequest());
      expect(err.code).toBe('ERR_DIGITAL_ID_STATE_STORE_FULL');
      expect(err.retryable).toBe(true);
      const identity = await client.handleCallback(callbackUrl, { expectedState: state });
      expect(identity.citizenId).toBe(citizen.citizenId);
      // The completed login freed its place: the next start is accepted.
      await expect(client.createLoginRequest()).resolves.toMatchObject({ state: expect.any(String) });
    } finally {
      await client.close();
    }
  });
});
