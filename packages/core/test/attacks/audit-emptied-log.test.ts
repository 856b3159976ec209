// Attack class: the whole log cut, with its anchor. Whoever can write the log's folder empties the log file (or
// leaves blank lines, already an error) and deletes the anchor beside it: no record is left to carry the "this writer keeps an
// anchor" mark, so the missing anchor was only the `no-anchor` warning and the empty log verified ok. An empty log is
// evidence of nothing; verification now says so unless the caller says an empty log is expected (a PostgreSQL chain
// with no record was already an error, the same way).
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { verifyAuditLog, verifyAuditLogText } from '../../src/audit/verify.js';
import { auditDir, CHAIN_KEY, writeLog } from '../helpers/audit.js';

const tmp = auditDir('audit-emptied');
afterAll(() => tmp.cleanup());

describe('an audit log emptied together with its anchor', () => {
  it('is not ok', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    writeFileSync(path, '');
    rmSync(`${path}.anchor`);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['empty']);
    expect(r.errors[0]?.message).toMatch(/holds no record/);
    expect(r.warnings.map((w) => w.kind)).not.toContain('no-anchor');
  });

  it('is not ok when blank lines are left in place of the records (guard: malformed lines)', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    writeFileSync(path, '\n\n\n');
    rmSync(`${path}.anchor`);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['malformed', 'malformed', 'malformed']);
  });

  it('is ok where the caller says an empty log is expected (allowEmpty), with the no-anchor warning', () => {
    const r = verifyAuditLogText('', { keys: [CHAIN_KEY], allowEmpty: true });
    expect(r).toMatchObject({ ok: true, format: 'empty', errors: [] });
    expect(r.warnings.map((w) => w.kind)).toEqual(['no-anchor']);
  });

  it('is ok against a head kept elsewhere that says the log is empty (guard)', () => {
    expect(verifyAuditLogText('', { expectHead: { seq: 0, hash: GENESIS_HASH } }).ok).toBe(true);
  });

  it('refuses an allowEmpty that is not a boolean', () => {
    expect(() => verifyAuditLogText('', { allowEmpty: 'yes' as unknown as boolean })).toThrow(/allowEmpty/);
  });
});
