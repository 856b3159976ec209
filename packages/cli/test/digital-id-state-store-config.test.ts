// `digitalId.stateStore` in thgov.config.json reaches PostgresStateStore whole: its bound on pending logins
// (`maxPending`) included, checked against a real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { LoginState } from '@thgov/digital-id';
import { PostgresStateStore } from '@thgov/digital-id/postgres';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { describe, expect, it } from 'vitest';
import { digitalIdClientOptions } from '../src/config/client-options.js';
import { parseConfig } from '../src/config/load.js';

const thaid = { clientId: 'agency-app', redirectUri: 'https://app.agency.go.th/callback', clientSecret: 's' };

function login(): LoginState {
  const now = Date.now();
  return {
    state: randomUUID(),
    nonce: randomUUID(),
    codeVerifier: randomUUID(),
    redirectUri: thaid.redirectUri,
    issuer: 'https://imauth.bora.dopa.go.th',
    clientId: thaid.clientId,
    scopes: ['openid', 'pid'],
    createdAt: now,
    expiresAt: now + 600_000,
  };
}

describe('digitalId.stateStore in the configuration', () => {
  it('checks maxPending as the store does, and names its key', () => {
    const issues = (maxPending: unknown) => {
      try {
        parseConfig(
          { digitalId: { thaid, stateStore: { postgres: { url: 'postgres://db.example/x' }, maxPending } } },
          { env: {} },
        );
        return [];
      } catch (e) {
        return (e as { issues: { path: string }[] }).issues.map((i) => i.path);
      }
    };
    expect(issues(100)).toEqual([]);
    expect(issues(0)).toEqual(['digitalId.stateStore.maxPending']);
    expect(issues(1.5)).toEqual(['digitalId.stateStore.maxPending']);
    expect(issues('50000')).toEqual(['digitalId.stateStore.maxPending']);
  });

  requirePostgres({ why: 'the configured bound on pending logins, on a real table' }).describe(
    'on PostgreSQL',
    () => {
      it('a configured maxPending bounds the pending logins of the store the options build', async () => {
        const { url } = await testDatabase('cli_state');
        const config = parseConfig(
          { digitalId: { thaid, stateStore: { postgres: { url, schema: 'cli_states' }, maxPending: 2 } } },
          { env: {} },
        );
        const store = digitalIdClientOptions(config, 'thaid').stateStore;
        expect(store).toBeInstanceOf(PostgresStateStore);
        const pgStore = store as PostgresStateStore;
        try {
          await pgStore.migrate();
          await store?.save(login());
          await store?.save(login());
          await expect(store?.save(login())).rejects.toMatchObject({
            code: 'ERR_DIGITAL_ID_STATE_STORE_FULL',
          });
        } finally {
          await pgStore.close();
        }
      }, 60_000);
    },
  );
});
