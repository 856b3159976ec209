import { lazyRegExp } from '../lazy-regexp.js';
import { isValidThaiIdDigits } from '../thai-id-checksum.js';
import { type DigitGroup, forEachDigitRun } from './digit-runs.js';
import { OTHER, readUnit, SEPARATOR, type Unit } from './spelling.js';

/**
 * Finds Thai citizen IDs in any spelling (see spelling.ts): 13 digits with a valid check digit, in groups
 * split by at most two separator units (`1-2345-67890-12-3`, `1 2 3 …`, `๑–๒๓๔๕`, `%31%32…`), not part of a
 * longer digit group. Juristic IDs (first digit 0) are not personal data and are kept.
 */

const ID_DIGITS = 13;

const isAsciiAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Spans `[start, end)` of the original text that spell a citizen ID, in order, not overlapping. */
export function findCitizenIds(text: string): Array<[number, number]> {
  const raw = withCellSplits(text, scanText(text));
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

/**
 * Cell separators of a spreadsheet or CSV export (`,` `;` `|` `:`, quotes, commas of other scripts), which end a run
 * of digits: an ID split by them (`1,1037,00123,45,8`, `"1","1037",…`) is read from a view where they are spaces,
 * and counted only in the official grouping or one digit per cell, never in thousands groups (`1,103,700,123,458`).
 * The view is built only where such a separator stands between two digits.
 */
const CELL_SPLIT = /[,;|:'"\uff0c\u3001\u060c]/g;
// ASCII, Thai and full-width digits; a cell that is not a thousands group (3 digits) after the separator. Not a
// Unicode-property expression: this runs on every text, and one is eight times slower.
const CELL_DIGIT = '[0-9\\u0e50-\\u0e59\\uff10-\\uff19]';
const HAS_CELL_SPLIT = lazyRegExp(
  `${CELL_DIGIT}["']?[,;|:\\uff0c\\u3001\\u060c]["']?[ \\u00a0]?${CELL_DIGIT}(?!${CELL_DIGIT}{2}(?!${CELL_DIGIT}))`,
);

function withCellSplits(text: string, raw: Array<[number, number]>): Array<[number, number]> {
  if (!HAS_CELL_SPLIT().test(text)) return raw;
  const view = text.replace(CELL_SPLIT, ' ');
  const split = scanText(view, (start, end) => {
    CELL_SPLIT.lastIndex = 0;
    return CELL_SPLIT.test(text.slice(start, end));
  });
  return split.length === 0 ? raw : mergeSpans(raw.concat(split));
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

/** `cells(start, end)`: whether the span was split by cell separators (then only an ID's own grouping counts). */
type CellCheck = (start: number, end: number) => boolean;

function scanText(text: string, cells?: CellCheck): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (text.length < ID_DIGITS) return spans;
  forEachDigitRun(text, ID_DIGITS, ({ groups }) => {
    // Digits glued to letters at either end may belong to a longer token (a UUID's hex group, `ab12`):
    // such a group is a piece of an ID only in the official 1-4-5-2-1 grouping (`pid1-2345-67890-12-3`),
    // which no UUID has (request IDs must stay readable).
    const first = groups[0] as DigitGroup;
    const last = groups[groups.length - 1] as DigitGroup;
    const glued = {
      before: first.start > 0 && isAsciiAlnum(text.charCodeAt(first.start - 1)),
      after: last.end < text.length && isAsciiAlnum(text.charCodeAt(last.end)),
    };
    collect(groups, spans, glued, cells);
  });
  return spans;
}

const OFFICIAL_GROUPS = [1, 4, 5, 2, 1];

function canonical(run: readonly DigitGroup[], s: number, e: number): boolean {
  return (
    e - s === OFFICIAL_GROUPS.length &&
    OFFICIAL_GROUPS.every((n, k) => (run[s + k] as DigitGroup).digits.length === n)
  );
}

/** Every window of whole groups that holds exactly 13 digits and passes the check digit. */
function collect(
  run: readonly DigitGroup[],
  spans: Array<[number, number]>,
  glued: { before: boolean; after: boolean },
  cells?: CellCheck,
): void {
  for (let s = 0; s < run.length; s++) {
    let digits = '';
    let e = s;
    for (; e < run.length && digits.length < ID_DIGITS; e++) digits += (run[e] as DigitGroup).digits;
    if (digits.length !== ID_DIGITS || digits[0] === '0' || !isValidThaiIdDigits(digits)) continue;
    const start = (run[s] as DigitGroup).start;
    const end = (run[e - 1] as DigitGroup).end;
    const official = canonical(run, s, e);
    if (e - s > 1 && ((s === 0 && glued.before) || (e === run.length && glued.after)) && !official) continue;
    // Split by cell separators: the official grouping or one digit per cell, not figures that add up to 13 digits.
    if (cells && !official && e - s !== ID_DIGITS && cells(start, end)) continue;
    spans.push([start, end]);
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
