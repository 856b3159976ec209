import { lazyRegExp } from '../lazy-regexp.js';
import { type DigitGroup, forEachDigitRun, forEachWindow, isGlue } from './digit-runs.js';

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
 *   08, 09), or the same without the `0` after `+66` or `0066`. Digits and separators are read as citizen IDs
 *   are (digit-runs.ts): Thai, full-width or encoded digits, groups split by spaces, dashes of any kind or dots,
 *   but not `/` or `_` (a path, a file name, a document number such as `0808.2/12345`). Not when glued to a
 *   Latin letter, a digit or `+`/`/` (a longer number, a serial, a path; Thai letters may touch it, Thai is
 *   written without spaces), nor after a digit and a point or comma, nor a lone `0` and a point (decimals).
 *   Written as bare digits (`0812345678`) it is also a 10-digit e-CMS department code (ministry 08), an account
 *   or a serial: masked only after a telephone word (tel, phone, mobile, fax, call, โทร, มือถือ, เบอร์, ติดต่อ) a
 *   few characters before it.
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

// A country code written before the national number with its `0` (`+66 0812345678`) counts as such a word.
// A string, not a literal: the build writes its Thai as \u escapes, and the module stays one-byte text (faster to parse).
const PHONE_WORD = lazyRegExp(
  '(?:tel|phone|mobile|fax|call|โทร|มือถือ|เบอร์|ติดต่อ|\\+66|0066)[^\\r\\n\\d]{0,24}$',
  'iu',
);
/** How far before bare digits a telephone word is looked for. */
const PHONE_WORD_REACH = 40;
/** Digits of a national number after its `0` or country code: a mobile (6, 8, 9 and 8 more), a fixed line (7 more). */
const NATIONAL = /^(?:[689]\d{8}|[2-57]\d{7})$/;

/**
 * `text` with every Thai telephone number replaced by {@link PHONE_MASK} (bare digits only after a telephone word).
 * Digits and separators are read as citizen IDs are (digit-runs.ts): Thai and full-width digits, dots, dashes of
 * any kind, non-breaking spaces, percent-, JSON- and HTML-encoded digits.
 */
export function maskPhoneNumbers(text: string): string {
  const spans: Array<[number, number]> = [];
  const view = text.includes('(') ? unbracketed(text) : text;
  forEachDigitRun(view, 9, ({ groups }) => {
    forEachWindow(groups, 9, 14, (s, e, digits) => {
      const first = groups[s] as DigitGroup;
      const last = groups[e - 1] as DigitGroup;
      if (!isPhone(view, first, last, digits, e - s > 1)) return undefined;
      spans.push([leadStart(text, first.start, last.end), last.end]);
      return true;
    });
  });
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + PHONE_MASK;
    at = end;
  }
  return spans.length === 0 ? text : out + text.slice(at);
}

/**
 * Brackets around an area code or a country code (`(02) 123 4567`, `(+66) 81-234-5678`, `+66 (0) 81 …`) read as
 * spaces: the same length, so spans found in the view are the text's. Only a pair around a few digits (a sign and
 * spaces allowed), its `(` not glued to a word before it (a call, `f(02)`).
 */
const PHONE_BRACKET = lazyRegExp(String.raw`(?<![A-Za-z_])\(([+\uff0b]?\p{Nd}[\p{Nd} \u00a0-]{0,7})\)`, 'gu');
const NUMBER_CHAR = lazyRegExp(String.raw`\p{N}`, 'u');
const unbracketed = (text: string) => text.replace(PHONE_BRACKET(), ' $1 ');

/** Where the mask of a number starts: over the `+` and the `(` written before its first digit (when it closes it). */
function leadStart(text: string, start: number, end: number): number {
  let at = start;
  if (text[at - 1] === '+' || text[at - 1] === '\uff0b') at--;
  if (text[at - 1] === '(' && text.slice(at, end).includes(')')) at--;
  return at;
}

/** Whether the digits of groups `first`…`last` are a telephone number where they stand. */
function isPhone(
  text: string,
  first: DigitGroup,
  last: DigitGroup,
  digits: string,
  grouped: boolean,
): boolean {
  const before = unitBefore(text, first.start);
  const plus = before === 0x2b || before === 0xff0b;
  const international = (plus && digits.startsWith('66')) || digits.startsWith('0066');
  let national = international ? digits.slice(digits.startsWith('66') ? 2 : 4) : digits.slice(1);
  // The trunk `0` kept after the country code (`+66 (0) 81 234 5678`, `+66 0 2 123 4567`).
  if (international && grouped && national[0] === '0') national = national.slice(1);
  if ((!international && digits[0] !== '0') || !NATIONAL.test(national)) return false;
  // Glued to a word, a path or a `+` before, or to a word after: a serial, a path segment, a longer number.
  if (isGlue(before) || (!international && (plus || before === 0x2f)) || isGlue(unitAfter(text, last.end)))
    return false;
  // A decimal: `1.0812345678` or `0.812345678`.
  if (isDecimalPoint(text.charCodeAt(first.start - 1)) && NUMBER_CHAR().test(text[first.start - 2] ?? ''))
    return false;
  if (grouped && first.digits === '0' && isDecimalPoint(text.charCodeAt(first.end))) return false;
  // A path, a file name or a government document number (`0808.2/12345`) is split by `/` or `_`.
  if (grouped && NOT_PHONE_SEPARATOR.test(text.slice(first.start, last.end))) return false;
  if (grouped || international) return true;
  return PHONE_WORD().test(text.slice(Math.max(0, first.start - PHONE_WORD_REACH), first.start));
}

const isDecimalPoint = (c: number) => c === 0x2e || c === 0x2c;
const NOT_PHONE_SEPARATOR = /[/_]/;

const ESCAPE_BEFORE = /(?:%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|&#(\d{1,7});|&#[xX]([0-9A-Fa-f]{1,6});)$/;
const ESCAPE_AFTER = /^(?:%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|&#(\d{1,7});|&#[xX]([0-9A-Fa-f]{1,6});)/;

function escaped(m: RegExpExecArray | null): number | undefined {
  if (!m) return undefined;
  const [, pct, json, dec, hex] = m;
  const cp = pct
    ? Number.parseInt(pct, 16)
    : json || hex
      ? Number.parseInt((json ?? hex) as string, 16)
      : Number(dec);
  return cp <= 0x10ffff ? cp : undefined;
}

/** The character before `at`, an escape (`%20`, `\u0020`, `&#32;`) read as what it stands for; -1 at the start. */
function unitBefore(text: string, at: number): number {
  if (at === 0) return -1;
  return (
    escaped(ESCAPE_BEFORE.exec(text.slice(Math.max(0, at - 10), at))) ?? (text.codePointAt(at - 1) as number)
  );
}

/** The character at `at`, an escape read as what it stands for; -1 at the end. */
function unitAfter(text: string, at: number): number {
  if (at >= text.length) return -1;
  return escaped(ESCAPE_AFTER.exec(text.slice(at, at + 10))) ?? (text.codePointAt(at) as number);
}
