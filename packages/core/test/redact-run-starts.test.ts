// The digit-run reader finds where a run may start with a loop and a per-character table instead of a Unicode
// regular expression (the expression cost more than the reading on Thai text). The expression stays the definition:
// these tests hold the loop to its answers on every BMP character, a whole astral plane, the escapes' edge cases
// and random hostile text, and the whole reader to the expression-driven reader it replaced.
import { describe, expect, it } from 'vitest';
import { type DigitRun, forEachDigitRun, nextRunStart } from '../src/redact/digit-runs.js';
import { ASCII_KIND, ESCAPE, isInvisible, OTHER, readUnit, type Unit } from '../src/redact/spelling.js';

/** The definition: the expression the reader used before, searched from `from` as the reader searched it. */
const RUN_START = /[\p{Nd}\p{No}]|%(?:25)?[0-9A-Fa-f]{2}|\\{1,4}u[0-9A-Fa-f]{4}|&#/gu;

function expressionStart(text: string, from: number): number {
  RUN_START.lastIndex = from;
  return RUN_START.exec(text)?.index ?? -1;
}

/** Every start the expression finds, stepping one whole character past each. */
function allStarts(text: string, next: (text: string, from: number) => number): number[] {
  const out: number[] = [];
  for (let at = next(text, 0); at >= 0; ) {
    out.push(at);
    at = next(text, at + ((text.codePointAt(at) as number) > 0xffff ? 2 : 1));
  }
  return out;
}

/** The reader as it was (expression search, groups made for every run), kept here as the reference. */
function referenceRuns(text: string, minDigits: number): DigitRun[] {
  const runs: DigitRun[] = [];
  if (text.length < minDigits) return runs;
  const re = new RegExp(RUN_START);
  const unit: Unit = { kind: OTHER, length: 1 };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const run: DigitRun = { groups: [], digitCount: 0 };
    let current: DigitRun['groups'][number] | undefined;
    let separators = 0;
    let i = m.index;
    while (i < text.length) {
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
        if (current.digits.length <= 13) current.digits += String.fromCharCode(0x30 + kind);
        current.end = i + length;
        run.digitCount++;
        separators = 0;
      } else if (current && !(c >= 0x80 && isInvisible(text.codePointAt(i) as number)) && ++separators > 3) {
        break;
      }
      i += length;
    }
    if (run.digitCount >= minDigits) runs.push(run);
    const width = (text.codePointAt(m.index) as number) > 0xffff ? 2 : 1;
    re.lastIndex = Math.max(i, m.index + width);
  }
  return runs;
}

function runsOf(text: string, minDigits: number): DigitRun[] {
  const runs: DigitRun[] = [];
  forEachDigitRun(text, minDigits, (run) => runs.push(run));
  return runs;
}

