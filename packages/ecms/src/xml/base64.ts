/**
 * Base64 between binary objects and XML bytes in chunks, so a 10 MB PDF never becomes a 13 MB string: the
 * chunk strings are small and short-lived, and the only large allocations are the document and the decoded
 * bytes themselves. On a machine that hands freed memory back to its host, every fresh multi-megabyte
 * allocation costs page faults, so each one avoided is time saved, not only memory.
 */

/** Bytes per encoded chunk: a multiple of 3, so no chunk but the last one has padding. */
const ENCODE_CHUNK = 3 * 16 * 1024;
/** Characters per decoded chunk: a multiple of 4. */
const DECODE_CHUNK = 4 * 16 * 1024;

/** The length of `byteLength` bytes in base64, padding included. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4;
}

/** Writes the base64 of `bytes` into `out` at `offset`; returns the number of characters written. */
export function writeBase64(out: Buffer, offset: number, bytes: Uint8Array): number {
  const src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = offset;
  for (let i = 0; i < src.length; i += ENCODE_CHUNK) {
    off += out.write(src.toString('base64', i, Math.min(i + ENCODE_CHUNK, src.length)), off, 'latin1');
  }
  return off - offset;
}

const EQUALS = 0x3d;

/**
 * Decodes canonical base64 held in `chars` (ASCII bytes, no whitespace, no entities), or returns undefined
 * for anything else: whitespace, a length that is not a multiple of 4, `=` anywhere but the last one or two
 * places, the URL-safe `-` and `_`, or any other character outside the alphabet. The caller then takes its
 * strict path, which explains the refusal. Node's decoder skips characters it does not understand, so a chunk
 * whose decoded length is what its character count promises contained only alphabet characters. That also
 * covers a stray `=` (it ends Node's decoding, so the chunk comes out short); only the URL-safe characters,
 * which Node decodes, need looking for.
 */
export function decodeCanonicalBase64(chars: Buffer): Buffer | undefined {
  const n = chars.length;
  if (n % 4 !== 0) return undefined;
  const pad = n === 0 ? 0 : chars[n - 1] !== EQUALS ? 0 : chars[n - 2] === EQUALS ? 2 : 1;
  if (chars.indexOf(0x2d) !== -1 || chars.indexOf(0x5f) !== -1) return undefined; // '-', '_'
  const out = Buffer.allocUnsafe((n / 4) * 3 - pad);
  let at = 0;
  for (let i = 0; i < n; i += DECODE_CHUNK) {
    const end = Math.min(i + DECODE_CHUNK, n);
    const expected = end === n ? ((end - i) / 4) * 3 - pad : ((end - i) / 4) * 3;
    const written = out.write(chars.toString('latin1', i, end), at, expected, 'base64');
    if (written !== expected) return undefined;
    at += written;
  }
  return at === out.length ? out : undefined;
}
