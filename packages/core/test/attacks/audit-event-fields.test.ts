// Attack/quirk: what an audit record says must be what happened.
// - `ts` was checked for its shape only: `2026-02-30T10:00:00Z`, `2026-04-31T…`, `…T24:30:00Z` were written as they
//   are, into an append-only record that can never be corrected (an impossible time, or one JavaScript reads as
//   another day: Date.parse takes Feb 30 for Mar 2). A caller copying a platform's timestamp should be told.
// - `extra` keys are redacted (a key may hold an ID); two keys that redact to the same one collapsed, the first
//   value silently dropped from the record.
import { describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { completeThaiId } from '../../src/index.js';
import { CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

const base = { who: 'batch-system', service: 'gdx', status: 'ok' as const };
const sink = () => new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });

describe('audit event ts', () => {
  it.each([
    '2026-02-30T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2026-01-01T24:30:00Z',
    '2026-01-01T23:60:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T00:00:00+24:00',
  ])('an impossible time %s is refused, not recorded', async (ts) => {
    const s = sink();
    const err = await s.append({ ...base, ts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(s.records.length).toBe(0);
  });

  it.each(['2024-02-29T23:59:59.999Z', '2026-12-31T00:00:00+07:00', '2026-06-01T12:00:00.123456789-03:30'])(
    'a real time %s is recorded as given',
    async (ts) => {
      const s = sink();
      await s.append({ ...base, ts });
      expect(s.records[0]?.ts).toBe(ts);
    },
  );
});

describe('audit event extra keys', () => {
  it('two keys that are the same once redacted are refused, not merged with a value lost', async () => {
    const a = completeThaiId('110370012345');
    const b = completeThaiId('110170023070');
    const s = sink();
    const err = await s
      .append({ ...base, extra: { [`ref_${a}`]: 'first', [`ref_${b}`]: 'second' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((err as Error).message).not.toContain(a);
    expect((err as Error).message).not.toContain(b);
    expect(s.records.length).toBe(0);
    // One such key alone is recorded, redacted.
    await s.append({ ...base, extra: { [`ref_${a}`]: 'first', other: 'x' } });
    expect(s.records[0]?.extra).toEqual({ 'ref_[CITIZEN-ID]': 'first', other: 'x' });
  });
});
