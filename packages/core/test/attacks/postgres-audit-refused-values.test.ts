// Attack class: values PostgreSQL refuses or mishandles, in the audit chain. The sink writes every append waiting
// at one moment in one transaction (group commit). An idempotency key holding U+0000 is refused by PostgreSQL's
// text type: the whole batch failed, and callers whose events were sound lost their records with it. A key with a
// lone UTF-16 surrogate was turned into U+FFFD by the driver, so two different keys became one and the second
// event was dropped as a "redone" operation. Such keys are now refused up front (ERR_INVALID_ARG, the key not
// echoed), before they join a batch. Event text with the same characters is JSON-escaped in the line and verifies.
import { requirePostgres } from '@thgov/testkit/postgres';
import { expect, it } from 'vitest';
import { auditEvent } from '../helpers/audit.js';
import { AuditPostgresForFile } from '../helpers/postgres.js';

const postgres = requirePostgres({ why: 'the audit chain against values PostgreSQL refuses' });

postgres.describe('PostgresAuditSink against values PostgreSQL refuses', () => {
  const db = new AuditPostgresForFile('core_audit_refused');

  it.each([
    ['nul', 'received:P-\u00001'],
    ['high', 'received:P-\ud8001'],
    ['low', 'received:P-\udc001'],
  ])(
    'an idempotency key PostgreSQL cannot store (%s) is refused alone; the batch beside it lands',
    async (chain, bad) => {
      const sink = db.sink(chain);
      await sink.append(auditEvent(0));
      // Pushed together: one group-commit batch.
      const results = await Promise.allSettled([
        sink.append(auditEvent(1), { idempotencyKey: 'received:P-1' }),
        sink.append(auditEvent(2), { idempotencyKey: bad }),
        sink.append(auditEvent(3)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const refused = (results[1] as PromiseRejectedResult).reason as Error & { code: string };
      expect(refused.code).toBe('ERR_INVALID_ARG');
      expect(refused.message).not.toContain('P-');
      expect(await db.caseRefs(chain)).toEqual(['CASE-0', 'CASE-1', 'CASE-3']);
    },
  );

  it('two keys that differ only by a lone surrogate are never merged into one record', async () => {
    const sink = db.sink('surrogates');
    const results = await Promise.allSettled([
      sink.append(auditEvent(1), { idempotencyKey: 'k\ud800' }),
      sink.append(auditEvent(2), { idempotencyKey: 'k\udc00' }),
      sink.append(auditEvent(3), { idempotencyKey: 'k\ufffd' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await db.caseRefs('surrogates')).toEqual(['CASE-3']);
  });

  it('event text with U+0000 and lone surrogates is kept exactly and verifies (sizes are bounded up front)', async () => {
    const sink = db.sink('text');
    const odd = `a\u0000b\ud800c\udfffd${'ก'.repeat(1_000)}`;
    await expect(sink.append(auditEvent(0, { purpose: 'x'.repeat(5_000_000) }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await sink.append(auditEvent(1, { purpose: odd, caseRef: 'CASE-\u0000' }));
    const v = await db.verify('text');
    expect(v.errors).toEqual([]);
    expect(v.records[0]?.purpose).toBe(odd);
    expect(v.records[0]?.caseRef).toBe('CASE-\u0000');
  });
});
