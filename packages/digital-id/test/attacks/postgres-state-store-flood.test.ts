// Login-start flood against the shared store (state-table growth): starting a login is one unauthenticated GET,
// and every start files a row in PostgreSQL. Without a bound, anyone can start logins until the table (and the
// disk of the database every replica shares) grows without limit. The store keeps at most `maxPending` logins
// pending across all replicas: past it the new start is refused (ERR_DIGITAL_ID_STATE_STORE_FULL, retryable)
// and no pending login is dropped; expired rows do not count and are pruned. The bound holds under concurrent
// starts from several processes (several pools racing), not just from one.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDigitalIdError } from '../../src/index.js';
import { PostgresStateStore, type PostgresStateStoreOptions } from '../../src/postgres.js';
import { failure } from '../helpers.js';
import { loginRecord } from '../login-record.js';

const postgres = requirePostgres({ why: 'a bound on pending logins shared by replicas' });

const record = loginRecord;

postgres.describe('PostgresStateStore under a login-start flood', () => {
  let url = '';
  let schemas = 0;
  const stores: PostgresStateStore[] = [];
  beforeAll(async () => {
    url = (await testDatabase('digital_id_flood')).url;
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  /** A fresh schema per test (its own table), and `replicas` stores on it, each with its own pool. */
  async function replicas(n: number, extra: Partial<PostgresStateStoreOptions> = {}) {
    const schema = `flood_${++schemas}`;
    const made = Array.from({ length: n }, () => {
      const s = new PostgresStateStore({ connectionString: url, schema, poolSize: 4, ...extra });
      stores.push(s);
      return s;
    });
    await made[0]!.migrate();
    return { schema, stores: made };
  }

  async function rows(schema: string): Promise<{ total: number; pending: number }> {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ total: number; pending: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE expires_at > now()))::int AS pending
           FROM "${schema}".digital_id_states`,
      );
      return rows[0]!;
    } finally {
      await admin.end();
    }
  }

  it('refuses a start beyond maxPending rather than drop a pending login', async () => {
    const {
      stores: [s],
    } = await replicas(1, { maxPending: 3 });
    for (const state of ['citizen', 'flood-1', 'flood-2']) await s!.save(record(state));
    const err = await failure(() => s!.save(record('flood-3')));
    expect(isDigitalIdError(err, 'ERR_DIGITAL_ID_STATE_STORE_FULL')).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterInMs).toBeGreaterThanOrEqual(1000);
    expect(err.retryAfterInMs).toBeLessThanOrEqual(30_000);
    expect((await s!.consume('citizen')).status).toBe('ok');
    expect((await s!.consume('flood-3')).status).toBe('unknown');
    // The completed login freed its place.
    await s!.save(record('next'));
    expect((await s!.consume('next')).status).toBe('ok');
  });

  it('expired logins do not hold a place, and are pruned when the store is full', async () => {
    const {
      schema,
      stores: [s],
    } = await replicas(1, { maxPending: 2 });
    for (let i = 0; i < 5; i++) await s!.save(record(`stale-${i}`, -1));
    await s!.save(record('a'));
    await s!.save(record('b'));
    expect((await failure(() => s!.save(record('c')))).code).toBe('ERR_DIGITAL_ID_STATE_STORE_FULL');
    expect(await rows(schema)).toEqual({ total: 2, pending: 2 });
    expect((await s!.consume('a')).status).toBe('ok');
    expect((await s!.consume('b')).status).toBe('ok');
  });

  it('saving a pending state again (same key) at capacity replaces it, not refused', async () => {
    const {
      stores: [s],
    } = await replicas(1, { maxPending: 2 });
    await s!.save(record('a'));
    await s!.save(record('b'));
    await s!.save({ ...record('b'), nonce: 'again' });
    const got = await s!.consume('b');
    expect(got.status === 'ok' && got.record.nonce).toBe('again');
  });

  it('consumed logins (and their receipts) free their place, whatever the tombstone period', async () => {
    const {
      stores: [s],
    } = await replicas(1, { maxPending: 2, tombstoneInMs: 0 });
    for (let i = 0; i < 6; i++) {
      await s!.save(record(`done-${i}`));
      expect((await s!.consume(`done-${i}`)).status).toBe('ok');
    }
    await s!.save(record('a'));
    await s!.save(record('b'));
    expect((await failure(() => s!.save(record('c')))).code).toBe('ERR_DIGITAL_ID_STATE_STORE_FULL');
  });

  it('sixty starts racing from three replicas: exactly maxPending are filed, the rest refused', async () => {
    const { schema, stores: three } = await replicas(3, { maxPending: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => three[i % 3]!.save(record(`race-${i}`))),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(refused).toHaveLength(50);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_DIGITAL_ID_STATE_STORE_FULL' });
    expect(await rows(schema)).toEqual({ total: 10, pending: 10 });
  });

  it('refuses a bad maxPending by name', () => {
    const make = (maxPending: unknown) =>
      new PostgresStateStore({ connectionString: url, maxPending } as PostgresStateStoreOptions);
    for (const bad of [0, -1, 1.5, '10']) expect(() => make(bad), String(bad)).toThrow(/maxPending/);
  });
});
