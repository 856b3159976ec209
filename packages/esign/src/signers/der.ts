/**
 * The few DER shapes a signer writes and reads itself (DigestInfo, RSASSA-PSS-params, ECDSA-Sig-Value), so
 * that key stores need no ASN.1 library. Lengths use the definite form, long when over 127 bytes.
 */

export function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

export function derTagged(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(1 + derLength(length).length + length);
  const head = [tag, ...derLength(length)];
  out.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return derTagged(0x30, ...parts);
}

/** A positive INTEGER from big-endian bytes: leading zeros dropped, one added when the top bit is set. */
function derUnsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const pad = (trimmed[0] ?? 0) & 0x80 ? Uint8Array.of(0) : new Uint8Array(0);
  return derTagged(0x02, pad, trimmed);
}

/**
 * PKCS#11 (CKM_ECDSA) and WebCrypto return ECDSA signatures as r‖s; CMS and CSC carry the DER
 * ECDSA-Sig-Value. `raw` must have an even length (two integers of the curve's size).
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return derSequence(derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half)));
}

/** Reads a DER tag-length header at `at`; returns the content bounds, or undefined when malformed. */
function readHeader(der: Uint8Array, at: number, tag: number): { start: number; end: number } | undefined {
  if (der[at] !== tag) return undefined;
  let length = der[at + 1];
  let start = at + 2;
  if (length === undefined) return undefined;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 2) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? Number.NaN);
    start += count;
  }
  const end = start + length;
  return Number.isFinite(end) && end <= der.length ? { start, end } : undefined;
}

/**
 * Reads a DER ECDSA-Sig-Value into r and s (as unsigned big integers), or undefined when the bytes are not
 * exactly one well-formed SEQUENCE of two INTEGERs.
 */
export function ecdsaDerToIntegers(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const seq = readHeader(der, 0, 0x30);
  if (!seq || seq.end !== der.length) return undefined;
  const r = readHeader(der, seq.start, 0x02);
  const s = r && readHeader(der, r.end, 0x02);
  if (!r || !s || s.end !== seq.end) return undefined;
  const toBig = (b: Uint8Array) => (b.length === 0 ? -1n : BigInt(`0x${Buffer.from(b).toString('hex')}`));
  return { r: toBig(der.subarray(r.start, r.end)), s: toBig(der.subarray(s.start, s.end)) };
}
