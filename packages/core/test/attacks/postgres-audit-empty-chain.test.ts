// Attack class: a PostgreSQL audit chain wiped whole (every row and the head row), or a chain name that was never
// written (a misspelt CHAIN in a cron job). The library must not answer ok about a chain holding nothing unless the
// caller said an empty chain is acceptable, as `thgov audit verify --postgres` already fails it.
import { requirePostgres } from '@thgov/testkit/postgres';
import { expect, it } from 'vitest';
import { createAnchor } from '../../src/audit/anchor.js';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import { CHAIN_KEY } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'a PostgreSQL audit chain wiped whole' });

postgres.describe('PostgreSQL audit chain holding nothing', () => {
  const db = new AuditPostgresForFile('core_audit_empty');

  it('every row and the head row deleted: not ok, an `empty` error', async () => {
    await db.writeChain('wiped', 3);
    expect((await db.verify('wiped')).ok).toBe(true);
    await db.deleteRecords('wiped');
    await db.deleteHead('wiped');
    const v = await db.verify('wiped');
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([expect.objectContaining({ kind: 'empty' })]);
    expect(v.errors[0]?.message).toMatch(/no head row/);
  });

  it('a chain name never written: not ok unless the caller accepts an empty chain', async () => {
    await db.writeChain('real', 1);
    const typo = await db.verify('rael');
    expect(typo.ok).toBe(false);
    expect(typo.errors.map((e) => e.kind)).toEqual(['empty']);
    const accepted = await db.verify('rael', { allowEmpty: true });
    expect(accepted.ok).toBe(true);
    expect(accepted.records).toEqual([]);
  });

  it('a head row at seq 0 and no record (a chain created, never written): not ok unless accepted, like the CLI', async () => {
    await db.writeChain('other', 1);
    const genesis = createAnchor(
      { seq: 0, hash: GENESIS_HASH },
      new AuditKeyRing([CHAIN_KEY]),
      CHAIN_KEY.id,
      new Date(),
      'opened',
    );
    await db.admin.query("INSERT INTO thgov.audit_heads (chain, anchor) VALUES ('opened', $1)", [
      JSON.stringify(genesis),
    ]);
    expect((await db.verify('opened')).errors.map((e) => e.kind)).toEqual(['empty']);
    const accepted = await db.verify('opened', { allowEmpty: true });
    expect(accepted).toMatchObject({ ok: true, errors: [], warnings: [] });
  });

  it('allowEmpty must be a boolean', async () => {
    await expect(
      verifyPostgresAuditLog({ connectionString: db.url, allowEmpty: 'yes' as never }),
    ).rejects.toThrow(TypeError);
  });
});
