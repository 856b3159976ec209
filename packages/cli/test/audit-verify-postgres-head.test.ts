// `thgov audit verify --postgres` on a chain whose newest rows were cut and whose head row was then deleted or put
// back older: the command must fail (exit 1), not pass with a warning.
import { PostgresAuditSink } from '@thgov/core/postgres';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditVerify } from '../src/audit/verify-command.js';

const postgres = requirePostgres({ why: 'audit verify --postgres against a tampered head row' });
const SUBJECT_SECRET = 'agency-audit-secret-0123456789';
const CHAIN_KEY = { id: '2026-01', secret: 'cli-test-chain-key-0123456789abcdef0123456789' };
const withKeys = { THGOV_AUDIT_CHAIN_KEYS: `${CHAIN_KEY.id}:${CHAIN_KEY.secret}\n` };

async function verify(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io = { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: () => true } };
  return { code: await auditVerify(args, io, withKeys), stdout };
}

postgres.describe('thgov audit verify --postgres: head row tampered with', () => {
  let url = '';
  let admin: pg.Client;
  beforeAll(async () => {
    url = (await testDatabase('cli_audit_head')).url;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(() => admin?.end());

  async function chainOf(chain: string, n: number): Promise<void> {
    const sink = new PostgresAuditSink({
      connectionString: url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
    });
    for (let i = 0; i < n; i++)
      await sink.append({ who: 'system', service: 'gdx', status: 'ok', caseRef: `C-${i}` });
    await sink.close();
  }

  describe('exit status', () => {
    it('newest rows cut and the head row deleted: exit 1, the head row named', async () => {
      await chainOf('headless', 6);
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'headless' AND seq > 4");
      await admin.query("DELETE FROM thgov.audit_heads WHERE chain = 'headless'");
      const r = await verify(['--postgres', url, 'headless']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toContain('no head row');
      expect(r.stdout).not.toContain(new URL(url).password || '\u0000');
    });

    it('an older head row put back over rows past it: exit 1', async () => {
      await chainOf('stale', 3);
      const { rows } = await admin.query("SELECT anchor FROM thgov.audit_heads WHERE chain = 'stale'");
      await chainOf('stale', 3);
      await admin.query("DELETE FROM thgov.audit_records WHERE chain = 'stale' AND seq > 5");
      await admin.query("UPDATE thgov.audit_heads SET anchor = $1 WHERE chain = 'stale'", [rows[0].anchor]);
      const r = await verify(['--postgres', url, '--json', 'stale']);
      expect(r.code, r.stdout).toBe(1);
      const [report] = JSON.parse(r.stdout);
      expect(report.errors.map((e: { kind: string }) => e.kind)).toContain('anchor');
    });
  });
});
