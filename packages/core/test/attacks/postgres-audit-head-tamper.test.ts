// Attack class: cutting a PostgreSQL audit chain and hiding it by tampering with the head row (deleting it,
// or putting back an older one) while rows past the cut stay. PostgresAuditSink commits records and head in
// one transaction, so rows without a head row, or rows past the head, were never left by the sink itself.
import { requirePostgres } from '@thgov/testkit/postgres';
import { describe, expect, it } from 'vitest';
import { auditEvent } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'head-row tampering of the shared audit chain' });

postgres.describe('PostgreSQL audit head row under attack', () => {
  const db = new AuditPostgresForFile('core_audit_head_tamper');

  describe('verify', () => {
    it('newest rows cut and the head row deleted: an error naming the missing head, not a no-anchor warning', async () => {
      const sink = await db.chainOf('headless', 10);
      await db.cutAfter('headless', 7);
      await db.deleteHead('headless');
      const v = await db.verify('headless');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('anchor');
      expect(v.warnings.map((w) => w.kind)).not.toContain('no-anchor');
      await sink.close();
    });

    it('an older head row put back with rows past it and the newest cut: an error, not an unanchored-tail warning', async () => {
      const sink = await db.chainOf('stale-head', 5);
      const older = await db.headAnchor('stale-head');
      for (let i = 5; i < 9; i++) await sink.append(auditEvent(i));
      await db.cutAfter('stale-head', 7);
      await db.setHead('stale-head', older);
      const v = await db.verify('stale-head');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('anchor');
      expect(v.anchored).toEqual({ seq: 5, unanchored: 2 });
      // Guard: the sink, which allows no lag, refuses to extend it too.
      await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
    });

    it('guard: an intact chain verifies with no warning at all', async () => {
      const sink = await db.chainOf('intact', 4);
      const v = await db.verify('intact');
      expect(v.ok).toBe(true);
      expect(v.warnings).toEqual([]);
      expect(v.anchored).toEqual({ seq: 4, unanchored: 0 });
      await sink.close();
    });

    // A chain holding nothing is no evidence: not ok unless the caller accepts an empty chain (as the CLI fails it;
    // attacks/postgres-audit-empty-chain.test.ts). Accepted, it is still not an anchor error.
    it('a chain with neither rows nor head row is `empty`, and ok only with allowEmpty (a chain never written)', async () => {
      const v = await db.verify('never-written');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toEqual(['empty']);
      const accepted = await db.verify('never-written', { allowEmpty: true });
      expect(accepted.ok).toBe(true);
      expect(accepted.records).toEqual([]);
    });
  });
});
