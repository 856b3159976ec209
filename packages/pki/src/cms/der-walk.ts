/**
 * A small, strict walker over the outer layers of a CMS ContentInfo: it finds where each part of a SignedData
 * lies without building any ASN.1 tree, so that the certificate set can be handed to the certificate cache as
 * the DER slices it is, and only the rest parsed by asn1js. Definite lengths must be minimal (DER); a
 * constructed layer may use BER's indefinite length (streaming encoders write the outer layers so), closed by
 * exactly `00 00`. Anything else (high tag numbers, lengths over 4 bytes, a part running past its parent,
 * nesting deeper than MAX_DEPTH) makes it give up: the caller then parses the whole as before.
 */

/** One tag-length-value: its first tag byte, and where it starts, its value starts and it ends. */
export interface Tlv {
  tag: number;
  start: number;
  valueStart: number;
  /** Just after the value (after the closing `00 00` for an indefinite length). */
  end: number;
  /** Where the value ends: `end`, or the start of the closing `00 00`. */
  valueEnd: number;
}

const MAX_DEPTH = 16;

/** The minimal long-form length at `p` of `n` bytes; undefined when not minimal. */
function longLength(buf: Uint8Array, p: number, n: number): number | undefined {
  if (n > 4 || buf[p] === 0) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
  return len < 0x80 ? undefined : len;
}

/** The TLV at `at`, ending at or before `limit`; undefined when it is not one this walker accepts. */
export function readTlv(buf: Uint8Array, at: number, limit: number, depth = 0): Tlv | undefined {
  if (depth > MAX_DEPTH || at + 2 > limit) return undefined;
  const tag = buf[at]!;
  const first = buf[at + 1]!;
  if (tag === 0 || (tag & 0x1f) === 0x1f) return undefined;
  if (first === 0x80) {
    if ((tag & 0x20) === 0) return undefined;
    const valueEnd = skipToEndOfContents(buf, at + 2, limit, depth + 1);
    return valueEnd === undefined
      ? undefined
      : { tag, start: at, valueStart: at + 2, valueEnd, end: valueEnd + 2 };
  }
  const n = first & 0x7f;
  if (first > 0x80 && at + 2 + n > limit) return undefined;
  const len = first < 0x80 ? first : longLength(buf, at + 2, n);
  const valueStart = at + 2 + (first < 0x80 ? 0 : n);
  if (len === undefined || valueStart + len > limit) return undefined;
  return { tag, start: at, valueStart, valueEnd: valueStart + len, end: valueStart + len };
}

/** Where the `00 00` closing an indefinite-length value that starts at `at` lies. */
function skipToEndOfContents(buf: Uint8Array, at: number, limit: number, depth: number): number | undefined {
  let p = at;
  while (p + 2 <= limit) {
    if (buf[p] === 0) return buf[p + 1] === 0 ? p : undefined;
    const child = readTlv(buf, p, limit, depth);
    if (!child) return undefined;
    p = child.end;
  }
  return undefined;
}

/** The TLVs inside a constructed `parent`, filling its value exactly; undefined when they do not. */
export function childrenOf(buf: Uint8Array, parent: Tlv, depth = 0): Tlv[] | undefined {
  if ((parent.tag & 0x20) === 0) return undefined;
  const out: Tlv[] = [];
  let p = parent.valueStart;
  while (p < parent.valueEnd) {
    const child = readTlv(buf, p, parent.valueEnd, depth + 1);
    if (!child) return undefined;
    out.push(child);
    p = child.end;
  }
  return out;
}

/** DER of the OID id-signedData (1.2.840.113549.1.7.2). */
const SIGNED_DATA_OID = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Whether `buf` holds only zero bytes from `from` on (a signature's /Contents is padded so). */
function zerosFrom(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The parts of the SignedData in a ContentInfo `SEQUENCE { id-signedData, [0] EXPLICIT SEQUENCE {...} }` that
 * fills `buf` up to zero bytes; undefined for any other shape.
 */
export function signedDataParts(buf: Uint8Array): Tlv[] | undefined {
  const ci = readTlv(buf, 0, buf.length);
  if (ci?.tag !== 0x30 || !zerosFrom(buf, ci.end)) return undefined;
  const [oid, explicit, ...rest] = childrenOf(buf, ci) ?? [];
  if (!oid || !explicit || rest.length > 0 || explicit.tag !== 0xa0) return undefined;
  if (!sameBytes(buf.subarray(oid.start, oid.end), SIGNED_DATA_OID)) return undefined;
  const [sd, ...more] = childrenOf(buf, explicit, 1) ?? [];
  if (sd?.tag !== 0x30 || more.length > 0) return undefined;
  return childrenOf(buf, sd, 2);
}
