import { lazyRegExp } from '../lazy-regexp.js';
/**
 * Reads text the way a person reading a log would: as a sequence of units (a digit, a separator, or
 * anything else), each with its span in the original string. A unit may be one character or an encoded
 * one: `%33`, `%E0%B9%93` (Thai ๓ in UTF-8), `%2533` (double-encoded), `\u0033` (JSON), `&#51;`,
 * `&#x33;` (HTML). Digits are any Unicode decimal digit (Thai ๐–๙, full-width ０–９ …) or a character
 * NFKC folds to one. Redaction masks the ORIGINAL span of what it finds, so no encoding survives it.
 */

/** `unitKind` value of a separator unit; digits are 0–9. */
export const SEPARATOR = -2;
/** `unitKind` value of any other unit. */
export const OTHER = -1;

/** Kind of an ASCII character: a digit value, SEPARATOR, OTHER, or ESCAPE (`%`, `\`, `&`: look further). */
export const ESCAPE = -3;
export const ASCII_KIND = new Int8Array(128).fill(OTHER);
for (let c = 0x30; c <= 0x39; c++) ASCII_KIND[c] = c - 0x30;
// Space, hyphen, dot, slash, underscore, tab and line breaks (a wrapped line, a table cell, a vertical tab or form
// feed); `+` is a space in form encoding.
for (const c of ' -./+_\t\r\n\v\f') ASCII_KIND[c.charCodeAt(0)] = SEPARATOR;
for (const c of '%\\&') ASCII_KIND[c.charCodeAt(0)] = ESCAPE;

/**
 * Invisible characters that an editor, a PDF extractor, a right-to-left text or an evasive writer may put between
 * digits: every format character (soft hyphen, zero-width space and joiners, word joiner, byte-order mark, the
 * bidirectional marks, embeddings and isolates, the Mongolian vowel separator, the tag characters outside the BMP)
 * and the combining grapheme joiner, which joins nothing between digits.
 */
const INVISIBLE = lazyRegExp(String.raw`^(?:\p{Cf}|\u034f)$`, 'u');
/** Code points below this are ASCII or Latin-1, where only the soft hyphen is invisible. */
const FIRST_FORMAT = 0x00ad;

/**
 * A test of one code point against a Unicode expression matching one character, remembered for the BMP (64 KiB,
 * each answer computed on first sight: text reads at array-lookup speed); a lone surrogate is no character.
 */
export function codePointTest(expression: () => RegExp): (cp: number) => boolean {
  let bmp: Int8Array | undefined;
  return (cp) => {
    if (cp > 0xffff) return expression().test(String.fromCodePoint(cp));
    bmp ??= new Int8Array(0x10000).fill(-1);
    let known = bmp[cp] as number;
    if (known < 0) {
      known = cp >= 0xd800 && cp <= 0xdfff ? 0 : expression().test(String.fromCharCode(cp)) ? 1 : 0;
      bmp[cp] = known;
    }
    return known === 1;
  };
}

const invisible = codePointTest(INVISIBLE);

/**
 * True for a code point of the invisible characters above: a separator that a reader does not see (and so never
 * counts). Takes a code point, so a tag character (outside the BMP) is one.
 */
export function isInvisible(cp: number): boolean {
  return cp >= FIRST_FORMAT && invisible(cp);
}
// Spaces, dashes, the line and paragraph separators and NEL (a line break of EBCDIC and some Unicode text).
const SPACE_OR_DASH = lazyRegExp(String.raw`^[\p{Z}\p{Pd}\u0085]$`, 'u');
const DECIMAL_DIGIT = lazyRegExp(String.raw`^\p{Nd}$`, 'u');
const DOTS_AND_SLASHES = new Set([
  0x00b7, 0x2024, 0x2027, 0x2044, 0x2215, 0x2219, 0x2212, 0x30fb, 0xff0e, 0xff0f,
]);

// Kinds of BMP characters, computed on first sight (64 KiB): Thai text reads at array-lookup speed.
const UNKNOWN = 127;
let bmpKinds: Int8Array | undefined;
const astralKinds = new Map<number, number>();
const MAX_CACHED_ASTRAL = 1024;

/** Kind of any code point: a digit value, SEPARATOR or OTHER. */
export function codePointKind(cp: number): number {
  if (cp < 128) {
    const k = ASCII_KIND[cp] as number;
    return k === ESCAPE ? OTHER : k;
  }
  if (cp <= 0xffff) {
    bmpKinds ??= new Int8Array(0x10000).fill(UNKNOWN);
    let k = bmpKinds[cp] as number;
    if (k === UNKNOWN) {
      k = classify(cp);
      bmpKinds[cp] = k;
    }
    return k;
  }
  const cached = astralKinds.get(cp);
  if (cached !== undefined) return cached;
  const kind = classify(cp);
  if (astralKinds.size < MAX_CACHED_ASTRAL) astralKinds.set(cp, kind);
  return kind;
}

