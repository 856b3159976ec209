// Quirk: verifying the PostgreSQL audit chain while replicas keep appending (the normal state of production,
// where `thgov audit verify --postgres` runs from cron). The verifier read the records, page by page, and then
// the head row, each in a statement of its own: a commit landing between the two gave a head row ahead of the
// rows read, and a chain nobody touched was reported as cut ("the newest records were removed"). An auditor
// cannot tell that false alarm from a real one. The reads now share one snapshot; the concurrent commit is
// simply not part of it.
import { requirePostgres } from '@thgov/testkit/postgres';
import type pg from 'pg';
import { expect, it } from 'vitest';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import type { PgClientLike, PgPoolLike } from '../../src/postgres/driver.js';
import { auditEvent, CHAIN_KEY } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'verifying the audit chain while it is written' });

/**
 * A real pool that, before the second statement reading an audit table (on the pool or a checked-out client), waits
 * for `between()`: another replica's commit between the verifier's reads, whichever it reads first, without a timer.
 */
function interleaving(pool: pg.Pool, between: () => Promise<void>): PgPoolLike {
  let reads = 0;
  const hook = async (text: string) => {
    if (/audit_(heads|records)/.test(text) && ++reads === 2) await between();
  };
  const wrapClient = (client: pg.PoolClient): PgClientLike => ({
    query: async (text: string, values?: unknown[]) => {
      await hook(text);
      return client.query(text, values) as never;
    },
    release: (destroy) => client.release(destroy),
    on: (event, listener) => client.on(event, listener),
    off: (event, listener) => client.off(event, listener),
  });
  return {
    query: async (text: string, values?: unknown[]) => {
      await hook(text);
      return pool.query(text, values) as never;
    },
    connect: async () => wrapClient(await pool.connect()),
    end: () => pool.end(),
  };
}

postgres.describe('verifying a PostgreSQL audit chain that is being written', () => {
  const db = new AuditPostgresForFile('core_audit_live_verify');

  it('a commit between reading the records and the head row is no "removed records" alarm', async () => {
    const writer = await db.chainOf('live', 5);
    const pool = db.pool({ max: 2 });
    let committed = 0;
    const v = await verifyPostgresAuditLog({
      pool: interleaving(pool, async () => {
        for (let i = 5; i < 8; i++) await writer.append(auditEvent(i));
        committed = (await writer.head()).seq;
      }),
      chain: 'live',
      keys: [CHAIN_KEY],
    });
    // The other replica really did commit in between.
    expect(committed).toBe(8);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
    expect(v.ok).toBe(true);
    // One consistent state: the records and the head row it read agree.
    expect(v.head.seq).toBe(v.records.length);
    expect(v.anchored).toEqual({ seq: v.head.seq, unanchored: 0 });
    // The next run sees all of it, still intact.
    const again = await db.verify('live');
    expect(again.ok).toBe(true);
    expect(again.records.map((r) => r.caseRef)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `CASE-${i}`));
  });

  it('rows really cut while nobody writes are still found (guard for the snapshot read)', async () => {
    await db.chainOf('cut-live', 6);
    await db.cutAfter('cut-live', 4);
    const v = await db.verify('cut-live');
    expect(v.ok).toBe(false);
    expect(v.errors.map((e) => e.kind)).toContain('deleted');
  });
});
