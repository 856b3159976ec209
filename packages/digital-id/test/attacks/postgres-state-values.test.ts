// Attack class: values PostgreSQL refuses or mishandles (U+0000 and lone UTF-16 surrogates in text and jsonb,
// megabytes, long keys), in the login state store. The row key is the SHA-256 of the state and the login is
// sealed (AES-GCM, base64url) before it reaches jsonb, so none of these reaches PostgreSQL as text: the caller's
// `data`, the state itself and the redirect come back exactly, in PostgreSQL as in memory. Checked, not a fault.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoginState, MemoryStateStore, type StateStore } from '../../src/index.js';
import { PostgresStateStore } from '../../src/postgres.js';

const postgres = requirePostgres({ why: 'login states against values PostgreSQL refuses' });

const ODD = 'a\u0000b\ud800c\udfffd';

function record(state: string): LoginState {
  const now = Date.now();
  return {
    state,
    nonce: `n${ODD}`,
    codeVerifier: 'v',
    redirectUri: `https://app.example/cb?x=${ODD}`,
    issuer: 'https://op.example',
    clientId: 'c',
    scopes: ['openid', ODD],
    createdAt: now,
    expiresAt: now + 60_000,
    data: { returnTo: ODD, [ODD]: 'key', big: 'ก'.repeat(2_000_000) },
  };
}

postgres.describe('login states holding what PostgreSQL refuses', () => {
  let pgStore: PostgresStateStore;
  beforeAll(async () => {
    pgStore = new PostgresStateStore({ connectionString: (await testDatabase('digital_id_values')).url });
    await pgStore.migrate();
  });
  afterAll(() => pgStore?.close());

  it.each([
    ['memory', () => new MemoryStateStore() as StateStore],
    ['postgres', () => pgStore as StateStore],
  ])('%s: every field comes back exactly, whatever the state', async (_kind, open) => {
    const store = open();
    for (const state of [`s-${ODD}`, `s-${'x'.repeat(500)}`, 's-plain']) {
      const saved = record(state);
      await store.save(saved);
      expect(await store.consume(state)).toEqual({ status: 'ok', record: saved });
      expect(await store.consume(state)).toEqual({ status: 'consumed' });
    }
  });
});

// Fault (before): PostgresStateStore.save filed a login under any state, while consume answered `unknown`
// for a state over 512 characters without looking: such a login was lost without a word, and the in-memory
// store (no limit) disagreed. One bound now holds in both stores, checked at save.
postgres.describe('long and empty states: what save accepts, consume finds', () => {
  let pgStore: PostgresStateStore;
  beforeAll(async () => {
    pgStore = new PostgresStateStore({ connectionString: (await testDatabase('digital_id_long')).url });
    await pgStore.migrate();
  });
  afterAll(() => pgStore?.close());

  it.each([
    ['memory', () => new MemoryStateStore() as StateStore],
    ['postgres', () => pgStore as StateStore],
  ])('%s: a state of 513 or 20 000 characters is consumed once', async (_kind, open) => {
    const store = open();
    for (const state of [`s-${'x'.repeat(511)}`, `s-${'ก'.repeat(20_000)}`]) {
      const saved = { ...record(state), data: { returnTo: '/' } };
      await store.save(saved);
      expect(await store.consume(state)).toEqual({ status: 'ok', record: saved });
      expect(await store.consume(state)).toEqual({ status: 'consumed' });
    }
  });

  it.each([
    ['memory', () => new MemoryStateStore() as StateStore],
    ['postgres', () => pgStore as StateStore],
  ])(
    '%s: an empty or oversized state is refused at save (typed), and consume reads it unknown',
    async (_k, open) => {
      const store = open();
      for (const state of ['', 'y'.repeat(40_000)]) {
        const err = await store.save(record(state)).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
        expect(String((err as Error).message)).not.toContain('yyyy');
        expect(await store.consume(state)).toEqual({ status: 'unknown' });
      }
    },
  );
});
