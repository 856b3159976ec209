/**
 * E-mail addresses and Thai telephone numbers in free text. Both are personal data (PDPA) that servers put in
 * sentences (an OIDC `error_description`, a CKAN validation message, an echoed form), where no key name says
 * what they are.
 *
 * - An e-mail address: a local part of `A-Z a-z 0-9 . _ % + -`, `@`, and a domain of two labels or more whose
 *   last label is 2 to 63 letters (so `pkijs@3.2.4`, `@thgov/core` and `git@127.0.0.1` are not addresses).
 *   Read outwards from each `@`: the local part and the domain hold no `@`, so each character is read at most
 *   twice whatever the text.
 * - A Thai telephone number (NBTC's plan): `0` then 8 digits (a fixed line: 02, 053, …) or 9 (a mobile: 06,
 *   08, 09), or the same without the `0` after `+66` or `0066`; single spaces or hyphens between digits. Not
 *   when glued to a letter, a digit or `+`/`/` (a longer number, a serial, a path), nor after a digit and a
 *   point or comma (a decimal). Written as bare digits (`0812345678`) it is also a 10-digit e-CMS department code
 *   (ministry 08), an account or a serial: masked only after a telephone word (tel, phone, mobile, fax, call,
 *   โทร, มือถือ, เบอร์, ติดต่อ) a few characters before it.
 */

export const EMAIL_MASK = '[EMAIL]';
export const PHONE_MASK = '[PHONE]';

const isLocalChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x2e ||
  c === 0x5f ||
  c === 0x25 ||
  c === 0x2b ||
  c === 0x2d;
const isLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDomainChar = (c: number) => isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;

/** End of the address's domain that starts at `from` (after `@`), or -1 when it is not a domain name. */
function domainEnd(text: string, from: number): number {
  let end = from;
  let lastDot = -1;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (!isDomainChar(c)) break;
    if (c === 0x2e) lastDot = end;
  }
  // A sentence's full stop or a dash after the address is not part of it.
  while (end > from && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  if (lastDot >= end - 1) for (lastDot = end - 1; lastDot > from && text[lastDot] !== '.'; ) lastDot--;
  if (lastDot <= from || text[from] === '.' || text[from] === '-') return -1;
  const tld = end - lastDot - 1;
  if (tld < 2 || tld > 63) return -1;
  for (let i = lastDot + 1; i < end; i++) if (!isLetter(text.charCodeAt(i))) return -1;
  return end;
}

/** `text` with every e-mail address replaced by {@link EMAIL_MASK}. */
export function maskEmails(text: string): string {
  let at = text.indexOf('@');
  if (at < 0) return text;
  let out = '';
  let copied = 0;
  while (at >= 0) {
    let start = at;
    while (start > copied && isLocalChar(text.charCodeAt(start - 1))) start--;
    const end = start < at ? domainEnd(text, at + 1) : -1;
    if (end > 0) {
      out += text.slice(copied, start) + EMAIL_MASK;
      copied = end;
    }
    at = text.indexOf('@', Math.max(at + 1, copied));
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const SEP = '[ -]?';
const PHONE = new RegExp(
  `(?<![\\p{L}\\p{N}_+/]|\\p{N}[.,])(?:(?:\\+|00)66${SEP}|0)(?:[689](?:${SEP}\\d){8}|[2-57](?:${SEP}\\d){7})(?![\\p{L}\\p{N}_])`,
  'gu',
);

// A country code written before the national number with its `0` (`+66 0812345678`) counts as such a word.
const PHONE_WORD = /(?:tel|phone|mobile|fax|call|โทร|มือถือ|เบอร์|ติดต่อ|\+66|0066)[^\r\n\d]{0,24}$/iu;
/** How far before bare digits a telephone word is looked for. */
const PHONE_WORD_REACH = 40;

/** `text` with every Thai telephone number replaced by {@link PHONE_MASK} (bare digits only after a telephone word). */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE, (found: string, at: number) => {
    if (/[ +-]/.test(found) || found.startsWith('00')) return PHONE_MASK;
    return PHONE_WORD.test(text.slice(Math.max(0, at - PHONE_WORD_REACH), at)) ? PHONE_MASK : found;
  });
}
