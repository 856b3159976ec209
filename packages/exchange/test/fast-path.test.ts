import { isDeepStrictEqual } from 'node:util';
import { fastPathOf, UNDECIDED } from '@thgov/core/internal';
import { createRandom, type Random } from '@thgov/sandbox';
import { describe, expect, it } from 'vitest';
import { dopaAddressSchema, dopaHouseSchema, dopaPersonSchema } from '../src/schemas.js';

/*
 * The hand-written decoders of the hot DOPA records against zod, on the same inputs. Whatever a decoder
 * decides must be exactly what zod returns (values, undefined-valued keys, key order); everything else it
 * must leave to zod (UNDECIDED). The inputs are realistic records and many random, hostile variations of
 * them: mis-cased and duplicate keys, wrong types, absent fields, extra and prototype-named keys, odd objects.
 */

const SCHEMAS = { person: dopaPersonSchema, address: dopaAddressSchema, house: dopaHouseSchema } as const;

const PERSON = {
  titleCode: 3,
  titleDesc: 'นาย',
  titleName: 'นาย',
  firstName: 'สมชาย',
  middleName: '',
  lastName: 'ใจดี',
  genderCode: 1,
  genderDesc: 'ชาย',
  dateOfBirth: 25300412,
  age: 39,
  nationalityCode: 99,
  nationalityDesc: 'ไทย',
  ownerStatusDesc: 'เจ้าบ้าน',
  statusOfPersonCode: 0,
  statusOfPersonDesc: 'บุคคลนี้มีภูมิลำเนาอยู่ในบ้านนี้',
  englishTitleDesc: 'Mr.',
  englishFirstName: 'Somchai',
  englishMiddleName: '',
  englishLastName: 'Jaidee',
};
const ADDRESS = {
  houseID: 10050123456,
  houseNo: '99/1',
  houseType: 1,
  houseTypeDesc: 'บ้าน',
  villageNo: 0,
  alleyWayDesc: '',
  alleyDesc: 'ซอยสุขุมวิท 21',
  roadDesc: 'สุขุมวิท',
  subdistrictDesc: 'คลองเตยเหนือ',
  districtDesc: 'วัฒนา',
  provinceDesc: 'กรุงเทพมหานคร',
  postalCode: '10110',
  dateOfTerminate: 0,
};
const REALISTIC = { person: PERSON, address: ADDRESS, house: ADDRESS } as const;

const VALUES: readonly unknown[] = [
  'สมชาย',
  '  padded  ',
  '',
  '   ',
  '\u00a0',
  '12',
  ' 7 ',
  '1e3',
  'abc',
  '25430101',
  0,
  1,
  2,
  -3.5,
  25430101,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  undefined,
  true,
  false,
  {},
  [],
  ['a'],
  { nested: 1 },
  1n,
];
const EXTRA_KEYS = ['extra', 'Extra', 'constructor', 'toString', '1', 'hasOwnProperty', '__proto__'];

function variant(base: Record<string, unknown>, r: Random): unknown {
  const roll = r.next();
  if (roll < 0.03) return r.pick([null, [], 'text', 5, undefined, new Date(0), [base]]);
  const proto = roll < 0.06 ? null : roll < 0.08 ? { firstName: 'inherited' } : Object.prototype;
  const out: Record<string, unknown> = Object.create(proto);
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(base)) {
    const x = r.next();
    if (x < 0.08) continue; // absent
    const key = x < 0.14 ? k.toUpperCase() : x < 0.18 ? k.toLowerCase() : k;
    set(key, r.next() < 0.2 ? r.pick(VALUES) : v);
    if (r.next() < 0.03) set(k.toLowerCase() === key ? k : k.toLowerCase(), r.pick(VALUES)); // a cased duplicate
  }
  if (r.next() < 0.15) set(r.pick(EXTRA_KEYS), r.pick(VALUES));
  return out;
}

/** Every key path in order, so that key order is compared too. */
function keyPaths(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((k) => [
    `${at}/${k}`,
    ...keyPaths((value as Record<string, unknown>)[k], `${at}/${k}`),
  ]);
}

describe('hand-written decoders of the hot DOPA records', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const decode = fastPathOf(schema);
    const base = REALISTIC[name as keyof typeof REALISTIC];

    it(`${name}: has one, and decides a realistic record exactly as zod does`, () => {
      expect(decode).toBeTypeOf('function');
      const fast = decode?.(base);
      expect(fast).not.toBe(UNDECIDED);
      const parsed = schema.safeParse(base);
      expect(parsed.success).toBe(true);
      expect(fast).toStrictEqual(parsed.data);
      expect(keyPaths(fast)).toEqual(keyPaths(parsed.data));
    });

    it(`${name}: on 20,000 random variations, decides only what zod accepts, to exactly zod's output`, () => {
      // Seeded (the sandbox's mulberry32), so a failure reproduces.
      const r = createRandom(0x7a11 + name.length);
      let decided = 0;
      let accepted = 0;
      for (let i = 0; i < 20_000; i++) {
        const input = variant(base, r);
        const before = JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
        const fast = decode?.(input);
        // The decoder never changes its input.
        expect(JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
        const parsed = schema.safeParse(input);
        if (parsed.success) accepted++;
        if (fast === UNDECIDED) continue;
        decided++;
        if (!parsed.success) expect.fail(`decided what zod rejects (case ${i}): ${before}`);
        // node's strict deep equality: same prototypes, same own keys (undefined-valued ones too), NaN equal to
        // NaN (vitest's toStrictEqual compares `constructor`, which an input may set to NaN).
        if (!isDeepStrictEqual(fast, parsed.data))
          expect.fail(`decided differently from zod (case ${i}): ${before}`);
        expect(keyPaths(fast)).toEqual(keyPaths(parsed.data));
      }
      // The variations reach both sides: many decided, and many left to zod (it rejects or renames).
      expect(decided).toBeGreaterThan(1_000);
      expect(accepted).toBeGreaterThan(decided);
    });
  }
});
