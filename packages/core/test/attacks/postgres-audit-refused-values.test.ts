// Attack class: values PostgreSQL refuses or mishandles, in the audit chain. The sink writes every append waiting
// at one moment in one transaction (group commit). An idempotency key holding U+0000 is refused by PostgreSQL's
// text type: the whole batch failed, and callers whose events were sound lost their records with it. A key with a
// lone UTF-16 surrogate was turned into U+FFFD by the driver, so two different keys became one and the second
// event was dropped as a "redone" operation. Such keys are now refused up front (ERR_INVALID_ARG, the key not
// echoed), before they join a batch. Event text with the same characters is JSON-escaped in the line and verifies.
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresAuditSink } from '../../src/postgres/audit-sink.js';
import { verifyPostgresAuditLog } from '../../src/postgres/audit-verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

const postgres = requirePostgres({ why: 'the audit chain against values PostgreSQL refuses' });

postgres.describe('PostgresAuditSink against values PostgreSQL refuses', () => {
  let url = '';
  beforeAll(async () => {
    url = (await testDatabase('core_audit_refused')).url;
  });
  const sinks: PostgresAuditSink[] = [];
  afterAll(() => Promise.all(sinks.map((s) => s.close())));
  const sinkFor = (chain: string) => {
    const sink = new PostgresAuditSink({
      connectionString: url,
      chain,
      hmacSecret: SUBJECT_SECRET,
      chainKey: CHAIN_KEY,
      migrate: true,
    });
    sinks.push(sink);
    return sink;
  };
  const caseRefs = async (chain: string) => {
    const v = await verifyPostgresAuditLog({ connectionString: url, chain, keys: [CHAIN_KEY] });
    expect(v.errors).toEqual([]);
    return v.records.map((r) => r.caseRef);
  };

  it.each([
    ['nul', 'received:P-\u00001'],
    ['high', 'received:P-\ud8001'],
    ['low', 'received:P-\udc001'],
  ])(
    'an idempotency key PostgreSQL cannot store (%s) is refused alone; the batch beside it lands',
    async (chain, bad) => {
      const sink = sinkFor(chain);
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
      expect(await caseRefs(chain)).toEqual(['CASE-0', 'CASE-1', 'CASE-3']);
    },
  );

  it('two keys that differ only by a lone surrogate are never merged into one record', async () => {
    const sink = sinkFor('surrogates');
    const results = await Promise.allSettled([
      sink.append(auditEvent(1), { idempotencyKey: 'k\ud800' }),
      sink.append(auditEvent(2), { idempotencyKey: 'k\udc00' }),
      sink.append(auditEvent(3), { idempotencyKey: 'k\ufffd' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await caseRefs('surrogates')).toEqual(['CASE-3']);
  });

  it('event text with U+0000 and lone surrogates is kept exactly and verifies (sizes are bounded up front)', async () => {
    const sink = sinkFor('text');
    const odd = `a\u0000b\ud800c\udfffd${'ก'.repeat(1_000)}`;
    await expect(sink.append(auditEvent(0, { purpose: 'x'.repeat(5_000_000) }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await sink.append(auditEvent(1, { purpose: odd, caseRef: 'CASE-\u0000' }));
    const v = await verifyPostgresAuditLog({ connectionString: url, chain: 'text', keys: [CHAIN_KEY] });
    expect(v.errors).toEqual([]);
    expect(v.records[0]?.purpose).toBe(odd);
    expect(v.records[0]?.caseRef).toBe('CASE-\u0000');
  });
});
