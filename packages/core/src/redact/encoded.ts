import { findCitizenIds } from './citizen-id.js';

/** Character classes: 1 a base64 character (standard and URL-safe alphabets, RFC 4648 §4 and §5), 3 also hex. */
const CLASS = new Uint8Array(128);
for (const c of 'GHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz+/_-') CLASS[c.charCodeAt(0)] = 1;
for (const c of '0123456789ABCDEFabcdef') CLASS[c.charCodeAt(0)] = 3;

/** The fewest base64 characters that decode to 13 bytes, the fewest a citizen ID takes (hex needs 26). */
const MIN_RUN = 18;

/** Most bytes between two digits of one spelled citizen ID: separators, a UTF-16 NUL, `&#x3`, `\u003`, `%3`. */
const MAX_GAP = 8;

/**
 * Spans `[start, end)` of base64 or hex runs in `text` that hold a citizen ID once decoded: a request or SOAP body a
 * server echoes in base64, a basic-auth or X-Road header, an ID hex-dumped. A run is a maximal stretch of base64
 * characters (with its `=` padding); hex is a run of hex digits only. The decoded bytes are searched for clusters of
 * 13 digits (ASCII, Thai or fullwidth, in UTF-8 or as UTF-16 ASCII) and each cluster is read, as UTF-8 with NULs
 * dropped, in any spelling `findCitizenIds` knows, check digit included. The whole run is masked: the ID may sit at
 * any offset of the bytes it encodes. One pass over the text and the decoded bytes: random bytes almost never form a
 * cluster.
 */
export function findEncodedCitizenIds(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = 0;
  let hex = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const cls = c < 128 ? (CLASS[c] as number) : 0;
    if (cls !== 0) {
      hex &&= cls === 3;
      continue;
    }
    let end = i;
    while (end < text.length && end - i < 2 && text.charCodeAt(end) === 0x3d) end++;
    if (i - start >= MIN_RUN && encodesCitizenId(text.slice(start, i), hex)) spans.push([start, end]);
    i = end > i ? end - 1 : i;
    start = i + 1;
    hex = true;
  }
  return spans;
}

function encodesCitizenId(run: string, hex: boolean): boolean {
  return (
    holdsCitizenId(Buffer.from(run, 'base64')) ||
    (hex && run.length % 2 === 0 && run.length >= 26 && holdsCitizenId(Buffer.from(run, 'hex')))
  );
}

/**
 * Whether `b` holds a citizen ID: each cluster of at least 13 digits, each within `MAX_GAP` bytes of the one before,
 * is read with a margin on both sides.
 */
function holdsCitizenId(b: Uint8Array): boolean {
  let count = 0;
  let start = 0;
  let end = -MAX_GAP - 1;
  for (let i = 0; i <= b.length; i++) {
    const width = i < b.length ? digitWidth(b, i) : 0;
    if (width === 0 && i < b.length) continue;
    if (i - end > MAX_GAP || i === b.length) {
      if (count >= 13 && clusterIsCitizenId(b, start, end)) return true;
      count = 0;
      start = i;
    }
    count++;
    end = i + width;
    i += Math.max(width - 1, 0);
  }
  return false;
}

function clusterIsCitizenId(b: Uint8Array, start: number, end: number): boolean {
  const window = Buffer.from(b.buffer, b.byteOffset, b.byteLength).subarray(
    Math.max(0, start - 2 * MAX_GAP),
    end + 2 * MAX_GAP,
  );
  return findCitizenIds(window.toString('utf8').replaceAll('\0', '')).length > 0;
}

/** Bytes of the digit at `i` in UTF-8: an ASCII digit (1), a Thai (U+0E50–59) or fullwidth (U+FF10–19) one (3); else 0. */
function digitWidth(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c >= 0x30 && c <= 0x39) return 1;
  if ((c !== 0xe0 || b[i + 1] !== 0xb9) && (c !== 0xef || b[i + 1] !== 0xbc)) return 0;
  const d = b[i + 2] ?? 0;
  return d >= 0x90 && d <= 0x99 ? 3 : 0;
}
