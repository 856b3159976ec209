import { createHash } from 'node:crypto';
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoginState, MemoryStateStore, type StateStore } from '../src/index.js';
import { PostgresStateStore } from '../src/postgres.js';
import { AFTER_LOGOUT, failure, loginAs, sandboxClient } from './helpers.js';
import { loginRecord } from './login-record.js';

const postgres = requirePostgres({ why: 'login state shared by replicas' });

postgres.describe('PostgresStateStore on a real PostgreSQL', () => {
  let url = '';
  const stores: PostgresStateStore[] = [];
  beforeAll(async () => {
    url = (await testDatabase('digital_id')).url;
    await new PostgresStateStore({ connectionString: url }).migrate();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  const replica = (extra: { tombstoneInMs?: number } = {}) => {
    const s = new PostgresStateStore({ connectionString: url, poolSize: 4, ...extra });
    stores.push(s);
    return s;
  };

  const record = (state: string, ttlInMs = 60_000) =>
    loginRecord(state, ttlInMs, { data: { returnTo: '/inbox' } });

  describe('PostgresStateStore', () => {
    it('a state saved by one replica is consumed once by another; a replay reads consumed', async () => {
      const [a, b] = [replica(), replica()];
      await a.save(record('s1'));
      const first = await b.consume('s1');
      expect(first).toMatchObject({ status: 'ok', record: { state: 's1', nonce: 'n', codeVerifier: 'v' } });
      expect(first.status === 'ok' && first.record.data).toEqual({ returnTo: '/inbox' });
      expect((await a.consume('s1')).status).toBe('consumed');
      expect((await b.consume('never-saved')).status).toBe('unknown');
    });

    it('twenty concurrent callbacks with one state: exactly one gets it', async () => {
      const handles = [replica(), replica(), replica()];
      await handles[0]!.save(record('race'));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => handles[i % 3]!.consume('race')),
      );
      expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(19);
    });

    it('reports an expired state, then consumed; forgets tombstones after their period', async () => {
      const s = replica({ tombstoneInMs: 0 });
      await s.save(record('old', -1));
      expect((await s.consume('old')).status).toBe('expired');
      expect((await s.consume('old')).status).toBe('unknown');
      const kept = replica();
      await kept.save(record('old2', -1));
      expect((await kept.consume('old2')).status).toBe('expired');
      expect((await kept.consume('old2')).status).toBe('consumed');
    });

    it('keeps the state value out of the table (rows are keyed by its SHA-256)', async () => {
      const s = replica();
      await s.save(record('bearer-state-value'));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const { rows } = await admin.query('SELECT state_hash FROM thgov.digital_id_states');
        const keys = rows.map((r) => r.state_hash);
        expect(keys).toContain(createHash('sha256').update('bearer-state-value').digest('hex'));
        expect(keys).not.toContain('bearer-state-value');
      } finally {
        await admin.end();
      }
    });

    const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
    async function asAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        return await run(admin);
      } finally {
        await admin.end();
      }
    }
    /** A login whose secrets are distinctive, so any of them is found in a dump of the row. */
    const secretLogin = (tag: string): LoginState => ({
      ...record(`state-${tag}-Zk3vQ9xLw7pRt2mN8bYc4dHf6jUe1aSo0gKi5`),
      nonce: `nonce-${tag}-Qm7vR2sT9wX4yZ1aB6cD8eF3gH5jK0`,
      codeVerifier: `verifier-${tag}-Lp4oI9uY2tR7eW1qA5sD8fG3hJ6kZ0xC`,
      data: { returnTo: `/inbox/${tag}`, email: `somchai.${tag}@example.th` },
    });
    const rowText = (key: string) =>
      asAdmin(async (admin) => {
        const { rows } = await admin.query(
          'SELECT s::text AS row FROM thgov.digital_id_states s WHERE state_hash = $1',
          [key],
        );
        return rows.map((r) => r.row as string).join('\n');
      });

    it('stores the login encrypted: a database reader finds no state, verifier, nonce nor app data', async () => {
      const s = replica();
      const login = secretLogin('enc');
      await s.save(login);
      const row = await rowText(sha256(login.state));
      expect(row).toContain(sha256(login.state));
      for (const secret of [
        login.state,
        login.nonce,
        login.codeVerifier,
        login.data!.returnTo,
        login.data!.email,
      ])
        expect(row).not.toContain(secret);
      expect(row).not.toMatch(/somchai|inbox|codeVerifier|nonce/);
      const consumed = await replica().consume(login.state);
      expect(consumed).toEqual({ status: 'ok', record: login });
      expect((await s.consume(login.state)).status).toBe('consumed');
    });

    it('still consumes a row written by the previous release (clear JSON) during an upgrade', async () => {
      const login = secretLogin('legacy');
      await asAdmin((admin) =>
        admin.query(
          `INSERT INTO thgov.digital_id_states (state_hash, record, expires_at)
           VALUES ($1, $2, to_timestamp($3 / 1000.0))`,
          [sha256(login.state), JSON.stringify(login), login.expiresAt],
        ),
      );
      expect(await replica().consume(login.state)).toEqual({ status: 'ok', record: login });
      expect((await replica().consume(login.state)).status).toBe('consumed');
    });

    it('a tampered, foreign or malformed row reads as unknown, never as a login and never a crash', async () => {
      const s = replica();
      const [a, b, c] = [secretLogin('a'), secretLogin('b'), secretLogin('c')];
      await s.save(a);
      await s.save(b);
      await s.save(c);
      await asAdmin(async (admin) => {
        // a: one bit of the ciphertext flipped (the GCM tag fails).
        const { rows } = await admin.query(
          'SELECT record FROM thgov.digital_id_states WHERE state_hash = $1',
          [sha256(a.state)],
        );
        const env = rows[0].record as Record<string, unknown>;
        const flipped = Object.fromEntries(
          Object.entries(env).map(([k, v]) =>
            typeof v === 'string' && k !== 'v' ? [k, (v[0] === 'A' ? 'B' : 'A') + v.slice(1)] : [k, v],
          ),
        );
        await admin.query('UPDATE thgov.digital_id_states SET record = $2 WHERE state_hash = $1', [
          sha256(a.state),
          JSON.stringify(flipped),
        ]);
        // b: c's (valid) row copied under b's key.
        await admin.query(
          `UPDATE thgov.digital_id_states SET record = (SELECT record FROM thgov.digital_id_states WHERE state_hash = $2)
           WHERE state_hash = $1`,
          [sha256(b.state), sha256(c.state)],
        );
        // Old-format rows that do not carry the very state looked up, and envelopes of the wrong shape.
        const odd: [string, unknown][] = [
          ['legacy-other-state', { ...record('legacy-other-state'), state: 'someone-else' }],
          ['legacy-not-object', 'a string'],
          ['legacy-array', [1, 2]],
          ['env-bad-types', { v: 2, salt: 1, iv: null, ct: {}, tag: [] }],
          ['env-bad-base64', { v: 2, salt: '!!', iv: '??', ct: '**', tag: '%%' }],
          ['env-future-version', { v: 99, salt: 'AA', iv: 'AA', ct: 'AA', tag: 'AA' }],
        ];
        for (const [state, rec] of odd) {
          await admin.query(
            `INSERT INTO thgov.digital_id_states (state_hash, record, expires_at)
             VALUES ($1, $2, now() + interval '1 minute')`,
            [sha256(state), JSON.stringify(rec)],
          );
        }
      });
      for (const state of [a.state, b.state, 'legacy-other-state', 'legacy-not-object', 'legacy-array'])
        expect((await s.consume(state)).status, state).toBe('unknown');
      for (const state of ['env-bad-types', 'env-bad-base64', 'env-future-version'])
        expect((await s.consume(state)).status, state).toBe('unknown');
      expect(await s.consume(c.state)).toEqual({ status: 'ok', record: c });
    });

    it('is refused with ERR_POSTGRES_SCHEMA before migrate()', async () => {
      const s = new PostgresStateStore({ connectionString: url, schema: 'nowhere' });
      stores.push(s);
      await expect(s.save(record('x'))).rejects.toMatchObject({ code: 'ERR_POSTGRES_SCHEMA' });
      expect(() => new PostgresStateStore({ connectionString: url, bogus: true } as never)).toThrow(/bogus/);
    });
  });

  describe('a login started on one app replica and completed on another', () => {
    const population = generatePopulation({ seed: 11, people: 10, companies: 1 });
    let thaid: ThaidProvider;
    beforeAll(async () => {
      thaid = await startThaidProvider({ population });
    });
    afterAll(() => thaid.close());

    const clientWith = (stateStore: StateStore) =>
      sandboxClient(thaid, { postLogoutRedirectUri: AFTER_LOGOUT, stateStore });

    it('completes with the PostgreSQL state store shared by both', async () => {
      const [a, b] = [clientWith(replica()), clientWith(replica())];
      const { callbackUrl, state } = await loginAs(a, new SandboxBrowser(), population.people[2]!.citizenId);
      const identity = await b.handleCallback(callbackUrl, { expectedState: state });
      expect(identity.citizenId).toBe(population.people[2]!.citizenId);
      await expect(a.handleCallback(callbackUrl, { expectedState: state })).rejects.toMatchObject({
        code: 'ERR_DIGITAL_ID_STATE_REPLAYED',
      });
      await a.close();
      await b.close();
    });

    it('fails with per-process memory stores (what the PostgreSQL store fixes)', async () => {
      const [a, b] = [clientWith(new MemoryStateStore()), clientWith(new MemoryStateStore())];
      const { callbackUrl, state } = await loginAs(a, new SandboxBrowser(), population.people[3]!.citizenId);
      const err = await failure(() => b.handleCallback(callbackUrl, { expectedState: state }));
      // Replica b never saw the state: to it the callback looks forged.
      expect(err.code).toBe('ERR_DIGITAL_ID_STATE_MISMATCH');
      await a.close();
      await b.close();
    });
  });
});
