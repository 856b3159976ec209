import { lazyRegExp } from '../lazy-regexp.js';
import { ASCII_KIND, codePointTest, ESCAPE, isInvisible, OTHER, readUnit, type Unit } from './spelling.js';

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

// Where a digit run may start: a decimal or other digit (`\p{Nd}`, `\p{No}`), a percent escape (`%XX`, `%25XX`), a JSON
// escape (`\u0033`, at most four backslashes before the `u`) or an HTML reference (`&#`). `nextRunStart` finds the
// next one with a plain expression over code units and a table per BMP character: the Unicode expression it replaced
// spent more time on Thai text than all the reading after it (every Thai letter went through the Unicode matcher).
// That expression is still the definition: it decides each non-ASCII character once, and the tests hold the two to
// the same answers.
/** Whether a code point (not ASCII) is a digit of any script or another number character. */
const startsRun = codePointTest(lazyRegExp(String.raw`^[\p{Nd}\p{No}]$`, 'u'));

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** Whether an escape that may start a run stands at `i` (its first character `c` is `%`, `\` or `&`). */
function escapeStartsRun(text: string, i: number, c: number): boolean {
  if (c === 0x25) return isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2));
  if (c === 0x26) return text.charCodeAt(i + 1) === 0x23;
  // `\` to `\\\\` then `u` and four hex digits; a fifth backslash makes this position no start (the next one is).
  let j = i + 1;
  while (j - i < 4 && text.charCodeAt(j) === 0x5c) j++;
  if (text.charCodeAt(j) !== 0x75) return false;
  for (let k = j + 1; k <= j + 4; k++) if (!isHex(text.charCodeAt(k))) return false;
  return true;
}

/**
 * Characters worth a closer look: ASCII digits, the three escape introducers, and everything outside ASCII but the
 * Thai letters, vowels and marks U+0E01–U+0E4F (Thai digits are U+0E50–U+0E59). Not a Unicode expression: with code
 * units and ranges only, the regular-expression engine skips plain and Thai text about ten times faster than a loop.
 */
const CANDIDATE = /[0-9%&\\\u0080-\u0e00\u0e50-\uffff]/g;

/**
 * The first position at or after `from` where a run may start, or -1. Positions are whole characters, as a Unicode
 * expression's are: `from` inside a surrogate pair means the pair's start, and a pair is stepped over whole.
 */
export function nextRunStart(text: string, from: number): number {
  const n = text.length;
  let i = from;
  if (i > 0 && i < n && isTrail(text.charCodeAt(i)) && isLead(text.charCodeAt(i - 1))) i--;
  while (i < n) {
    CANDIDATE.lastIndex = i;
    if (!CANDIDATE.test(text)) return -1;
    i = CANDIDATE.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c < 128) {
      const kind = ASCII_KIND[c] as number;
      if (kind >= 0 || (kind === ESCAPE && escapeStartsRun(text, i, c))) return i;
      i++;
    } else if (isLead(c) && i + 1 < n && isTrail(text.charCodeAt(i + 1))) {
      if (startsRun(text.codePointAt(i) as number)) return i;
      i += 2;
    } else {
      if (startsRun(c)) return i;
      i++;
    }
  }
  return -1;
}

const isLead = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isTrail = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Calls `onRun` with every run of digit groups in `text` that holds at least `minDigits` digits, in order. A run is
 * read from its first unit to its end, and the search goes on after it. A run is first only counted; its groups
 * are made only when it holds enough digits (most runs in a text are a short number: nothing is allocated for them).
 */
export function forEachDigitRun(text: string, minDigits: number, onRun: (run: DigitRun) => void): void {
  if (text.length < minDigits) return;
  const unit: Unit = { kind: OTHER, length: 1 };
  for (let at = nextRunStart(text, 0); at >= 0; ) {
    const end = readRun(text, at, unit, undefined);
    if (counted >= minDigits) {
      const run: DigitRun = { groups: [], digitCount: 0 };
      readRun(text, at, unit, run);
      onRun(run);
    }
    // Past the whole character that started the run: a character outside the BMP that is a number but no digit
    // (an Aegean number, a counting rod) starts a run of no digits, which ends where it began.
    const width = (text.codePointAt(at) as number) > 0xffff ? 2 : 1;
    at = nextRunStart(text, Math.max(end, at + width));
  }
}

/** Digits of the run the last `readRun` read (its result without an allocation). */
let counted = 0;

/**
 * Reads one run of digit groups from `from`; returns where the run ended and leaves its digit count in `counted`.
 * With `run`, also records its groups there.
 */
function readRun(text: string, from: number, unit: Unit, run: DigitRun | undefined): number {
  let current: DigitGroup | undefined;
  let digitCount = 0;
  let inGroup = false;
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
      if (run !== undefined) {
        if (!current || separators > 0) {
          current = { start: i, end: i, digits: '' };
          run.groups.push(current);
        }
        if (current.digits.length <= MAX_GROUP_DIGITS) current.digits += String.fromCharCode(0x30 + kind);
        current.end = i + length;
      }
      inGroup = true;
      digitCount++;
      separators = 0;
    } else if (
      inGroup &&
      !(c >= 0x80 && isInvisible(codePointAt(text, i, c))) &&
      ++separators > MAX_SEPARATORS
    ) {
      // Invisible characters (zero-width spaces, a soft hyphen, bidi marks) do not count: any number of them is no gap.
      break;
    }
    i += length;
  }
  if (run !== undefined) run.digitCount = digitCount;
  counted = digitCount;
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