/** A small deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces hostile text is made of: digits of several scripts, escapes whole and broken, lone and paired surrogates,
// astral numbers that are no digits, invisible characters, separators, Thai letters and plain letters.
const PIECES = [
  '1',
  '0',
  '9',
  '๑',
  '๙',
  '５',
  '²',
  '½',
  '٣',
  '߃',
  '%',
  '%3',
  '%31',
  '%25',
  '%2531',
  '%E0%B9%91',
  '%e0',
  '%G1',
  '\\',
  '\\u',
  '\\u0031',
  '\\\\u0033',
  '\\\\\\\\u0035',
  '\\\\\\\\\\u0036',
  '\\uD835\\uDFCF',
  'u0031',
  '&',
  '&#',
  '&#49;',
  '&#x31;',
  '&nbsp;',
  '\ud800',
  '\udc00',
  '\ud835\udfcf',
  '\ud800\udd07',
  '\ud834\udf60',
  '\u200b',
  '\u00ad',
  '\ufeff',
  '-',
  ' ',
  '.',
  '/',
  '_',
  '\n',
  'ก',
  'ท',
  '\u0e4f',
  '\u0e5a',
  'a',
  'F',
  'x',
  '"',
  ',',
  ':',
  '\u2013',
];

// Digits and separators, drawn more often when a test needs long runs.
const DIGITS_AND_SEPARATORS = ['1', '๑', '５', '%31', '\\u0031', '&#49;', '\u200b', '-', ' ', '.', '%20'];

function hostileText(next: () => number, pieces: number, digitShare = 0): string {
  let text = '';
  for (let k = 0; k < pieces; k++) {
    const from = next() < digitShare ? DIGITS_AND_SEPARATORS : PIECES;
    text += from[Math.floor(next() * from.length)];
  }
  return text;
}

describe('where a digit run may start', () => {
  it('is the expression’s answer for every BMP character, lone surrogates and pairs included', () => {
    // In code-point order the last lead surrogate meets the first trail surrogate: one pair, the rest lone.
    let text = '';
    for (let c = 0x80; c <= 0xffff; c++) text += String.fromCharCode(c);
    expect(allStarts(text, nextRunStart)).toEqual(allStarts(text, expressionStart));
    // Each character alone between letters, so a miss cannot hide behind a neighbour's answer.
    for (let c = 0x80; c <= 0xffff; c += 1) {
      const one = `a${String.fromCharCode(c)}a`;
      if (nextRunStart(one, 0) !== expressionStart(one, 0)) {
        expect({ c: c.toString(16), start: nextRunStart(one, 0) }).toEqual({
          c: c.toString(16),
          start: expressionStart(one, 0),
        });
      }
    }
  });

  it('is the expression’s answer for every character of the first astral plane and samples of the others', () => {
    let text = '';
    for (let cp = 0x10000; cp <= 0x1ffff; cp++) text += String.fromCodePoint(cp);
    const next = random(7);
    for (let k = 0; k < 20_000; k++) text += String.fromCodePoint(0x20000 + Math.floor(next() * 0xeffff));
    const expected = allStarts(text, expressionStart);
    expect(expected.length).toBeGreaterThan(100);
    expect(allStarts(text, nextRunStart)).toEqual(expected);
  });

  it('is the expression’s answer from every position of hostile text, the middle of a surrogate pair included', () => {
    const next = random(11);
    for (let round = 0; round < 3_000; round++) {
      const text = hostileText(next, 1 + Math.floor(next() * 24));
      for (let from = 0; from <= text.length + 1; from++) {
        const got = nextRunStart(text, from);
        const want = expressionStart(text, from);
        if (got !== want) expect({ text, from, got }).toEqual({ text, from, got: want });
      }
    }
  });

  it('reads JSON escapes after at most four backslashes, as the expression does', () => {
    for (let slashes = 1; slashes <= 7; slashes++) {
      for (const tail of ['u0031', 'u003', 'U0031', 'u00g1', 'x0031']) {
        const text = `a${'\\'.repeat(slashes)}${tail}b`;
        expect(allStarts(text, nextRunStart), text).toEqual(allStarts(text, expressionStart));
      }
    }
  });
});

describe('the digit-run reader', () => {
  it('finds the same runs, groups and spans as the expression-driven reader on hostile text', () => {
    const next = random(23);
    let withRuns = 0;
    for (let round = 0; round < 4_000; round++) {
      const text = hostileText(next, 10 + Math.floor(next() * 60), 0.8);
      for (const min of [1, 9, 13]) {
        const want = referenceRuns(text, min);
        if (min === 13 && want.length > 0) withRuns++;
        expect(runsOf(text, min)).toEqual(want);
      }
    }
    // The generator makes long runs often enough for the comparison to mean something.
    expect(withRuns).toBeGreaterThan(100);
  });

  it('finds the same runs in a DataStore batch of Thai rows', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      school_code: `S${String(i).padStart(7, '0')}`,
      name: `โรงเรียนบ้านตัวอย่าง ${i}`,
      district: `อำเภอ${i % 900} 1-1037-00123-45-${i % 10}`,
      students: (i * 7) % 1500,
    }));
    const text = JSON.stringify(rows);
    const want = referenceRuns(text, 13);
    expect(want.length).toBe(300);
    expect(runsOf(text, 13)).toEqual(want);
  });

  it('lets a caller read another text inside its callback', () => {
    const outer = '1-1037-00123-45-8 and 2-2222-22222-22-2';
    const seen: string[] = [];
    forEachDigitRun(outer, 13, (run) => {
      seen.push(run.groups.map((g) => g.digits).join(''));
      forEachDigitRun('999 888 777 666 555', 9, (inner) => seen.push(`inner:${inner.digitCount}`));
    });
    expect(seen).toEqual(['1103700123458', 'inner:15', '2222222222222', 'inner:15']);
  });
});
