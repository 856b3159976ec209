import { isDeepStrictEqual } from 'node:util';
import { beDateToIso, ResponseSchemaError, validateBody } from '@thgov/core';
import { fastPathOf, UNDECIDED } from '@thgov/core/internal';
import { createRandom, type Random } from '@thgov/sandbox';
import { describe, expect, it } from 'vitest';
import { decodePersonFields, isoFromBeDigits, NOT_BE_DIGITS, PERSON_KEYS } from '../src/hot-person.js';
import { dopaPersonSchema } from '../src/schemas.js';

/*
 * The hand-written validator of the person record (hot-person.ts) against the zod schema it stands in for, on
 * seeded generated records, valid and invalid: what zod rejects it must never decide (zod then explains the
 * failure), and what it decides must be exactly zod's output. Also its BE-date reader against core's beDateToIso.
 */

const PERSON: Record<string, unknown> = {
  titleCode: 3,
  titleDesc: 'นาย',
  titleName: 'นาย',
  firstName: 'อนุชา',
  middleName: '',
  lastName: 'ชัยมงคล',
  genderCode: 1,
  genderDesc: 'ชาย',
  dateOfBirth: 25240207,
  age: 45,
  nationalityCode: 99,
  nationalityDesc: 'ไทย',
  statusOfPersonCode: 0,
  statusOfPersonDesc: 'บุคคลนี้มีภูมิลำเนาอยู่ในบ้านนี้',
  englishTitleDesc: 'Mr.',
  englishFirstName: 'Anucha',
  englishMiddleName: '',
  englishLastName: 'Chaimongkhon',
};

/** Values of every kind: wrong types, out of range numbers, odd Unicode, numeric and date-like strings. */
const VALUES: readonly unknown[] = [
  'สมชาย',
  '  padded  ',
  '',
  '   ',
  '\u00a0',
  '\u200b',
  '\ud800',
  '😀 emoji',
  'e\u0301',
  '๒๕๔๓๐๑๐๑',
  '2543-01-01',
  '25431301',
  '25430230',
  '00000000',
  '0',
  '12',
  ' 7 ',
  '1e3',
  '0x10',
  'Infinity',
  'abc',
  '25430101',
  0,
  -0,
  1,
  2,
  -3.5,
  25430101,
  20240101,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  -1e21,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  null,
  undefined,
  true,
  false,
  {},
  [],
  ['a'],
  { nested: 1 },
  1n,
  Symbol('s'),
  () => 'fn',
  new Date(0),
  new String('boxed'),
];
const EXTRA_KEYS = [
  'extra',
  'Extra',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '1',
  '__proto__',
  'prototype',
  'ชื่อ',
  '😀',
  'FIRSTNAME',
  'firstname',
  'DateOfBirth',
  'ﬁrstName', // a ligature: no ASCII key in any case
];

/** A record object (not via JSON): fields dropped, re-cased, given other values; extra keys; other prototypes. */
function variantObject(r: Random): unknown {
  const roll = r.next();
  if (roll < 0.02) return r.pick([null, [], 'text', 5, undefined, new Date(0), [PERSON], new Map()]);
  const proto = roll < 0.05 ? null : roll < 0.07 ? { firstName: 'inherited' } : Object.prototype;
  const out: Record<string, unknown> = Object.create(proto);
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(PERSON)) {
    const x = r.next();
    if (x < 0.05) continue; // absent
    const key = x < 0.08 ? k.toUpperCase() : x < 0.1 ? k.toLowerCase() : k;
    set(key, r.next() < 0.12 ? r.pick(VALUES) : v);
  }
  if (r.next() < 0.15) set(r.pick(EXTRA_KEYS), r.pick(VALUES));
  if (r.next() < 0.02) Object.defineProperty(out, 'hidden', { value: 1, enumerable: false });
  return out;
}