function classify(cp: number): number {
  if (isInvisible(cp) || DOTS_AND_SLASHES.has(cp)) return SEPARATOR;
  const ch = String.fromCodePoint(cp);
  if (SPACE_OR_DASH().test(ch)) return SEPARATOR;
  const folded = ch.normalize('NFKC');
  if (folded.length === 1) {
    const f = folded.charCodeAt(0);
    if (f >= 0x30 && f <= 0x39) return f - 0x30;
    if (f < 128 && ASCII_KIND[f] === SEPARATOR) return SEPARATOR;
  }
  if (DECIMAL_DIGIT().test(ch)) {
    // Unicode puts each script's digits 0–9 in a contiguous run: the value is the distance to its start.
    let value = 0;
    while (value < 9 && DECIMAL_DIGIT().test(String.fromCodePoint(cp - value - 1))) value++;
    return value;
  }
  return OTHER;
}

/** One unit read at a position: its kind and how many UTF-16 code units it spans. */
export interface Unit {
  kind: number;
  length: number;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Reads one unit at `i`. `out` is reused to keep the hot loop allocation-free. */
export function readUnit(text: string, i: number, out: Unit): Unit {
  const c = text.charCodeAt(i);
  if (c < 128) {
    const k = ASCII_KIND[c] as number;
    if (k !== ESCAPE) return set(out, k, 1);
    if (c === 0x25) return readPercent(text, i, out);
    if (c === 0x5c) return readJsonEscape(text, i, out);
    return readHtmlReference(text, i, out);
  }
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const cp = text.codePointAt(i) as number;
    return set(out, codePointKind(cp), cp > 0xffff ? 2 : 1);
  }
  return set(out, codePointKind(c), 1);
}

function set(out: Unit, kind: number, length: number): Unit {
  out.kind = kind;
  out.length = length;
  return out;
}

/** One byte of a percent escape at `i`: `%XX`, or `%25XX` (the `%` itself encoded once more). */
function percentByte(text: string, i: number): [byte: number, length: number] | undefined {
  if (text.charCodeAt(i) !== 0x25) return undefined;
  let hex = text.slice(i + 1, i + 3);
  if (!HEX.test(hex)) return undefined;
  if (hex === '25' && HEX.test(text.slice(i + 3, i + 5))) {
    hex = text.slice(i + 3, i + 5);
    return [Number.parseInt(hex, 16), 5];
  }
  return [Number.parseInt(hex, 16), 3];
}

/** A percent-encoded UTF-8 sequence: one code point from one to four escaped bytes. */
function readPercent(text: string, i: number, out: Unit): Unit {
  const first = percentByte(text, i);
  if (!first) return set(out, OTHER, 1);
  const [b0, len0] = first;
  if (b0 < 0x80) return set(out, codePointKind(b0), len0);
  const extra = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : -1;
  if (extra < 0) return set(out, OTHER, len0);
  let cp = b0 & (0x3f >> extra);
  let length = len0;
  for (let n = 0; n < extra; n++) {
    const next = percentByte(text, i + length);
    if (!next || (next[0] & 0xc0) !== 0x80) return set(out, OTHER, len0);
    cp = (cp << 6) | (next[0] & 0x3f);
    length += next[1];
  }
  return set(out, cp > 0x10ffff ? OTHER : codePointKind(cp), length);
}

/** `\u0033`, also `\\u0033` (escaped twice) and a surrogate pair of two escapes. */
function readJsonEscape(text: string, i: number, out: Unit): Unit {
  let j = i;
  while (j < text.length && text.charCodeAt(j) === 0x5c && j - i < 4) j++;
  if (text.charCodeAt(j) !== 0x75 /* u */) return set(out, OTHER, 1);
  const hex = text.slice(j + 1, j + 5);
  if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return set(out, OTHER, 1);
  let cp = Number.parseInt(hex, 16);
  let length = j + 5 - i;
  if (cp >= 0xd800 && cp <= 0xdbff) {
    const low = /^\\+u([dD][c-fC-F][0-9A-Fa-f]{2})/.exec(text.slice(i + length, i + length + 10));
    if (low?.[1]) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (Number.parseInt(low[1], 16) - 0xdc00);
      length += low[0].length;
    }
  }
  return set(out, codePointKind(cp), length);
}

const HTML_REF =
  /^&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(nbsp|ndash|mdash|minus|middot|sol|period|hyphen));/;
const HTML_NAMED: Record<string, number> = {
  nbsp: 0xa0,
  ndash: 0x2013,
  mdash: 0x2014,
  minus: 0x2212,
  middot: 0xb7,
  sol: 0x2f,
  period: 0x2e,
  hyphen: 0x2010,
};

/** `&#51;`, `&#x33;`, and the named references of separators (`&nbsp;`, `&ndash;` …). */
function readHtmlReference(text: string, i: number, out: Unit): Unit {
  const m = HTML_REF.exec(text.slice(i, i + 12));
  if (!m) return set(out, OTHER, 1);
  const cp = m[1]
    ? Number.parseInt(m[1], 10)
    : m[2]
      ? Number.parseInt(m[2], 16)
      : (HTML_NAMED[m[3] as string] as number);
  return set(out, cp > 0x10ffff ? OTHER : codePointKind(cp), m[0].length);
}
