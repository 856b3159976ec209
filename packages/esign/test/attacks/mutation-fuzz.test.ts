// Attack class: arbitrary byte-level mutation of an esign-signed document (seeded, bounded fuzzing). Whatever
// an attacker flips, inserts, cuts or appends, verification ends in a report (never a crash or a hang — the
// verifier's own time limit bounds each run) and a document whose signed bytes changed never passes.
import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { signedFixture } from '../helpers/tamper.js';

/** mulberry32: a small seeded PRNG, so that every run mutates the same way. */
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

const TOKENS = ['obj', 'endobj', 'stream', 'endstream', 'xref', 'trailer', 'startxref', '%%EOF', '<<', '>>'];
const MORE = ['[', ']', '/ByteRange', '/Contents', ' R ', '0 0 obj', '99999999', '-1', '(', ')', '/DSS'];
const ALL = [...TOKENS, ...MORE];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = Buffer.from(src);
  const at = Math.floor(rnd() * b.length);
  const pick = Math.floor(rnd() * 5);
  if (pick === 0) {
    const c = Buffer.from(b);
    c[at] = (c[at]! ^ (1 << Math.floor(rnd() * 8))) & 0xff;
    return new Uint8Array(c);
  }
  if (pick === 1) {
    const token = Buffer.from(ALL[Math.floor(rnd() * ALL.length)]!);
    return new Uint8Array(Buffer.concat([b.subarray(0, at), token, b.subarray(at)]));
  }
  if (pick === 2) {
    const cut = Math.min(b.length, at + 1 + Math.floor(rnd() * 64));
    return new Uint8Array(Buffer.concat([b.subarray(0, at), b.subarray(cut)]));
  }
  if (pick === 3) return new Uint8Array(b.subarray(0, at));
  const c = Buffer.from(b);
  for (let i = at; i < Math.min(c.length, at + 8); i++)
    if (c[i]! >= 0x30 && c[i]! <= 0x39) c[i] = 0x30 + Math.floor(rnd() * 10);
  return new Uint8Array(c);
}

/** True when a byte the signature covers differs (a length change always counts). */
function signedBytesChanged(orig: Uint8Array, m: Uint8Array, gap: [number, number]): boolean {
  if (orig.length !== m.length) return true;
  for (let i = 0; i < orig.length; i++) if (orig[i] !== m[i] && (i < gap[0] || i >= gap[1])) return true;
  return false;
}

const { pki, pdf } = await signedFixture('B-T');
const options = {
  trustAnchors: [pki.root.cert],
  revocation: { crls: pki.crls },
  limits: { timeInMs: 3_000 },
};
const baseline = await verifyPdfSignatures(pdf, options);
const br = baseline.signatures[0]!.byteRange!;
const gap: [number, number] = [br[1]!, br[2]!];

describe('seeded, bounded fuzzing of an esign B-T document', () => {
  it('the unmutated document passes (so the fuzz results mean something)', () => {
    expect(baseline.indication).toBe('TOTAL_PASSED');
  });

  it.each([1, 2])(
    'seed %i: 250 mutations, each a report, never TOTAL_PASSED after a signed byte changed',
    async (seed) => {
      const rnd = prng(seed * 7919);
      let passed = 0;
      for (let i = 0; i < 250; i++) {
        const m = mutate(pdf, rnd);
        const r = await verifyPdfSignatures(m, options);
        expect(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE', 'NO_SIGNATURE_FOUND']).toContain(
          r.indication,
        );
        if (r.indication === 'TOTAL_PASSED') {
          passed++;
          expect(signedBytesChanged(pdf, m, gap), `seed ${seed} mutation ${i}`).toBe(false);
        }
      }
      // Most mutations are caught; a few land in unused /Contents padding and are harmless.
      expect(passed).toBeLessThan(50);
    },
    180_000,
  );
});
