// Attack class: personal data kept in clear beside the audit chain. `PostgresAuditSink.append(event, {
// idempotencyKey })` makes a redone operation leave one record; the natural key of such an operation names whom it
// was about (`dopa.linkage:<citizen ID>`, a case number, a token). The record's own line hashes the subject and
// redacts every free-text field, yet the key went into `audit_records.idempotency_key` as given: a citizen ID in
// clear in the audit table, readable by whoever reads the table (auditors get the chain key only, never the
// subject key). The column now holds a keyed hash of the key; a redo still finds its record, including a record
// written by an earlier version with the key in clear.
import { requirePostgres } from '@thgov/testkit/postgres';
import { expect, it } from 'vitest';
import { auditEvent, CITIZEN } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'idempotency keys of the audit chain' });

postgres.describe('PostgresAuditSink idempotency keys', () => {
  const db = new AuditPostgresForFile('core_audit_idem_key');
  const storedKeys = async (chain: string) =>
    (
      await db.admin.query<{ k: string | null }>(
        'SELECT idempotency_key AS k FROM thgov.audit_records WHERE chain = $1 ORDER BY seq',
        [chain],
      )
    ).rows.map((r) => r.k);

  it('a key naming a citizen is not stored in clear; the redo is still found', async () => {
    const sink = db.sink('idem-pii');
    const key = `dopa.linkage:${CITIZEN}`;
    await sink.append(auditEvent(1), { idempotencyKey: key });
    await sink.append(auditEvent(2), { idempotencyKey: 'received:P-2' });
    await sink.append(auditEvent(1), { idempotencyKey: key });
    const stored = await storedKeys('idem-pii');
    expect(stored).toHaveLength(2);
    for (const k of stored) {
      expect(k).not.toContain(CITIZEN);
      expect(k).not.toContain('P-2');
    }
    const dump = JSON.stringify((await db.admin.query('SELECT * FROM thgov.audit_records')).rows);
    expect(dump).not.toContain(CITIZEN);
    expect(await db.caseRefs('idem-pii')).toEqual(['CASE-1', 'CASE-2']);
  });

  it('two keys differing only in how an ID is spelled stay two keys (no normalisation merges them)', async () => {
    const sink = db.sink('idem-spelling');
    const dashed = `${CITIZEN[0]}-${CITIZEN.slice(1, 5)}-${CITIZEN.slice(5, 10)}-${CITIZEN.slice(10, 12)}-${CITIZEN[12]}`;
    await sink.append(auditEvent(1), { idempotencyKey: `p:${CITIZEN}` });
    await sink.append(auditEvent(2), { idempotencyKey: `p:${dashed}` });
    expect(await db.caseRefs('idem-spelling')).toEqual(['CASE-1', 'CASE-2']);
  });

  it('a record written by an earlier version (key in clear) still makes the redo a no-op', async () => {
    const sink = db.sink('idem-upgrade');
    await sink.append(auditEvent(1), { idempotencyKey: 'received:P-9' });
    // As the earlier version stored it.
    await db.admin.query(
      "UPDATE thgov.audit_records SET idempotency_key = 'received:P-9' WHERE chain = 'idem-upgrade' AND seq = 1",
    );
    await sink.append(auditEvent(1), { idempotencyKey: 'received:P-9' });
    await sink.append(auditEvent(3), { idempotencyKey: 'received:P-10' });
    expect(await db.caseRefs('idem-upgrade')).toEqual(['CASE-1', 'CASE-3']);
  });
});
