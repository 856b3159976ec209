// Attack class: a PostgreSQL audit chain wiped whole (every row and the head row), or a chain name that was never
// written (a misspelt CHAIN in a cron job). The library must not answer ok about a chain holding nothing unless the
// caller said an empty chain is acceptable, as `thgov audit verify --postgres` already fails it.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAnchor } from '../../src/audit/anchor.js';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { PostgresAuditSink } from '../../src/postgres/audit-sink.js';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

const postgres = requirePostgres({ why: 'a PostgreSQL audit chain wiped whole' });

postgres.describe('PostgreSQL audit chain holding nothing', () => {
  let url = '';
  let admin: pg.Client;
  beforeAll(async () => {
    url = (await testDatabase('core_audit_empty')).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(() => admin?.end());

  const verify = (chain: string, extra: { allowEmpty?: boolean } = {}) =>
    verifyPostgresAuditLog({ connectionString: url, chain, keys: [CHAIN_KEY], ...extra });

  async function chainOf(chain: string, n: number): Promise<void> {
    const sink = new PostgresAuditSink({
      connectionString: url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
    });
    for (let i = 0; i < n; i++) await sink.append(auditEvent(i));
    await sink.close();
  }

  it('every row and the head row deleted: not ok, an `empty` error', async () => {
    await chainOf('wiped', 3);
    expect((await verify('wiped')).ok).toBe(true);
    await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'wiped'");
    await admin.query("DELETE FROM thgov.audit_heads WHERE chain = 'wiped'");
    const v = await verify('wiped');
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([expect.objectContaining({ kind: 'empty' })]);
    expect(v.errors[0]?.message).toMatch(/no head row/);
  });

  it('a chain name never written: not ok unless the caller accepts an empty chain', async () => {
    await chainOf('real', 1);
    const typo = await verify('rael');
    expect(typo.ok).toBe(false);
    expect(typo.errors.map((e) => e.kind)).toEqual(['empty']);
    const accepted = await verify('rael', { allowEmpty: true });
    expect(accepted.ok).toBe(true);
    expect(accepted.records).toEqual([]);
  });

  it('a head row at seq 0 and no record (a chain created, never written): not ok unless accepted, like the CLI', async () => {
    await chainOf('other', 1);
    const genesis = createAnchor(
      { seq: 0, hash: GENESIS_HASH },
      new AuditKeyRing([CHAIN_KEY]),
      CHAIN_KEY.id,
      new Date(),
      'opened',
    );
    await admin.query("INSERT INTO thgov.audit_heads (chain, anchor) VALUES ('opened', $1)", [
      JSON.stringify(genesis),
    ]);
    expect((await verify('opened')).errors.map((e) => e.kind)).toEqual(['empty']);
    const accepted = await verify('opened', { allowEmpty: true });
    expect(accepted).toMatchObject({ ok: true, errors: [], warnings: [] });
  });

  it('allowEmpty must be a boolean', async () => {
    await expect(
      verifyPostgresAuditLog({ connectionString: url, allowEmpty: 'yes' as never }),
    ).rejects.toThrow(TypeError);
  });
});
