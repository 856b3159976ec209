import { lazyRegExp } from '../lazy-regexp.js';
import { ASCII_KIND, ESCAPE, isInvisible, OTHER, readUnit, type Unit } from './spelling.js';

/**
 * Runs of digit groups, read in any spelling (see spelling.ts): the one reader behind every matcher of numbers
 * that are personal data (citizen IDs, telephone numbers, laser codes), so a digit form or a separator that one of
 * them knows, all of them know. A run is digit groups split by at most MAX_SEPARATORS separator units each
 * (`๐๘๑-๒๓๔-๕๖๗๘`, `081.234.5678`, `１ ２３４５`, `%E0%B9%91…`); invisible characters are not counted.
 */

/** One group of digits with no separator inside: its span in the text and its digits in ASCII (capped). */
export interface DigitGroup {
  start: number;
  end: number;
  digits: string;
}

/** A run of digit groups and how many digits it holds (groups keep at most MAX_GROUP_DIGITS + 1 each). */
export interface DigitRun {
  groups: DigitGroup[];
  digitCount: number;
}

/**
 * Separator units allowed between two digit groups (`" – "` is three: space, en dash, space; `-\r\n` is
 * three too). Invisible characters (format characters such as U+200B, U+200E, U+2066, U+FEFF, U+00AD) are not counted.
 */
const MAX_SEPARATORS = 3;
/** No matcher looks for a group longer than a citizen ID: 14 digits are enough to know one is too long. */
const MAX_GROUP_DIGITS = 13;

// Where a digit run may start: a decimal or other digit, a percent escape, a JSON escape, an HTML reference.
// Native regex scanning skips plain text far faster than a JavaScript loop over every character.
// A JSON escape takes at most the four backslashes readUnit reads (`\\\\u0033`): an unbounded `\\+u`
// re-read the whole run of backslashes from each one of them, quadratic in a long run (a hostile body of
// backslashes hung redaction); where more than four stand before the `u`, the match starts at the fourth
// from it, as the unbounded one reached it after failing (unit OTHER) on every backslash before.
const RUN_START = lazyRegExp(
  String.raw`[\p{Nd}\p{No}]|%(?:25)?[0-9A-Fa-f]{2}|\\{1,4}u[0-9A-Fa-f]{4}|&#`,
  'gu',
);

/**
 * Calls `onRun` with every run of digit groups in `text` that holds at least `minDigits` digits, in order. Each
 * character is read once: a run is read from its first unit to its end, and the search goes on after it.
 */
export function forEachDigitRun(text: string, minDigits: number, onRun: (run: DigitRun) => void): void {
  if (text.length < minDigits) return;
  // The shared expression unless a caller's `onRun` reads another text with this reader meanwhile.
  const re = reading ? new RegExp(RUN_START()) : RUN_START();
  const outer = reading;
  reading = true;
  try {
    scanRuns(text, minDigits, onRun, re);
  } finally {
    reading = outer;
  }
}

let reading = false;

function scanRuns(text: string, minDigits: number, onRun: (run: DigitRun) => void, re: RegExp): void {
  re.lastIndex = 0;
  const unit: Unit = { kind: OTHER, length: 1 };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const run: DigitRun = { groups: [], digitCount: 0 };
    const end = readRun(text, m.index, unit, run);
    if (run.digitCount >= minDigits) onRun(run);
    // Past the whole character that started the match: RUN_START is a Unicode expression, which matches a
    // character outside the BMP again from the middle of its surrogate pair (an Aegean number, a counting rod:
    // `\p{No}` but no digit) — one unit further looped for ever.
    const width = (text.codePointAt(m.index) as number) > 0xffff ? 2 : 1;
    re.lastIndex = Math.max(end, m.index + width);
  }
}

/** Reads one run of digit groups from `from` into `run`; returns where the run ended. */
function readRun(text: string, from: number, unit: Unit, run: DigitRun): number {
  let current: DigitGroup | undefined;
  let separators = 0;
  let i = from;
  const n = text.length;
  while (i < n) {
    // Plain ASCII is one table lookup; escapes and other characters take the full reader.
    const c = text.charCodeAt(i);
    let kind = c < 128 ? (ASCII_KIND[c] as number) : ESCAPE;
    let length = 1;
    if (kind === ESCAPE) {
      readUnit(text, i, unit);
      kind = unit.kind;
      length = unit.length;
    }
    if (kind === OTHER) break;
    if (kind >= 0) {
      if (!current || separators > 0) {
        current = { start: i, end: i, digits: '' };
        run.groups.push(current);
      }
      if (current.digits.length <= MAX_GROUP_DIGITS) current.digits += String.fromCharCode(0x30 + kind);
      current.end = i + length;
      run.digitCount++;
      separators = 0;
    } else if (
      current &&
      !(c >= 0x80 && isInvisible(codePointAt(text, i, c))) &&
      ++separators > MAX_SEPARATORS
    ) {
      // Invisible characters (zero-width spaces, a soft hyphen, bidi marks) do not count: any number of them is no gap.
      break;
    }
    i += length;
  }
  return i;
}

/** The code point at `i`, whose first code unit is `c` (a tag character is a surrogate pair). */
function codePointAt(text: string, i: number, c: number): number {
  return c >= 0xd800 && c <= 0xdbff ? (text.codePointAt(i) as number) : c;
}

/**
 * Calls `onWindow(s, e, digits)` for each window of whole groups `[s, e)` of `groups` that starts a window and holds
 * from `min` to `max` digits (each start tries the windows it can grow into). Linear in the number of groups for
 * small `max`.
 */
export function forEachWindow(
  groups: readonly DigitGroup[],
  min: number,
  max: number,
  onWindow: (s: number, e: number, digits: string) => boolean | undefined,
): void {
  for (let s = 0; s < groups.length; s++) {
    let digits = '';
    for (let e = s; e < groups.length && digits.length < max; e++) {
      digits += (groups[e] as DigitGroup).digits;
      if (digits.length < min || digits.length > max) continue;
      // A window taken: the next start is the group after it.
      if (onWindow(s, e + 1, digits) === true) {
        s = e;
        break;
      }
    }
  }
}

const LETTER_OR_DIGIT = lazyRegExp(String.raw`[\p{L}\p{N}]`, 'u');

/**
 * A letter, a digit or `_` that makes a number part of a longer token (a serial, an identifier). Thai letters do
 * not: Thai is written without spaces (`โทร081-234-5678`). -1 (no character) is no glue.
 */
export function isGlue(c: number): boolean {
  if (c < 0) return false;
  if (c < 128)
    return (c >= 0x30 && c <= 0x39) || c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (c >= 0x0e00 && c <= 0x0e7f) return false;
  return LETTER_OR_DIGIT().test(String.fromCodePoint(c));
}
