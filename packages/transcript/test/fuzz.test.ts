import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures, verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

/** mulberry32: small seeded PRNG so every run mutates the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'obj',
  'endobj',
  'stream',
  'endstream',
  'xref',
  'trailer',
  'startxref',
  '%%EOF',
  '<<',
  '>>',
  '[',
  ']',
  '/ByteRange',
  '/Contents',
  ' R ',
  '0 0 obj',
  '99999999',
  '-1',
  '(',
  ')',
];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = Buffer.from(src);
  const at = Math.floor(rnd() * b.length);
  switch (Math.floor(rnd() * 6)) {
    case 0: {
      const c = Buffer.from(b);
      c[at] = (c[at]! ^ (1 << Math.floor(rnd() * 8))) & 0xff;
      return new Uint8Array(c);
    }
    case 1:
      return new Uint8Array(
        Buffer.concat([
          b.subarray(0, at),
          Buffer.from(TOKENS[Math.floor(rnd() * TOKENS.length)]!),
          b.subarray(at),
        ]),
      );
    case 2:
      return new Uint8Array(
        Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rnd() * 64)))]),
      );
    case 3:
      return new Uint8Array(b.subarray(0, at));
    case 4: {
      const len = Math.floor(rnd() * 256);
      return new Uint8Array(Buffer.concat([b, b.subarray(at, at + len)]));
    }
    default: {
      const c = Buffer.from(b);
      for (let i = at; i < Math.min(c.length, at + 8); i++)
        if (c[i]! >= 0x30 && c[i]! <= 0x39) c[i] = 0x30 + Math.floor(rnd() * 10);
      return new Uint8Array(c);
    }
  }
}

function changedOutsideGap(orig: Uint8Array, m: Uint8Array, gap: [number, number]): boolean {
  if (orig.length !== m.length) return true;
  for (let i = 0; i < orig.length; i++) if (orig[i] !== m[i] && (i < gap[0] || i >= gap[1])) return true;
  return false;
}

const pki = await createTestPki();
const base = await issueGood(pki);
const trust = [pki.root.cert];
const baseline = await verifyTranscript(base, { trust });
const br = baseline.signatures[0]!.byteRange!;
const gap: [number, number] = [br[1]!, br[2]!];

describe('seeded, bounded fuzzing', () => {
  it('the unmutated file passes (so the fuzz results mean something)', () => {
    expect(baseline.indication).toBe('TOTAL_PASSED');
  });

  it.each([1, 2, 3, 4])(
    'seed %i: 500 mutations, no crash, no hang, never TOTAL_PASSED after a signed byte changed',
    async (seed) => {
      const rnd = prng(seed * 7919);
      let passed = 0;
      for (let i = 0; i < 500; i++) {
        const m = mutate(base, rnd);
        const started = Date.now();
        const strict = i % 2 === 0;
        const r = strict
          ? await verifyTranscript(m, { trust, limits: { timeInMs: 3_000 } })
          : await verifyPdfSignatures(m, { trust, limits: { timeInMs: 3_000 } });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE', 'NO_SIGNATURE_FOUND']).toContain(
          r.indication,
        );
        if (r.indication === 'TOTAL_PASSED') {
          passed++;
          expect(changedOutsideGap(base, m, gap), `seed ${seed} mutation ${i}`).toBe(false);
        }
      }
      // Most mutations must be caught; a few land in unused /Contents padding and are harmless.
      expect(passed).toBeLessThan(100);
    },
    120_000,
  );
});
