// Attack/quirk: a citizen ID given as a number. `extra` takes numbers, and a 13-digit Thai ID is a safe integer
// (1103700012345 < 2^53): a caller passing a database column typed bigint-as-number (`extra: { requester: row.pid }`),
// or a phone number read as a number, had it written into the append-only log in clear, where no redaction can
// ever reach it again. Strings in the same place were redacted; numbers went through untouched. A number is now
// redacted by what its decimal spelling would be (latencyInMs, a typed number, is refused instead); harmless
// numbers (counts, amounts, codes) stay numbers.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { completeThaiId } from '../../src/index.js';
import { anchorOf, auditDir, CHAIN_KEY, SUBJECT_SECRET, sinkAt } from '../helpers/audit.js';

const base = { who: 'batch-system', service: 'gdx', status: 'ok' as const };
const sink = () => new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
const CITIZEN = completeThaiId('110370012345');
const dirs = auditDir('audit-numeric');
afterAll(() => dirs.cleanup());

describe('numbers in audit extra', () => {
  it('a citizen ID given as a number is never written in clear (memory sink)', async () => {
    const s = sink();
    await s.append({ ...base, extra: { requester: Number(CITIZEN), beneficiary: -Number(CITIZEN) } });
    expect(s.text()).not.toContain(CITIZEN);
    const extra = s.records[0]?.extra ?? {};
    expect(extra.requester).not.toBe(Number(CITIZEN));
    expect(String(extra.requester)).not.toContain(CITIZEN);
    expect(String(extra.beneficiary)).not.toContain(CITIZEN);
  });

  it('nor into the file a FileAuditSink writes, which still verifies', async () => {
    const path = dirs.fresh();
    const s = sinkAt(path);
    await s.append({ ...base, extra: { ref: Number(CITIZEN), count: 3 } });
    await s.close();
    expect(readFileSync(path, 'utf8')).not.toContain(CITIZEN);
    const v = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], anchor: await anchorOf(path) });
    expect(v.ok).toBe(true);
    expect(v.records[0]?.extra?.count).toBe(3);
  });

  it('latencyInMs holding a citizen ID is refused (a typed number cannot carry a mask), not written', async () => {
    const s = sink();
    const err = await s.append({ ...base, latencyInMs: Number(CITIZEN) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((err as Error).message).not.toContain(CITIZEN);
    expect(s.records.length).toBe(0);
    await s.append({ ...base, latencyInMs: 1234.5 });
    expect(s.records[0]?.latencyInMs).toBe(1234.5);
  });

  it('ordinary numbers stay numbers: counts, amounts, codes, a 13-digit number that is no ID', async () => {
    // The check digit of CITIZEN, changed: 13 digits, but no valid Thai ID.
    const notAnId = Number(CITIZEN.slice(0, 12) + String((Number(CITIZEN[12]) + 1) % 10));
    const s = sink();
    const extra = { rows: 1200, amount: 1234.5, httpStatus: 503, zero: 0, negative: -7, notAnId };
    await s.append({ ...base, extra });
    expect(s.records[0]?.extra).toEqual(extra);
  });
});
