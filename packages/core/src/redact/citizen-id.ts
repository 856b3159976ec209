import { isValidThaiIdDigits } from '../thai-id-checksum.js';
import { ASCII_KIND, ESCAPE, isInvisible, OTHER, readUnit, SEPARATOR, type Unit } from './spelling.js';

/**
 * Finds Thai citizen IDs in any spelling (see spelling.ts): 13 digits with a valid check digit, in groups
 * split by at most two separator units (`1-2345-67890-12-3`, `1 2 3 …`, `๑–๒๓๔๕`, `%31%32…`), not part of a
 * longer digit group. Juristic IDs (first digit 0) are not personal data and are kept.
 */

/**
 * Separator units allowed between two digit groups (`" – "` is three: space, en dash, space; `-\r\n` is
 * three too). Invisible characters (U+200B–U+200D, U+2060, U+FEFF, U+00AD) are not counted.
 */
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
// A JSON escape takes at most the four backslashes readUnit reads (`\\\\u0033`): an unbounded `\\+u`
// re-read the whole run of backslashes from each one of them, quadratic in a long run (a hostile body of
// backslashes hung redaction); where more than four stand before the `u`, the match starts at the fourth
// from it, as the unbounded one reached it after failing (unit OTHER) on every backslash before.
const RUN_START = /[\p{Nd}\p{No}]|%(?:25)?[0-9A-Fa-f]{2}|\\{1,4}u[0-9A-Fa-f]{4}|&#/gu;

/** Spans `[start, end)` of the original text that spell a citizen ID, in order, not overlapping. */
export function findCitizenIds(text: string): Array<[number, number]> {
  const raw = scanText(text);
  // Percent-encoded text (an X-Road-Issue, a query value) is also read once decoded: an escape glued to
  // the digits (`%E0%B8%97` + ID reads as a longer digit group) or an encoded `%` before them (`%25` + ID
  // reads as a double escape) hides an ID from the reading of the encoded form.
  // A "%" may also be a literal one before the digits (`%3101…` is "%" + an ID, or an escaped "1" + 12
  // digits): that reading is checked too, with every "%" taken as plain text.
  if (!HAS_PERCENT.test(text)) return raw;
  const literal = scanText(text.replaceAll('%', '\ufffd'));
  const view = percentDecoded(text);
  const mapped = view
    ? scanText(view.text).map(([s, e]): [number, number] => [
        view.start[s] as number,
        view.end[e - 1] as number,
      ])
    : [];
  return literal.length === 0 && mapped.length === 0 ? raw : mergeSpans(raw.concat(literal, mapped));
}

const HAS_PERCENT = /%[0-9A-Fa-f]{2}/;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** The text with its percent escapes decoded once, and where each decoded UTF-16 unit came from. */
function percentDecoded(text: string): { text: string; start: number[]; end: number[] } | undefined {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  const push = (s: string, from: number, to: number) => {
    out += s;
    for (let k = 0; k < s.length; k++) {
      start.push(from);
      end.push(to);
    }
  };
  let last = 0;
  PERCENT_RUN.lastIndex = 0;
  for (let m = PERCENT_RUN.exec(text); m !== null; m = PERCENT_RUN.exec(text)) {
    for (let i = last; i < m.index; i++) push(text[i] as string, i, i + 1);
    const base = m.index;
    const bytes: number[] = [];
    for (let i = 0; i < m[0].length; i += 3) bytes.push(Number.parseInt(m[0].slice(i + 1, i + 3), 16));
    let b = 0;
    while (b < bytes.length) {
      const b0 = bytes[b] as number;
      const extra = b0 < 0x80 ? 0 : b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : -1;
      let cp = extra <= 0 ? b0 : b0 & (0x3f >> extra);
      let ok = extra >= 0 && b + extra < bytes.length;
      for (let k = 1; ok && k <= extra; k++) {
        const next = bytes[b + k] as number;
        if ((next & 0xc0) !== 0x80) ok = false;
        else cp = (cp << 6) | (next & 0x3f);
      }
      if (!ok || cp > 0x10ffff) {
        // Not UTF-8: the escape stays as it was written.
        push(text.slice(base + b * 3, base + b * 3 + 3), base + b * 3, base + b * 3 + 3);
        b++;
        continue;
      }
      // A decoded "%" is a literal one: read as an escape again it would swallow the digits after it
      // (`%25` + `3101…` decodes to `%3101…`); the raw pass already reads double escapes.
      const ch = cp === 0x25 ? '\ufffd' : String.fromCodePoint(cp);
      push(ch, base + b * 3, base + (b + extra + 1) * 3);
      b += extra + 1;
    }
    last = m.index + m[0].length;
  }
  if (last === 0) return undefined;
  for (let i = last; i < text.length; i++) push(text[i] as string, i, i + 1);
  return { text: out, start, end };
}

function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const span of spans) {
    const prev = out[out.length - 1];
    if (prev && span[0] < prev[1]) prev[1] = Math.max(prev[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

function scanText(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (text.length < ID_DIGITS) return spans;
  const re = RUN_START;
  re.lastIndex = 0;
  const unit: Unit = { kind: OTHER, length: 1 };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    // Past the whole character that started the match: RUN_START is a Unicode expression, which matches a
    // character outside the BMP again from the middle of its surrogate pair (an Aegean number, a counting rod:
    // `\p{No}` but no digit) — one unit further looped for ever.
    const width = (text.codePointAt(m.index) as number) > 0xffff ? 2 : 1;
    re.lastIndex = Math.max(scanRun(text, m.index, unit, spans), m.index + width);
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
    } else if (current && !(c >= 0x80 && isInvisible(c)) && ++separators > MAX_SEPARATORS) {
      // Invisible characters (zero-width spaces, a soft hyphen) do not count: any number of them is no gap.
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
