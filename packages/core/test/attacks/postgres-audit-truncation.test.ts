// Attack class: cutting or rewriting the PostgreSQL audit chain. Someone with write access to the
// database (but not the chain key) deletes the newest rows, rewrites one, or puts back an older head.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePostgres } from '@thgov/testkit/postgres';
import { describe, expect, it } from 'vitest';
import { createAnchor } from '../../src/audit/anchor.js';
import { FileAnchorStore } from '../../src/audit/anchor-file.js';
import { encodeLegacyRecord, encodeRecord, GENESIS_HASH } from '../../src/audit/chain.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import type { AuditRecordBody } from '../../src/audit/record.js';
import { auditEvent, CHAIN_KEY } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'truncation of the shared audit chain' });

postgres.describe('PostgreSQL audit chain under attack', () => {
  const db = new AuditPostgresForFile('core_audit_attack');

  describe('tail truncation', () => {
    it('deleting the newest rows is found by verify and refused by the next append', async () => {
      const sink = await db.chainOf('cut', 10);
      await db.cutAfter('cut', 7);
      const v = await db.verify('cut');
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('deleted');
      await expect(sink.append(auditEvent(11))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
    });

    it('deleting every row and the head row is refused as well (no silent fresh start)', async () => {
      const sink = await db.chainOf('wiped', 3);
      await db.cutAfter('wiped', 1);
      await db.deleteHead('wiped');
      await expect(sink.append(auditEvent(4))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
    });

    it('rows cut together with an older head row put back: found through the anchor mirror only', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'thgov-pg-mirror-'));
      const mirror = new FileAnchorStore({ path: join(dir, 'rollback.anchor') });
      const sink = await db.chainOf('rollback', 5, { anchorMirror: mirror });
      const older = await db.headAnchor('rollback');
      for (let i = 5; i < 8; i++) await sink.append(auditEvent(i));
      // Without the chain key the attacker cannot mint a head for seq 5 other than the old one: reuse it.
      await db.cutAfter('rollback', 5);
      await db.setHead('rollback', older);
      // The database alone is consistent again: this is what an in-database anchor cannot see …
      expect((await db.verify('rollback')).ok).toBe(true);
      // … and what the mirror outside it does.
      const v = await db.verify('rollback', { mirror: await mirror.read() });
      expect(v.ok).toBe(false);
      expect(v.errors.map((e) => e.kind)).toContain('deleted');
      await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a forged head (seq moved back, MAC not recomputable) is refused', async () => {
      const sink = await db.chainOf('forged', 4);
      await db.deleteRecord('forged', 4);
      await db.admin.query(
        "UPDATE thgov.audit_heads SET anchor = jsonb_set(anchor, '{seq}', '3') WHERE chain = 'forged'",
      );
      const v = await db.verify('forged');
      expect(v.errors.map((e) => e.kind)).toContain('anchor');
      await expect(sink.append(auditEvent(5))).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
      await sink.close();
    });
  });

  describe('rewriting a record', () => {
    it('an edited line is found by its MAC; recomputing the chain needs the key', async () => {
      const sink = await db.chainOf('edit', 6);
      await db.admin.query(
        'UPDATE thgov.audit_records SET line = replace(line, \'"status":"ok"\', \'"status":"error"\') WHERE chain = \'edit\' AND seq = 3',
      );
      const v = await db.verify('edit');
      expect(v.errors.map((e) => [e.kind, e.seq])).toContainEqual(['edited', 3]);
      await sink.close();
    });

    it('a row deleted from the middle is reported as deleted', async () => {
      const sink = await db.chainOf('hole', 6);
      await db.deleteRecord('hole', 2);
      const v = await db.verify('hole');
      expect(v.errors.map((e) => e.kind)).toContain('deleted');
      await sink.close();
    });
  });
  describe('rewriting rows in the unkeyed (legacy) format', () => {
    /** Rows 1..n re-encoded: legacy up to `legacyUpTo`, keyed (with `ring`) after it. */
    async function reencode(chain: string, legacyUpTo: number, ring?: AuditKeyRing) {
      const { rows } = await db.admin.query<{ seq: string; line: string }>(
        'SELECT seq, line FROM thgov.audit_records WHERE chain = $1 ORDER BY seq',
        [chain],
      );
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const seq = Number(row.seq);
        const { v: _v, seq: _s, kid: _k, mac: _m, prevHash: _p, ...rest } = JSON.parse(row.line);
        const body = { ...rest, caseRef: seq === 1 ? 'CASE-FORGED' : rest.caseRef } as AuditRecordBody;
        const e =
          seq <= legacyUpTo || !ring
            ? encodeLegacyRecord(body, seq, prev)
            : encodeRecord(body, seq, prev, ring, CHAIN_KEY.id);
        await db.admin.query('UPDATE thgov.audit_records SET line = $3 WHERE chain = $1 AND seq = $2', [
          chain,
          seq,
          e.line,
        ]);
        prev = e.lineHash;
      }
      return { seq: rows.length, hash: prev };
    }

    it('every row rewritten without the key and the head row deleted: an error, not a warning', async () => {
      const sink = await db.chainOf('downgrade', 4);
      await sink.close();
      await reencode('downgrade', 4);
      await db.deleteHead('downgrade');
      const v = await db.verify('downgrade');
      expect(v.ok).toBe(false);
      expect(v.format).toBe('legacy');
      // The rows are written without the key, and the deleted head row is an error of its own (not a warning).
      expect(v.errors).toEqual([
        expect.objectContaining({ kind: 'legacy', seq: 1 }),
        expect.objectContaining({ kind: 'anchor' }),
      ]);
      expect(v.errors[0]?.message).toMatch(/PostgresAuditSink never writes/);
      expect(v.warnings.map((w) => w.kind)).not.toContain('no-anchor');
    });

    it('legacy rows are an error even when a keyed row follows them: no PostgreSQL chain was ever legacy', async () => {
      const sink = await db.chainOf('sealed', 4);
      await sink.close();
      const ring = new AuditKeyRing([CHAIN_KEY]);
      const head = await reencode('sealed', 2, ring);
      await db.setHead('sealed', JSON.stringify(createAnchor(head, ring, CHAIN_KEY.id)));
      const v = await db.verify('sealed');
      expect(v.format).toBe('mixed');
      expect(v.ok).toBe(false);
      expect(v.errors).toEqual([expect.objectContaining({ kind: 'legacy', seq: 1 })]);
    });
  });
});
