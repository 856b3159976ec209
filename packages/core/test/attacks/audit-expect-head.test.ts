// Quirk: a head "recorded elsewhere" that names no head. `expectHead` is how a caller checks the log against a copy
// of `sink.head()` kept on another system; giving it also silences the `no-anchor` warning, so a result with no
// errors and no warnings reads as proof that nothing was cut. Only the types of seq and hash were checked:
// `{ seq: NaN }`, `{ seq: -1 }` or `{ seq: 0, hash: <any> }` compared with nothing, and a log cut from 3 records to
// 1 verified "ok" with no warning at all; a fractional seq or a hash that is no lower-case SHA-256 was compared as if
// it named a record. Such a head is now refused as what it is, a bad argument (ERR_INVALID_ARG).
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { verifyAuditLogText } from '../../src/audit/verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

async function logOf(n: number) {
  const sink = new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
  for (let i = 1; i <= n; i++) await sink.append(auditEvent(i));
  return { text: sink.text(), head: sink.head() };
}

describe('verifyAuditLogText expectHead', () => {
  it.each([
    ['seq NaN', { seq: Number.NaN }],
    ['seq negative', { seq: -1 }],
    ['seq fractional', { seq: 1.5 }],
    ['seq infinite', { seq: Number.POSITIVE_INFINITY }],
    ['hash not hex', { hash: 'not-a-sha-256' }],
    ['hash upper case', { hash: 'A'.repeat(64) }],
    ['seq 0 with a hash other than genesis', { seq: 0 }],
  ])('a head with %s is refused, never a silent pass on a cut log', async (_, change) => {
    const { text, head } = await logOf(3);
    const cut = text.split('\n').slice(0, 1).join('\n').concat('\n');
    let outcome: unknown;
    try {
      outcome = verifyAuditLogText(cut, { keys: [CHAIN_KEY], expectHead: { ...head, ...change } });
    } catch (err) {
      outcome = err;
    }
    expect(outcome).toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('a real head, and the genesis head of an empty log, are accepted (guard)', async () => {
    const { text, head } = await logOf(3);
    expect(verifyAuditLogText(text, { keys: [CHAIN_KEY], expectHead: head })).toMatchObject({
      ok: true,
      warnings: [],
    });
    const cut = text.split('\n').slice(0, 2).join('\n').concat('\n');
    const r = verifyAuditLogText(cut, { keys: [CHAIN_KEY], expectHead: head });
    expect(r.errors.map((e) => e.kind)).toEqual(['deleted']);
    expect(verifyAuditLogText('', { expectHead: { seq: 0, hash: GENESIS_HASH } }).ok).toBe(true);
  });
});
