// Attack class: one PostgreSQL audit table holds several chains (`gdx`, `ecms`, …) under the same chain keys. Someone
// with write access to the database, but not the keys, replaces a chain's rows and head row with a copy of another
// chain's: every MAC and link checks, and the head row's anchor is authentic — for the other chain. The records of
// the chain under attack are gone, and nothing may say "ok" about it.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAnchor } from '../../src/audit/anchor.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { PostgresAuditSink } from '../../src/postgres/audit-sink.js';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

const postgres = requirePostgres({ why: 'swapping one audit chain for another in the shared table' });

postgres.describe('attack: an audit chain replaced by a copy of another chain', () => {
  let url = '';
  let admin: pg.Client;
  beforeAll(async () => {
    url = (await testDatabase('core_audit_chain_swap')).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(() => admin?.end());

  const sinkFor = (chain: string) =>
    new PostgresAuditSink({
      connectionString: url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
    });

  async function write(chain: string, from: number, n: number): Promise<void> {
    const sink = sinkFor(chain);
    for (let i = from; i < from + n; i++) await sink.append(auditEvent(i));
    await sink.close();
  }

  /** What the attacker runs: `victim` becomes a copy of `source`, rows and head row. */
  async function swap(victim: string, source: string): Promise<void> {
    await admin.query('DELETE FROM thgov.audit_records WHERE chain = $1', [victim]);
    await admin.query(
      `INSERT INTO thgov.audit_records (chain, seq, line, idempotency_key)
       SELECT $1, seq, line, idempotency_key FROM thgov.audit_records WHERE chain = $2`,
      [victim, source],
    );
    await admin.query(
      'UPDATE thgov.audit_heads SET anchor = (SELECT anchor FROM thgov.audit_heads WHERE chain = $2) WHERE chain = $1',
      [victim, source],
    );
  }

  it('verify finds the chain replaced by another, with as many or more records', async () => {
    await write('swap-victim', 0, 3);
    await write('swap-source', 100, 5);
    await swap('swap-victim', 'swap-source');
    const v = await verifyPostgresAuditLog({
      connectionString: url,
      chain: 'swap-victim',
      keys: [CHAIN_KEY],
    });
    expect(v.ok).toBe(false);
    expect(v.errors.map((e) => e.kind)).toContain('anchor');
    // The genuine chain still verifies.
    const source = await verifyPostgresAuditLog({
      connectionString: url,
      chain: 'swap-source',
      keys: [CHAIN_KEY],
    });
    expect(source.ok).toBe(true);
  });

  it('the sink refuses to append to a chain replaced by another', async () => {
    await write('swap-victim2', 0, 2);
    await write('swap-source2', 100, 4);
    await swap('swap-victim2', 'swap-source2');
    const sink = sinkFor('swap-victim2');
    await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    await sink.close();
  });

  it('a head row written before anchors named their chain (v1) is still accepted, and moved on to v2', async () => {
    await write('swap-legacy', 0, 2);
    const { rows } = await admin.query("SELECT anchor FROM thgov.audit_heads WHERE chain = 'swap-legacy'");
    const head = rows[0].anchor as { seq: number; hash: string };
    const ring = new AuditKeyRing([CHAIN_KEY]);
    await admin.query("UPDATE thgov.audit_heads SET anchor = $1 WHERE chain = 'swap-legacy'", [
      JSON.stringify(createAnchor(head, ring, CHAIN_KEY.id)),
    ]);
    const verify = () =>
      verifyPostgresAuditLog({ connectionString: url, chain: 'swap-legacy', keys: [CHAIN_KEY] });
    expect((await verify()).ok).toBe(true);
    await write('swap-legacy', 2, 1);
    expect((await verify()).ok).toBe(true);
    const after = await admin.query("SELECT anchor FROM thgov.audit_heads WHERE chain = 'swap-legacy'");
    expect(after.rows[0].anchor).toMatchObject({ v: 2, chain: 'swap-legacy', seq: 3 });
  });
});
