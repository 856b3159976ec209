import { describe, expect, it } from 'vitest';
import { changedOutsideGap, mutateBytes, PDF_FUZZ_TOKENS, prng } from '../src/index.js';

const DOC = new Uint8Array(
  Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Count 12345678 >> endobj\n%%EOF\n'),
);

describe('seeded PDF fuzzing helpers', () => {
  it('prng: the same seed gives the same sequence in [0, 1), another seed another one', () => {
    const a = prng(7919);
    const b = prng(7919);
    const seqA = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
    expect(Array.from({ length: 50 }, prng(2 * 7919))).not.toEqual(seqA);
  });

  it('mutateBytes: deterministic per seed, never changes its input, and the mutations differ from it', () => {
    const copy = new Uint8Array(DOC);
    const run = (opts: Parameters<typeof mutateBytes>[2]) => {
      const rnd = prng(3);
      return Array.from({ length: 200 }, () => Buffer.from(mutateBytes(DOC, rnd, opts)).toString('latin1'));
    };
    const first = run({});
    expect(run({})).toEqual(first);
    expect(DOC).toEqual(copy);
    // Nearly every mutation changes the document (a digit rewritten to itself or a flip-free run may not).
    const changed = first.filter((m) => m !== Buffer.from(DOC).toString('latin1')).length;
    expect(changed).toBeGreaterThan(150);
    // Without appendTail nothing grows past one inserted token; with it, tails are appended.
    const longest = Math.max(...PDF_FUZZ_TOKENS.map((t) => t.length));
    for (const m of first) expect(m.length).toBeLessThanOrEqual(DOC.length + longest);
    expect(run({ appendTail: true }).some((m) => m.length > DOC.length + longest)).toBe(true);
    // Insertions pick from the tokens given.
    const only = run({ tokens: ['@@MARK@@'] });
    expect(only.some((m) => m.includes('@@MARK@@'))).toBe(true);
  });

  it('changedOutsideGap: a change inside the gap does not count, one outside or a length change does', () => {
    const gap: [number, number] = [10, 20];
    const inside = new Uint8Array(DOC);
    inside[15] = 0x41;
    expect(changedOutsideGap(DOC, inside, gap)).toBe(false);
    expect(changedOutsideGap(DOC, new Uint8Array(DOC), gap)).toBe(false);
    const before = new Uint8Array(DOC);
    before[9] = (before[9] ?? 0) ^ 1;
    expect(changedOutsideGap(DOC, before, gap)).toBe(true);
    const atEnd = new Uint8Array(DOC);
    atEnd[20] = (atEnd[20] ?? 0) ^ 1;
    expect(changedOutsideGap(DOC, atEnd, gap)).toBe(true);
    expect(changedOutsideGap(DOC, DOC.subarray(0, DOC.length - 1), gap)).toBe(true);
  });
});
