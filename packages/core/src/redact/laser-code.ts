import { lazyRegExp } from '../lazy-regexp.js';
import { type DigitGroup, forEachDigitRun, isGlue } from './digit-runs.js';

/**
 * Laser codes in free text: the code printed on the back of the ID card (two Latin letters and ten digits,
 * `JT1-1234567-89`), which DOPA's card check takes with the citizen ID, names and birth date, and which a server's
 * error sentence may quote. Digits and separators are read as citizen IDs are (digit-runs.ts: Thai and full-width
 * digits, any dash or space, encoded digits); the letters are ASCII or full-width, in either case, with at most one
 * dash before the digits. In the printed 1-7-2 grouping it is masked wherever it stands; ten digits grouped
 * otherwise (`JT1234567890`, an order or model number's shape too) only after a laser word a few characters before.
 */

/** What a laser code is replaced with. */
export const LASER_CODE_MASK = '[LASER-CODE]';

const LASER_DIGITS = 10;
const PRINTED_GROUPS = [1, 7, 2];
// A string, not a literal: the build writes its Thai as \u escapes (see PHONE_WORD in contact.ts).
const LASER_WORD = lazyRegExp('(?:laser|เลเซอร์|หลังบัตร)[^\\r\\n]{0,24}$', 'iu');
const LASER_WORD_REACH = 40;

/** `text` with every laser code replaced by {@link LASER_CODE_MASK}. */
export function maskLaserCodes(text: string): string {
  const spans: Array<[number, number]> = [];
  forEachDigitRun(text, LASER_DIGITS, ({ groups }) => {
    const span = laserSpan(text, groups);
    if (span) spans.push(span);
  });
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + LASER_CODE_MASK;
    at = end;
  }
  return spans.length === 0 ? text : out + text.slice(at);
}

/** The span of the laser code whose digits start `groups`, if they are one. */
function laserSpan(text: string, groups: readonly DigitGroup[]): [number, number] | undefined {
  let digits = 0;
  let e = 0;
  while (e < groups.length && digits < LASER_DIGITS) digits += (groups[e++] as DigitGroup).digits.length;
  const first = groups[0] as DigitGroup;
  const last = groups[e - 1] as DigitGroup;
  if (digits !== LASER_DIGITS || isGlue(text.codePointAt(last.end) ?? -1)) return undefined;
  const start = lettersBefore(text, first.start);
  if (start < 0) return undefined;
  const printed =
    e === PRINTED_GROUPS.length && PRINTED_GROUPS.every((n, k) => groups[k]?.digits.length === n);
  if (!printed && !LASER_WORD().test(text.slice(Math.max(0, start - LASER_WORD_REACH), start)))
    return undefined;
  return [start, last.end];
}

/** ASCII or full-width Latin letters, either case. */
const isLatinLetter = (c: number) =>
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0xff21 && c <= 0xff3a) ||
  (c >= 0xff41 && c <= 0xff5a);
// A dash only: after a space, two letters are a word (`ID 0-8123456-78`, `no 1-…`).
const DASH = lazyRegExp(String.raw`^\p{Pd}$`, 'u');

/** Where the two letters of a laser code start before `at` (one separator allowed between), or -1. */
function lettersBefore(text: string, at: number): number {
  let i = at;
  if (i > 0 && DASH().test(text[i - 1] as string)) i--;
  if (i < 2 || !isLatinLetter(text.charCodeAt(i - 1)) || !isLatinLetter(text.charCodeAt(i - 2))) return -1;
  // A third letter (or a digit) before them: a word or a longer code, not a laser code.
  const before = i > 2 ? (text.codePointAt(i - 3) as number) : -1;
  return isGlue(before) || isLatinLetter(before) ? -1 : i - 2;
}
