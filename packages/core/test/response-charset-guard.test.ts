import { describe, expect, it } from 'vitest';
import { charsetOf, decodeBodyText } from '../src/response-body.js';

/**
 * The charset decision as it was made before it was cached: a regular expression over every Content-Type. Parameter
 * names are case-insensitive (RFC 9110 section 5.6.6): `Charset=TIS-620` declares TIS-620 as `charset=tis-620` does.
 */
function reference(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return m?.[1]?.toLowerCase();
}

const TYPES = [
  'application/json',
  'APPLICATION/JSON',
  'text/plain',
  'application/problem+json',
  '',
  'garbage',
];
const SEPARATORS = [';', '; ', ' ;', ';\t', ';  ', ',', ''];
const KEYS = ['charset', 'Charset', 'CHARSET', 'charSet', 'xcharset', 'charsets', 'char set'];
const EQUALS = ['=', ' = ', '= ', ' =', ':', ''];
const VALUES = [
  'utf-8',
  'UTF-8',
  'utf8',
  'UTF8',
  '"utf-8"',
  '"UTF8"',
  'latin1',
  'ISO-8859-1',
  'tis-620',
  'windows-874',
  '',
  '"',
  '""',
  'utf-8"',
  ' utf-8',
  'x;y',
  'no-such-charset',
];
const EXTRAS = ['', '; q=1', '; boundary=x', '; charset=latin1', ';charset="utf-8"', ' ; ; ', '; charset'];

/** Every combination of the pieces above: case, quotes, spaces, parameters, duplicates. */
function* generated(): Generator<string> {
  for (const type of TYPES)
    for (const sep of SEPARATORS)
      for (const key of KEYS)
        for (const eq of EQUALS)
          for (const value of VALUES)
            for (const extra of EXTRAS) {
              yield `${type}${sep}${key}${eq}${value}${extra}`;
              if (extra) yield `${type}${extra}${sep}${key}${eq}${value}`;
            }
}

/** Garbage from the characters that matter to the decision, from a seeded generator (same each run). */
function* garbage(count: number): Generator<string> {
  const pieces = [
    ';',
    '=',
    '"',
    ' ',
    '\t',
    ',',
    'charset',
    'CharSet',
    'utf-8',
    'UTF8',
    'latin1',
    'a',
    '/',
    '\\',
  ];
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = Math.floor(next() * 10);
    for (let j = 0; j < n; j++) s += pieces[Math.floor(next() * pieces.length)];
    yield s;
  }
}

describe('the charset a Content-Type declares', () => {
  it('is what the regular expression decided, for every generated spelling, cached or not', () => {
    const values = [...generated(), ...garbage(20_000)];
    expect(values.length).toBeGreaterThan(100_000);
    let differences = 0;
    // Each value several times among its neighbours: first computed, then (while still cached) remembered.
    for (let i = 0; i < values.length; i++) {
      for (const ct of [values[i], values[i], values[Math.max(0, i - 2)], values[Math.max(0, i - 7)]]) {
        // A fresh string (not the same object) each time, as every response's header is.
        const fresh = ct === undefined ? ct : `${ct} `.slice(0, -1);
        if (charsetOf(fresh) !== reference(fresh)) differences++;
      }
    }
    expect(differences).toBe(0);
  });

  it('is undefined without a Content-Type, and is the same after the cache has turned over', () => {
    expect(charsetOf(undefined)).toBeUndefined();
    expect(charsetOf('application/json; charset=TIS-620')).toBe('tis-620');
    for (let i = 0; i < 50; i++) charsetOf(`text/plain; charset=x-${i}`);
    expect(charsetOf('application/json; charset=TIS-620')).toBe('tis-620');
    expect(charsetOf('application/json; charset=UTF-8')).toBe('utf-8');
    expect(charsetOf('application/json')).toBeUndefined();
  });

  it('decodes a body as before for the common spellings', () => {
    const thai = new Uint8Array([0xca, 0xc7, 0xd1, 0xca, 0xb4, 0xd5]); // "สวัสดี" in TIS-620
    for (const ct of [
      'text/plain; charset=tis-620',
      'text/plain;charset="TIS-620"',
      'text/plain; charset = TIS-620',
      // A legacy server's own spelling of the parameter name (names are case-insensitive).
      'text/plain; Charset=TIS-620',
      'application/json;CHARSET=windows-874',
    ])
      expect(decodeBodyText(thai, ct, true)).toBe('สวัสดี');
    expect(decodeBodyText(new TextEncoder().encode('ok'), 'application/json; charset=UTF8', true)).toBe('ok');
    expect(decodeBodyText(thai, 'text/plain; charset=nope', true)).toEqual({
      problem: 'The response declares a charset that is not supported (nope)',
    });
  });
});
