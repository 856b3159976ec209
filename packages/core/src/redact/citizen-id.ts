import { isValidThaiIdDigits } from '../thai-id-checksum.js';
import { ASCII_KIND, ESCAPE, OTHER, readUnit, SEPARATOR, type Unit } from './spelling.js';

/**
 * Finds Thai citizen IDs in any spelling (see spelling.ts): 13 digits with a valid check digit, in groups
 * split by at most two separator units (`1-2345-67890-12-3`, `1 2 3 …`, `๑–๒๓๔๕`, `%31%32…`), not part of a
 * longer digit group. Juristic IDs (first digit 0) are not personal data and are kept.
 */

/** Separator units allowed between two digit groups (`" – "` is three: space, en dash, space). */
const MAX_SEPARATORS = 3;
const ID_DIGITS = 13;

interface Group {
  start: number;
  end: number;
  digits: string;
}

const isAsciiAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

// Where a digit run may start: a decimal or other digit, a percent escape, a JSON escape, an HTML reference.
// Native regex scanning skips plain text far faster than a JavaScript loop over every character.
const RUN_START = /[\p{Nd}\p{No}]|%(?:25)?[0-9A-Fa-f]{2}|\\+u[0-9A-Fa-f]{4}|&#/gu;

/** Spans `[start, end)` of the original text that spell a citizen ID, in order, not overlapping. */
export function findCitizenIds(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (text.length < ID_DIGITS) return spans;
  const re = RUN_START;
  re.lastIndex = 0;
  const unit: Unit = { kind: OTHER, length: 1 };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    re.lastIndex = Math.max(scanRun(text, m.index, unit, spans), m.index + 1);
  }
  return spans;
}

/** Reads one run of digit groups from `from`; records the IDs in it; returns where the run ended. */
function scanRun(text: string, from: number, unit: Unit, spans: Array<[number, number]>): number {
  const run: Group[] = [];
  let current: Group | undefined;
  let separators = 0;
  let digitCount = 0;
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
        run.push(current);
      }
      // A group longer than an ID can never be one: 14 digits are enough to know it is too long.
      if (current.digits.length <= ID_DIGITS) current.digits += String.fromCharCode(0x30 + kind);
      current.end = i + length;
      digitCount++;
      separators = 0;
    } else if (current && ++separators > MAX_SEPARATORS) {
      break;
    }
    i += length;
  }
  if (digitCount >= ID_DIGITS) {
    // Digits glued to letters at either end may belong to a longer token (a UUID's hex group, `ab12`):
    // such a group is a piece of an ID only in the official 1-4-5-2-1 grouping (`pid1-2345-67890-12-3`),
    // which no UUID has (request IDs must stay readable).
    const first = run[0] as Group;
    const last = run[run.length - 1] as Group;
    const glued = {
      before: first.start > 0 && isAsciiAlnum(text.charCodeAt(first.start - 1)),
      after: last.end < n && isAsciiAlnum(text.charCodeAt(last.end)),
    };
    collect(run, spans, glued);
  }
  return i;
}

const OFFICIAL_GROUPS = [1, 4, 5, 2, 1];

function canonical(run: Group[], s: number, e: number): boolean {
  return (
    e - s === OFFICIAL_GROUPS.length &&
    OFFICIAL_GROUPS.every((n, k) => (run[s + k] as Group).digits.length === n)
  );
}

/** Every window of whole groups that holds exactly 13 digits and passes the check digit. */
function collect(
  run: Group[],
  spans: Array<[number, number]>,
  glued: { before: boolean; after: boolean },
): void {
  for (let s = 0; s < run.length; s++) {
    let digits = '';
    let e = s;
    for (; e < run.length && digits.length < ID_DIGITS; e++) digits += (run[e] as Group).digits;
    if (digits.length !== ID_DIGITS || digits[0] === '0' || !isValidThaiIdDigits(digits)) continue;
    if (
      e - s > 1 &&
      ((s === 0 && glued.before) || (e === run.length && glued.after)) &&
      !canonical(run, s, e)
    )
      continue;
    spans.push([(run[s] as Group).start, (run[e - 1] as Group).end]);
    s = e - 1;
  }
}

/**
 * The 13 ASCII digits when the whole value is 13 digits in any spelling with only separators between them
 * (`๑-๑๐๓๗-…`, `1 1037 00123 45 1`, `%31%31…`), else undefined. The check digit is not checked.
 */
export function idDigits(value: string): string | undefined {
  const unit: Unit = { kind: OTHER, length: 1 };
  let digits = '';
  const text = value.trim();
  for (let i = 0; i < text.length; ) {
    readUnit(text, i, unit);
    if (unit.kind >= 0) digits += String.fromCharCode(0x30 + unit.kind);
    else if (unit.kind !== SEPARATOR) return undefined;
    if (digits.length > ID_DIGITS) return undefined;
    i += unit.length;
  }
  return digits.length === ID_DIGITS ? digits : undefined;
}

/** Like `idDigits`, and only when the check digit is right (a citizen or juristic ID). */
export function thaiIdDigits(value: string): string | undefined {
  const digits = idDigits(value);
  return digits !== undefined && isValidThaiIdDigits(digits) ? digits : undefined;
}
