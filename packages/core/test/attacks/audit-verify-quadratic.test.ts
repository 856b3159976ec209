// Attack class: a log written to stall its own verification. Whoever can write the log file (the one person the
// chain is meant to catch) wants `thgov audit verify` never to report. Two steps of the verifier were quadratic in
// lines the attacker writes without any key:
// - every gap in the seqs counted the unreadable lines between its two records by scanning all of them:
//   n empty lines and n records with gaps cost n² (200 000 of each: tens of CPU seconds; a 100 MB log: days);
// - two records claiming one seq looked for the genuine one by comparing each candidate with every record of the
//   next seq: n forged seq-1 lines beside n copies of a real seq-2 line cost n².
// Both are now near-linear; every record is still reported as before.
import { cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { verifyAuditLogText } from '../../src/audit/verify.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../helpers/audit.js';

/** Generous: the linear work takes a few seconds of CPU on a loaded machine; the quadratic one ten times that. */
const CPU_LIMIT_MS = 20_000;

describe('verifying a log built to be slow', () => {
  it('200 000 gaps among 200 000 unreadable lines: bounded, and every gap reported', () => {
    const n = 200_000;
    const lines: string[] = [];
    for (let i = 1; i <= n; i++) lines.push('', `{"seq":${2 * i}}`);
    const text = `${lines.join('\n')}\n`;
    let result: ReturnType<typeof verifyAuditLogText> | undefined;
    const ms = cpuMsOf(() => {
      result = verifyAuditLogText(text);
    });
    expect(ms).toBeLessThan(CPU_LIMIT_MS);
    expect(result?.ok).toBe(false);
    // One unreadable line explains each one-record gap: no record is called deleted.
    expect(result?.errors.filter((e) => e.kind === 'deleted')).toEqual([]);
    expect(result?.errors.filter((e) => e.kind === 'malformed')).toHaveLength(2 * n);
  });

  it('the gap count still tells deleted records from unreadable ones (guard)', () => {
    const text = ['', '{"seq":2}', '{"seq":5}', '', '', '{"seq":8}', '{"seq":11}'].join('\n');
    const deleted = verifyAuditLogText(`${text}\n`).errors.filter((e) => e.kind === 'deleted');
    expect(deleted.map((e) => e.seq)).toEqual([5, 11]);
  });

  it('40 000 forged seq-1 lines beside 40 000 copies of a real seq-2 record: bounded, each one reported', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
    await sink.append(auditEvent(1));
    await sink.append(auditEvent(2));
    const second = sink.text().split('\n')[1] as string;
    const n = 40_000;
    const lines: string[] = [];
    for (let i = 1; i <= n; i++) lines.push(`{"seq":1,"n":${i}}`, second);
    const text = `${lines.join('\n')}\n`;
    let result: ReturnType<typeof verifyAuditLogText> | undefined;
    const ms = cpuMsOf(() => {
      result = verifyAuditLogText(text, { keys: [CHAIN_KEY] });
    });
    expect(ms).toBeLessThan(CPU_LIMIT_MS);
    expect(result?.ok).toBe(false);
    expect(result?.errors.filter((e) => e.kind === 'inserted')).toHaveLength(2 * (n - 1));
  });
});
