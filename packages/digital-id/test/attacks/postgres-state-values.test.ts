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
