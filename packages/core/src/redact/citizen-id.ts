import { isValidThaiIdDigits } from '../thai-id-checksum.js';
import { OTHER, readUnit, SEPARATOR, type Unit } from './spelling.js';

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

/** Spans `[start, end)` of the original text that spell a citizen ID, in order, not overlapping. */
export function findCitizenIds(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (text.length < ID_DIGITS) return spans;
  const unit: Unit = { kind: OTHER, length: 1 };
  let run: Group[] = [];
  let current: Group | undefined;
  let separators = 0;
  let digitCount = 0;
  const endRun = () => {
    if (digitCount >= ID_DIGITS) collect(run, spans);
    run = [];
    current = undefined;
    separators = 0;
    digitCount = 0;
  };
  for (let i = 0; i < text.length; ) {
    readUnit(text, i, unit);
    const kind = unit.kind;
    if (kind >= 0) {
      if (!current || separators > 0) {
        current = { start: i, end: i, digits: '' };
        run.push(current);
      }
      // A group longer than an ID can never be one: 14 digits are enough to know it is too long.
      if (current.digits.length <= ID_DIGITS) current.digits += String.fromCharCode(0x30 + kind);
      current.end = i + unit.length;
      digitCount++;
      separators = 0;
    } else if (kind === SEPARATOR && current) {
      if (++separators > MAX_SEPARATORS) endRun();
    } else if (kind !== SEPARATOR) {
      endRun();
    }
    i += unit.length;
  }
  endRun();
  return spans;
}

/** Every window of whole groups that holds exactly 13 digits and passes the check digit. */
function collect(run: Group[], spans: Array<[number, number]>): void {
  for (let s = 0; s < run.length; s++) {
    let digits = '';
    let e = s;
    for (; e < run.length && digits.length < ID_DIGITS; e++) digits += (run[e] as Group).digits;
    if (digits.length !== ID_DIGITS || digits[0] === '0' || !isValidThaiIdDigits(digits)) continue;
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