/** JSON text, as a response carries it, parsed: a `"__proto__"` member becomes an own key, duplicates collapse. */
function variantJson(r: Random): unknown {
  const members: string[] = [];
  const json = (v: unknown) => JSON.stringify(v === undefined || typeof v === 'bigint' ? null : v) ?? 'null';
  for (const [k, v] of Object.entries(PERSON)) {
    if (r.next() < 0.05) continue;
    const key = r.next() < 0.04 ? k.toUpperCase() : k;
    members.push(`${JSON.stringify(key)}:${r.next() < 0.12 ? json(r.pick(VALUES)) : json(v)}`);
  }
  if (r.next() < 0.2) members.push(`${JSON.stringify(r.pick(EXTRA_KEYS))}:${json(r.pick(VALUES))}`);
  if (r.next() < 0.05) members.push(`"__proto__":{"firstName":"from proto","dateOfBirth":"1"}`);
  if (r.next() < 0.03) members.push(`"firstName":${json(r.pick(VALUES))}`); // a repeated name: the last wins
  if (r.next() < 0.05) members.reverse();
  return JSON.parse(`{${members.join(',')}}`);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

describe('hand-written validator of the person record (hot-person.ts)', () => {
  const composed = fastPathOf(dopaPersonSchema);

  it('decides a realistic record, to exactly what zod returns', () => {
    const fields = decodePersonFields(PERSON);
    expect(fields).not.toBe(UNDECIDED);
    const parsed = dopaPersonSchema.safeParse(PERSON);
    expect(parsed.success).toBe(true);
    expect(isDeepStrictEqual(fields, parsed.data?.raw)).toBe(true);
    expect(isDeepStrictEqual(composed?.(PERSON), parsed.data)).toBe(true);
    expect(Object.keys(fields as object)).toEqual(Object.keys(parsed.data?.raw ?? {}));
  });

  for (const [name, make] of [
    ['objects', variantObject],
    ['JSON texts', variantJson],
  ] as const) {
    it(`on 20,000 generated ${name}, decides nothing zod rejects and everything it decides as zod does`, () => {
      const r = createRandom(0x9e75 + name.length); // seeded (the sandbox's mulberry32): a failure reproduces
      let decided = 0;
      let rejected = 0;
      for (let i = 0; i < 20_000; i++) {
        const input = make(r);
        const before = show(input);
        const fields = decodePersonFields(input);
        const fast = composed?.(input);
        expect(show(input)).toBe(before); // the validator never changes its input
        const parsed = dopaPersonSchema.safeParse(input);
        if (!parsed.success) {
          rejected++;
          if (fields !== UNDECIDED || fast !== UNDECIDED)
            expect.fail(`decided what zod rejects (${i}): ${before}`);
          // The client's check (core's validateBody) then fails with zod's explanation.
          expect(() => validateBody(input, dopaPersonSchema)).toThrow(ResponseSchemaError);
          continue;
        }
        if (fast !== UNDECIDED && !isDeepStrictEqual(fast, parsed.data))
          expect.fail(`decided differently from zod (${i}): ${before}`);
        if (fields === UNDECIDED) continue;
        decided++;
        // Same values, same prototypes, same own keys in the same order (undefined-valued ones too).
        if (!isDeepStrictEqual(fields, parsed.data.raw) || !isDeepStrictEqual(fast, parsed.data))
          expect.fail(`decided differently from zod (${i}): ${before}`);
        expect(Object.keys(fields)).toEqual(Object.keys(parsed.data.raw));
      }
      // Both sides are reached: many records decided, many rejected by zod (and so by the validator).
      // (Seeded: about 2,300 / 11,200 for objects, 3,300 / 9,300 for JSON texts.)
      expect(decided).toBeGreaterThan(2_000);
      expect(rejected).toBeGreaterThan(5_000);
    });
  }

  it('leaves to zod every record whose known key is mis-cased, inherited or written as "__proto__"', () => {
    const cases: unknown[] = [
      { ...PERSON, FirstName: 'x' },
      JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(PERSON).slice(1)}`),
      Object.assign(Object.create({ middleName: 'inherited' }), { ...PERSON, middleName: undefined }),
      Object.assign(Object.create(null), PERSON),
      { ...PERSON, dateOfBirth: 2 ** 53 + 2 },
      { ...PERSON, age: '1e400' },
    ];
    for (const input of cases) expect(decodePersonFields(input)).toBe(UNDECIDED);
    // All field names are the shape's (a new field added to the schema must be added to the validator).
    expect(
      Object.keys(dopaPersonSchema.safeParse(PERSON).data?.raw ?? {}).slice(0, PERSON_KEYS.length),
    ).toEqual([...PERSON_KEYS]);
  });
});

describe("isoFromBeDigits: core's beDateToIso for eight ASCII digits", () => {
  const core = (be: string) => {
    try {
      return beDateToIso(be);
    } catch {
      return undefined;
    }
  };

  it('agrees on every date of years 0000-0009, 2290-2710 and 9990-9999, months 00-15, days 00-35', () => {
    const years = [
      ...Array.from({ length: 10 }, (_, i) => i),
      ...Array.from({ length: 421 }, (_, i) => 2290 + i),
      ...Array.from({ length: 10 }, (_, i) => 9990 + i),
    ];
    let compared = 0;
    for (const y of years)
      for (let m = 0; m <= 15; m++)
        for (let d = 0; d <= 35; d++) {
          const be = `${String(y).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
          const ours = isoFromBeDigits(be);
          if (ours !== core(be)) expect.fail(`${be}: ${String(ours)} vs ${String(core(be))}`);
          compared++;
        }
    expect(compared).toBe(441 * 16 * 36);
  });

  it('agrees on 50,000 random eight-digit strings and leaves everything else to core', () => {
    const r = createRandom(0xda7e);
    for (let i = 0; i < 50_000; i++) {
      const be = String(r.int(0, 99_999_999)).padStart(8, '0');
      if (isoFromBeDigits(be) !== core(be)) expect.fail(be);
    }
    for (const other of [
      '2543010',
      '254301011',
      ' 25430101',
      '25430101 ',
      '๒๕๔๓๐๑๐๑',
      '2543-1-1',
      '+2543010',
      '',
    ]) {
      expect(isoFromBeDigits(other)).toBe(NOT_BE_DIGITS);
    }
  });
});
