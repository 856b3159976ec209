// Attack class: one PostgreSQL audit table holds several chains (`gdx`, `ecms`, …) under the same chain keys. Someone
// with write access to the database, but not the keys, replaces a chain's rows and head row with a copy of another
// chain's: every MAC and link checks, and the head row's anchor is authentic — for the other chain. The records of
// the chain under attack are gone, and nothing may say "ok" about it.
import { requirePostgres } from '@thgov/testkit/postgres';
import { expect, it } from 'vitest';
import { createAnchor } from '../../src/audit/anchor.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { auditEvent, CHAIN_KEY } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'swapping one audit chain for another in the shared table' });

postgres.describe('attack: an audit chain replaced by a copy of another chain', () => {
  const db = new AuditPostgresForFile('core_audit_chain_swap');

  /** What the attacker runs: `victim` becomes a copy of `source`, rows and head row. */
  async function swap(victim: string, source: string): Promise<void> {
    await db.deleteRecords(victim);
    await db.admin.query(
      `INSERT INTO thgov.audit_records (chain, seq, line, idempotency_key)
       SELECT $1, seq, line, idempotency_key FROM thgov.audit_records WHERE chain = $2`,
      [victim, source],
    );
    await db.admin.query(
      'UPDATE thgov.audit_heads SET anchor = (SELECT anchor FROM thgov.audit_heads WHERE chain = $2) WHERE chain = $1',
      [victim, source],
    );
  }

  it('verify finds the chain replaced by another, with as many or more records', async () => {
    await db.writeChain('swap-victim', 3, 0);
    await db.writeChain('swap-source', 5, 100);
    await swap('swap-victim', 'swap-source');
    const v = await db.verify('swap-victim');
    expect(v.ok).toBe(false);
    expect(v.errors.map((e) => e.kind)).toContain('anchor');
    // The genuine chain still verifies.
    const source = await db.verify('swap-source');
    expect(source.ok).toBe(true);
  });

  it('the sink refuses to append to a chain replaced by another', async () => {
    await db.writeChain('swap-victim2', 2, 0);
    await db.writeChain('swap-source2', 4, 100);
    await swap('swap-victim2', 'swap-source2');
    const sink = db.sink('swap-victim2');
    await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    await sink.close();
  });

  it('a head row written before anchors named their chain (v1) is still accepted, and moved on to v2', async () => {
    await db.writeChain('swap-legacy', 2, 0);
    const head = await db.headAnchor('swap-legacy');
    const ring = new AuditKeyRing([CHAIN_KEY]);
    await db.setHead('swap-legacy', JSON.stringify(createAnchor(head, ring, CHAIN_KEY.id)));
    const verify = () => db.verify('swap-legacy');
    expect((await verify()).ok).toBe(true);
    await db.writeChain('swap-legacy', 1, 2);
    expect((await verify()).ok).toBe(true);
    expect(await db.headAnchor('swap-legacy')).toMatchObject({ v: 2, chain: 'swap-legacy', seq: 3 });
  });
});
