/**
 * Hand-written acceptance checks for option schemas on cold paths (`thgov transcript verify` on one file):
 * loading zod and building a schema costs tens of milliseconds there, more than the work itself. A check says
 * `true` only for a value the schema surely accepts, and `false` for anything else, which then goes to zod,
 * to be accepted or explained as before. A check may refuse more than zod does, never less: a differential
 * test against the schema must guard each one.
 *
 * The builders mirror zod's: `shape({ ... }, ['required'])` is a strict object (every enumerable key known,
 * own or inherited); a key holding `undefined` counts as absent, as zod's `.optional()` has it.
 */
export type OptionCheck = (value: unknown) => boolean;

const checks = new WeakMap<object, OptionCheck>();

/** Gives `schema` an acceptance check that `checkOptions` tries before zod. Returns the schema. */
export function withOptionCheck<S extends object>(schema: S, check: OptionCheck): S {
  checks.set(schema, check);
  return schema;
}

/** The check given to `schema` by `withOptionCheck`, if any (for differential tests). */
export function optionCheckOf(schema: object): OptionCheck | undefined {
  return checks.get(schema);
}

export const is = {
  string:
    (min = 0, max = Number.POSITIVE_INFINITY): OptionCheck =>
    (v) =>
      typeof v === 'string' && v.length >= min && v.length <= max,
  boolean: ((v) => typeof v === 'boolean') as OptionCheck,
  function: ((v) => typeof v === 'function') as OptionCheck,
  /** A safe integer within [min, max]. */
  integer:
    (min: number, max: number): OptionCheck =>
    (v) =>
      Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max,
  /** A Date holding a time (zod refuses an Invalid Date). */
  date: ((v) => v instanceof Date && !Number.isNaN(v.getTime())) as OptionCheck,
  instance:
    (type: abstract new (...args: never[]) => unknown): OptionCheck =>
    (v) =>
      v instanceof type,
  literal:
    (...values: readonly unknown[]): OptionCheck =>
    (v) =>
      values.includes(v),
  either:
    (...options: readonly OptionCheck[]): OptionCheck =>
    (v) =>
      options.some((c) => c(v)),
  array:
    (item: OptionCheck, max = Number.POSITIVE_INFINITY): OptionCheck =>
    (v) =>
      Array.isArray(v) && v.length <= max && v.every((x) => item(x)),
  /** What `schema`'s own acceptance check accepts (nothing, when it has none). */
  schema:
    (schema: object): OptionCheck =>
    (v) =>
      checks.get(schema)?.(v) === true,
  /** A strict object of `fields`; `required` names the fields that must hold a value. */
  shape(fields: Readonly<Record<string, OptionCheck>>, required: readonly string[] = []): OptionCheck {
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = v as Record<string, unknown>;
      for (const key in record) {
        const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
        if (!field) return false;
        const value = record[key];
        if (value !== undefined && !field(value)) return false;
      }
      return required.every((key) => record[key] !== undefined);
    };
  },
};
