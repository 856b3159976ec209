import { expect } from 'vitest';

/**
 * Seeded option objects for the differential tests of hand-written option checks (`withOptionCheck` in
 * @thgov/core/internal): a check may refuse more than its zod schema, never accept more. Each sample is an
 * object built from some of the given fields, each holding one of that field's values or a value no field
 * wants; some carry an unknown key, an inherited key, a class prototype or a null prototype, and some are not
 * objects at all.
 */
export type ValuePool = readonly unknown[];
/** Values a field's schema should accept (`good`) and ones it should refuse or that sit on an edge (`bad`). */
export interface FieldValues {
  good: ValuePool;
  bad?: ValuePool;
}

/** An instance of a class of its own, with no enumerable key (zod takes it for an object; a check need not). */
class Custom {
  get kind(): string {
    return 'custom';
  }
}

/** Values that are wrong for most fields: a field holds one 5% of the time, and 3% of the samples are one. */
export const STRAY_VALUES: ValuePool = [
  null,
  '',
  'x',
  'x'.repeat(300),
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  true,
  false,
  [],
  [1],
  {},
  { type: 'crl' },
  new Date(Number.NaN),
  new Date(0),
  () => 1,
  Object.create(null),
  new Custom(),
  1n,
  Symbol('s'),
  new Uint8Array(1),
];

/**
 * `count` samples over `fields`, from `random` (a seeded [0, 1) PRNG). A field is present half of the time,
 * then holds a good value (80%), one of its bad ones (10%), a stray value (5%) or undefined (5%).
 */
export function sampleOptions(
  fields: Readonly<Record<string, FieldValues>>,
  random: () => number,
  count: number,
) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const names = Object.keys(fields);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.03) {
      out.push(pick(STRAY_VALUES));
      continue;
    }
    const record: Record<string, unknown> = {};
    for (const name of names) {
      if (random() < 0.5) continue;
      const { good, bad = [] } = fields[name] as FieldValues;
      const r = random();
      if (r < 0.8 || (r < 0.9 && bad.length === 0)) record[name] = pick(good);
      else if (r < 0.9) record[name] = pick(bad);
      else record[name] = r < 0.95 ? pick(STRAY_VALUES) : undefined;
    }
    if (random() < 0.05) record[pick(['unknown', 'constructor', 'toString', '__proto__x', '0'])] = 1;
    if (roll < 0.06) out.push(Object.assign(Object.create(null), record));
    else if (roll < 0.08) out.push(Object.assign(Object.create({ inherited: 1 }), record));
    else if (roll < 0.1) out.push(Object.assign(new Custom(), record));
    else out.push(record);
  }
  return out;
}

/**
 * Runs `check` (a schema's acceptance check, as `optionCheckOf` gives it) and the schema itself on every sample:
 * whatever the check accepts, the schema must accept. Returns how many samples the check accepted, so a test
 * can also require that it accepts enough to be worth having.
 */
export function expectCheckWithinSchema(
  check: ((value: unknown) => boolean) | undefined,
  schema: { safeParse(value: unknown): { success: boolean } },
  samples: readonly unknown[],
): number {
  expect(check, 'the schema has an acceptance check').toBeTypeOf('function');
  let accepted = 0;
  for (const [i, sample] of samples.entries()) {
    if (!check?.(sample)) continue;
    accepted++;
    if (!schema.safeParse(sample).success)
      expect.fail(`sample ${i} was accepted by the check but refused by the schema`);
  }
  return accepted;
}
