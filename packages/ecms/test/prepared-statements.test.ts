// The PostgreSQL journal with `preparedStatements: true`, beyond the contract suite (which runs on it as one of
// the store kinds): its statements really are prepared on the server, and a prepared plan that another replica's
// migration made stale ("cached plan must not change result type") is prepared again, on a single statement and
// inside a transaction alike, instead of failing every call on that connection from then on.
import { randomBytes } from 'node:crypto';
import { requirePostgres } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { QuarantinedItem } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { inboundRecord } from './helpers/records.js';
import { postgresUrl } from './helpers/stores.js';

const postgres = requirePostgres({ why: 'prepared statements on a real server' });

const item = (id: string): QuarantinedItem => ({
  id,
  processId: `P-${id}`,
  operation: 'fetchNext',
  element: 'CorrespondenceLetter',
  xml: Buffer.from('<x/>'),
  sha256: '0'.repeat(64),
  at: new Date('2026-11-27T03:00:00Z'),
  error: { code: 'ERR_ECMS_XML_MALFORMED', message: 'malformed' },
  signature: undefined,
  letterKey: undefined,
  notified: false,
  settled: false,
  note: undefined,
});

postgres.describe('PostgresLetterStore with prepared statements', () => {
  let admin: pg.Client;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: await postgresUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    for (const p of pools) await p.end();
  });

  /** A journal on a pool of one connection (this test's own), so every call meets what that connection prepared. */
  async function journal() {
    const schema = `p_${randomBytes(5).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: await postgresUrl(), max: 1 });
    pools.push(pool);
    const store = new PostgresLetterStore({ pool, schema, preparedStatements: true });
    await store.migrate();
    return { store, schema, pool };
  }

  it('prepares its statements on the server, once per text', async () => {
    const { store, pool } = await journal();
    const r = inboundRecord();
    await store.insert(r);
    for (let i = 0; i < 3; i++) await store.get(r.journalId);
    await store.transition({ journalId: r.journalId, from: ['stored'], to: 'dequeued' });
    // pg_prepared_statements lists the session's own statements: ask on the store's one connection.
    const { rows } = await pool.query<{ name: string; statement: string }>(
      `SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'thgov_ecms_%'`,
    );
    const reads = rows.filter(
      (s) => s.statement.includes('encode(l.document') && /journal_id = \$1$/.test(s.statement.trim()),
    );
    expect(reads).toHaveLength(1);
    expect(
      rows.some((s) => s.statement.includes('INSERT INTO') && s.statement.includes('ecms_letters')),
    ).toBe(true);
    expect(rows.some((s) => s.statement.includes('ecms_transitions'))).toBe(true);
    await store.close();
  });

  it('a plan made stale by another replica’s migration is prepared again, in a statement and in a transaction', async () => {
    const { store, schema } = await journal();
    const r = inboundRecord();
    await store.insert(r);
    await store.quarantine(item('q1'));
    // Both prepared on the store's connection: a plain read, and the read inside updateQuarantined's transaction.
    expect(await store.quarantined()).toHaveLength(1);
    await store.updateQuarantined('q1', { note: 'seen' });
    // Another replica's migration changes the table under the prepared `SELECT *`: first the transaction meets it.
    await admin.query(`ALTER TABLE ${schema}.ecms_quarantine ADD COLUMN reviewed_by text`);
    await store.updateQuarantined('q1', { notified: true });
    expect((await store.quarantined())[0]).toMatchObject({ id: 'q1', notified: true, note: 'seen' });
    // Then the single statement, prepared again above, meets the next change.
    await admin.query(`ALTER TABLE ${schema}.ecms_quarantine ADD COLUMN reviewed_at timestamptz`);
    expect((await store.quarantined())[0]).toMatchObject({ id: 'q1', notified: true });
    await store.updateQuarantined('q1', { settled: true });
    expect((await store.quarantined())[0]).toMatchObject({ settled: true });
    expect((await store.get(r.journalId))?.letterId).toBe(r.letterId);
    await store.close();
  });
});
