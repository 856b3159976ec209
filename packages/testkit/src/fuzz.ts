/**
 * Seeded, bounded byte-level fuzzing of signed documents (esign's and transcript's mutation fuzz tests): a
 * small PRNG so that every run mutates the same way, the mutations an attacker would try on a PDF, and the
 * check that a mutation touched the bytes a signature covers.
 */

/** mulberry32: a small seeded PRNG returning numbers in [0, 1); the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** PDF syntax worth inserting at a random place: object, stream, xref and signature-dictionary tokens. */
export const PDF_FUZZ_TOKENS: readonly string[] = [
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

export interface MutateOptions {
  /** The tokens an insertion picks from (default {@link PDF_FUZZ_TOKENS}). */
  tokens?: readonly string[];
  /** Also append a copy of up to 256 bytes from a random place (an incremental-update look-alike). */
  appendTail?: boolean;
}

/**
 * One random mutation of `src` (a new array; `src` is not changed): flip a bit, insert a token, cut up to 64
 * bytes, truncate, optionally append a tail, or rewrite up to 8 digits in place.
 */
export function mutateBytes(src: Uint8Array, rnd: () => number, options: MutateOptions = {}): Uint8Array {
  const tokens = options.tokens ?? PDF_FUZZ_TOKENS;
  const b = Buffer.from(src);
  const at = Math.floor(rnd() * b.length);
  const kinds = options.appendTail ? 6 : 5;
  const pick = Math.floor(rnd() * kinds);
  if (pick === 0) {
    const c = Buffer.from(b);
    c[at] = ((c[at] ?? 0) ^ (1 << Math.floor(rnd() * 8))) & 0xff;
    return new Uint8Array(c);
  }
  if (pick === 1) {
    const token = Buffer.from(tokens[Math.floor(rnd() * tokens.length)] ?? '');
    return new Uint8Array(Buffer.concat([b.subarray(0, at), token, b.subarray(at)]));
  }
  if (pick === 2) {
    const cut = Math.min(b.length, at + 1 + Math.floor(rnd() * 64));
    return new Uint8Array(Buffer.concat([b.subarray(0, at), b.subarray(cut)]));
  }
  if (pick === 3) return new Uint8Array(b.subarray(0, at));
  if (pick === 4 && options.appendTail) {
    const len = Math.floor(rnd() * 256);
    return new Uint8Array(Buffer.concat([b, b.subarray(at, at + len)]));
  }
  const c = Buffer.from(b);
  for (let i = at; i < Math.min(c.length, at + 8); i++) {
    const byte = c[i] ?? 0;
    if (byte >= 0x30 && byte <= 0x39) c[i] = 0x30 + Math.floor(rnd() * 10);
  }
  return new Uint8Array(c);
}

/**
 * True when a byte outside `gap` (the signature's /Contents hole, `[start, end)`) differs, or the length
 * changed: the signature covers every such byte, so the document must not verify any more.
 */
export function changedOutsideGap(
  orig: Uint8Array,
  mutated: Uint8Array,
  gap: readonly [number, number],
): boolean {
  if (orig.length !== mutated.length) return true;
  for (let i = 0; i < orig.length; i++)
    if (orig[i] !== mutated[i] && (i < gap[0] || i >= gap[1])) return true;
  return false;
}
