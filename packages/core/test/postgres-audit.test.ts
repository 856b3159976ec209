import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { requirePostgres } from '@thgov/testkit/postgres';
import { describe, expect, it } from 'vitest';
import { PostgresAuditSink, type PostgresAuditSinkOptions } from '../src/postgres/audit-sink.js';
import { auditEvent, CHAIN_KEY, CITIZEN, NEXT_CHAIN_KEY, SUBJECT_SECRET } from './helpers/audit.js';
import { AuditPostgresForFile } from './helpers/postgres.js';

const postgres = requirePostgres({ why: 'one audit chain for all replicas' });

postgres.describe('PostgresAuditSink on a real PostgreSQL', () => {
  const db = new AuditPostgresForFile('core_audit');

  function runWriter(count: number, parallel: number): Promise<{ code: number | null; out: string }> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'helpers', 'pg-audit-writer.ts'),
        db.url,
        String(count),
        String(parallel),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
  }

  describe('PostgresAuditSink', () => {
    it('is refused before the tables exist, with the command that creates them', async () => {
      const sink = db.sink('unmigrated', { migrate: false, schema: 'not_migrated' });
      await expect(sink.append(auditEvent(1))).rejects.toMatchObject({ code: 'ERR_POSTGRES_SCHEMA' });
      expect(await sink.migrate()).toEqual([1]);
      expect(await sink.migrate()).toEqual([]);
      await sink.append(auditEvent(1));
      await sink.close();
    });

    it('4 replica processes append to one chain: consecutive seqs, every record verified, head anchored', async () => {
      await db.sink('replicas').migrate();
      const results = await Promise.all([1, 2, 3, 4].map((p) => runWriter(60, p)));
      for (const r of results) expect(r.code, r.out).toBe(0);
      const v = await db.verify('replicas');
      expect(v.errors).toEqual([]);
      expect(v.warnings).toEqual([]);
      expect(v.records.map((r) => r.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
      const writers = new Set(v.records.map((r) => r.client));
      expect(writers.size).toBe(4);
      expect(v.anchored).toEqual({ seq: 240, unanchored: 0 });
      // A hang guard, not a speed check: four child processes start and connect on a shared, loaded machine.
    }, 180_000);

    it('writes the same line format as the file sink: subjects and citizen IDs hashed, never in clear', async () => {
      const sink = db.sink('format');
      await sink.append(auditEvent(1, { purpose: `check of ${CITIZEN}` }));
      await sink.close();
      const { rows } = await db.admin.query("SELECT line FROM thgov.audit_records WHERE chain = 'format'");
      expect(rows).toHaveLength(1);
      expect(rows[0].line).toMatch(/^\{"v":2,"seq":1,"kid":"2026-01",/);
      expect(rows[0].line).not.toContain(CITIZEN);
    });

    it('key rotation: records under the old key stay verifiable, new ones use the new key', async () => {
      const old = db.sink('rotation');
      for (let i = 0; i < 3; i++) await old.append(auditEvent(i));
      await old.close();
      const next = db.sink('rotation', { chainKey: NEXT_CHAIN_KEY, previousChainKeys: [CHAIN_KEY] });
      for (let i = 3; i < 6; i++) await next.append(auditEvent(i));
      await next.close();
      const both = await db.verify('rotation', { keys: [CHAIN_KEY, NEXT_CHAIN_KEY] });
      expect(both.errors).toEqual([]);
      expect(both.records.map((r) => (r as { kid: string }).kid)).toEqual([
        '2026-01',
        '2026-01',
        '2026-01',
        '2027-01',
        '2027-01',
        '2027-01',
      ]);
      const onlyNew = await db.verify('rotation', { keys: [NEXT_CHAIN_KEY] });
      expect(onlyNew.errors.map((e) => e.kind)).toEqual(['unverified']);
    });

    it('a restart without the old key is refused with ERR_AUDIT_KEY (the anchor names it)', async () => {
      const sink = db.sink('rotation', { chainKey: { id: '2028-01', secret: 'x'.repeat(40) } });
      await expect(sink.append(auditEvent(9))).rejects.toMatchObject({ code: 'ERR_AUDIT_KEY' });
      await sink.close();
    });

    it('rides out connections killed by the server (admin shutdown, 57P01) without a lost or doubled record', async () => {
      const sink = db.sink('killed', { poolSize: 3 });
      const appends: Promise<void>[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 20; i++) appends.push(sink.append(auditEvent(round * 20 + i)));
        await db.admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'thgov' AND pid <> pg_backend_pid() AND datname = current_database()",
        );
      }
      await Promise.all(appends);
      await sink.close();
      const v = await db.verify('killed');
      expect(v.errors).toEqual([]);
      expect(v.records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(v.records.map((r) => r.caseRef)).size).toBe(100);
    });

    it('replicas starting a new chain at the same moment: no false "head row is gone", one chain', async () => {
      // Each replica finds no head row; the first to create it commits records while the others wait on the
      // head's unique key. Before, a waiting replica could then see those records and call the head cut.
      for (let round = 0; round < 10; round++) {
        const chain = `race-${round}`;
        const sinks = Array.from({ length: 4 }, () => db.sink(chain));
        // Connected and migrated first, so that the four first appends really start together.
        await Promise.all(sinks.map((sink) => sink.migrate()));
        await Promise.all(sinks.map((sink, i) => sink.append(auditEvent(i))));
        await Promise.all(sinks.map((sink) => sink.close()));
        const v = await db.verify(chain);
        expect(v.errors).toEqual([]);
        expect(v.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
      }
    });

    it('an operation redone after a crash (same idempotency key) leaves one record, across replicas too', async () => {
      const [a, b] = [db.sink('idem'), db.sink('idem')];
      await Promise.all([
        a.append(auditEvent(1), { idempotencyKey: 'received:P-1' }),
        b.append(auditEvent(1), { idempotencyKey: 'received:P-1' }),
        a.append(auditEvent(2), { idempotencyKey: 'received:P-2' }),
        a.append(auditEvent(2), { idempotencyKey: 'received:P-2' }),
        b.append(auditEvent(3)),
      ]);
      await b.append(auditEvent(1), { idempotencyKey: 'received:P-1' });
      await expect(a.append(auditEvent(4), { idempotencyKey: '' })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARG',
      });
      await Promise.all([a.close(), b.close()]);
      const v = await db.verify('idem');
      expect(v.errors).toEqual([]);
      expect(v.records.map((r) => r.caseRef).sort()).toEqual(['CASE-1', 'CASE-2', 'CASE-3']);
    });

    it('rejects unknown options and a missing connection, naming the key', () => {
      expect(() => db.sink('x', { bogus: 1 } as never)).toThrow(/bogus/);
      expect(
        () =>
          new PostgresAuditSink({
            hmacSecret: SUBJECT_SECRET,
            chainKey: CHAIN_KEY,
          } as PostgresAuditSinkOptions),
      ).toThrow(/connectionString or pool/);
      expect(() => db.sink('x', { schema: 'Robert"; DROP' })).toThrow(/schema/);
    });
  });
});
