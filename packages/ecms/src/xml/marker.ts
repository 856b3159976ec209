import { randomUUID } from 'node:crypto';

/**
 * A placeholder prefix that no input can predict: 122 random bits, new for every document. It comes from
 * `randomUUID`, which draws on Node's entropy cache (one `randomFillSync` per 128 calls); `randomBytes(6)` made
 * one such call per document, about 3% of an inbox letter's CPU on PostgreSQL (two documents per letter).
 */
export const placeholderMarker = (kind: 'blob' | 'splice'): string =>
  `__thgov_${kind}_${randomUUID().replace(/-/g, '')}_`;

/**
 * `text` split at each placeholder `${marker}${index}__`: the text runs and, between them, each index, in
 * order. Anything else that starts with the marker stays text. A scan with indexOf: a RegExp made of the
 * marker, which is new for every document, was compiled anew for every document.
 */
export function splitAtPlaceholders(text: string, marker: string): (string | number)[] {
  const out: (string | number)[] = [];
  let last = 0;
  let at = text.indexOf(marker);
  while (at !== -1) {
    const digits = at + marker.length;
    let end = digits;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end > digits && text.startsWith('__', end)) {
      out.push(text.slice(last, at), Number(text.slice(digits, end)));
      last = end + 2;
      at = text.indexOf(marker, last);
    } else at = text.indexOf(marker, at + 1);
  }
  out.push(text.slice(last));
  return out;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
