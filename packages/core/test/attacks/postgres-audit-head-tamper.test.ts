// Attack class: cutting a PostgreSQL audit chain and hiding it by tampering with the head row (deleting it,
// or putting back an older one) while rows past the cut stay. PostgresAuditSink commits records and head in
// one transaction, so rows without a head row, or rows past the head, were never left by the sink itself.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAuditSink } from '../../src/postgres/audit-sink.js';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

const postgres = requirePostgres({ why: 'head-row tampering of the shared audit chain' });

postgres.describe('PostgreSQL audit head row under attack', () => {
  let url = '';
  let admin: pg.Client;
  beforeAll(async () => {
    url = (await testDatabase('core_audit_head_tamper')).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(() => admin?.end());

  async function chainOf(chain: string, n: number): Promise<PostgresAuditSink> {
    const sink = new PostgresAuditSink({
      connectionString: url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
    });
    for (let i = 0; i < n; i++) await sink.append(auditEvent(i));
    return sink;
  }
  const verify = (chain: string) =>
    verifyPostgresAuditLog({ connectionString: url, chain, keys: [CHAIN_KEY] });

  describe('verify', () => {
    it('newest rows cut and the head row deleted: an error naming the missing head, not a no-anchor warning', async () => {
      const sink = await chainOf('headless', 10);
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'headless' AND seq > 7");
      await admin.query("DELETE FROM thgov.audit_heads WHERE chain = 'headless'");
      const v = await verify('headless');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('anchor');
      expect(v.warnings.map((w) => w.kind)).not.toContain('no-anchor');
      await sink.close();
    });

    it('an older head row put back with rows past it and the newest cut: an error, not an unanchored-tail warning', async () => {
      const sink = await chainOf('stale-head', 5);
      const { rows } = await admin.query("SELECT anchor FROM thgov.audit_heads WHERE chain = 'stale-head'");
      const older = rows[0].anchor;
      for (let i = 5; i < 9; i++) await sink.append(auditEvent(i));
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'stale-head' AND seq > 7");
      await admin.query("UPDATE thgov.audit_heads SET anchor = $1 WHERE chain = 'stale-head'", [older]);
      const v = await verify('stale-head');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('anchor');
      expect(v.anchored).toEqual({ seq: 5, unanchored: 2 });
      // Guard: the sink, which allows no lag, refuses to extend it too.
      await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
    });

    it('guard: an intact chain verifies with no warning at all', async () => {
      const sink = await chainOf('intact', 4);
      const v = await verify('intact');
      expect(v.ok).toBe(true);
      expect(v.warnings).toEqual([]);
      expect(v.anchored).toEqual({ seq: 4, unanchored: 0 });
      await sink.close();
    });

    // A chain holding nothing is no evidence: not ok unless the caller accepts an empty chain (as the CLI fails it;
    // attacks/postgres-audit-empty-chain.test.ts). Accepted, it is still not an anchor error.
    it('a chain with neither rows nor head row is `empty`, and ok only with allowEmpty (a chain never written)', async () => {
      const v = await verify('never-written');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toEqual(['empty']);
      const accepted = await verifyPostgresAuditLog({
        connectionString: url,
        chain: 'never-written',
        keys: [CHAIN_KEY],
        allowEmpty: true,
      });
      expect(accepted.ok).toBe(true);
      expect(accepted.records).toEqual([]);
    });
  });
});
