import { UNDECIDED, withFastPath, z } from '@thgov/core/internal';
import type { z as Zod, ZodObject, ZodRawShape } from 'zod';

/**
 * An object schema that matches keys case-insensitively ("Result", "result", "RESULT" all fill `Result`):
 * GDX and its providers are not consistent about key casing. Unknown keys are kept.
 */
export function looseKeys<S extends ZodRawShape>(shape: S) {
  return z.preprocess(keyRenamer(shape), z.looseObject(shape));
}

/** The case-insensitive key mapping of `looseKeys`: a value whose keys are already canonical is returned as is. */
function keyRenamer(shape: ZodRawShape): (value: unknown) => unknown {
  const canonical = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  // Key → its canonical spelling (or null: not in the shape / already canonical). Responses repeat the same
  // keys on every call, so this makes the common case (keys already spelled right) a few map lookups.
  const memo = new Map<string, string | null>();
  const lookup = (k: string): string | null => {
    let c = memo.get(k);
    if (c === undefined) {
      const found = canonical.get(k.toLowerCase());
      c = found === undefined || found === k ? null : found;
      if (memo.size < 1024) memo.set(k, c);
    }
    return c;
  };
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    let needsRename = false;
    for (const k in value) {
      if (lookup(k) !== null) {
        needsRename = true;
        break;
      }
    }
    if (!needsRename) return value;
    // A plain object, as zod and callers expect. A `"__proto__"` key (an own data property of what JSON.parse
    // returns) is dropped: assigned here it would set the result's prototype, and every field missing from
    // the record would be read from the provider's object. zod's looseObject drops it too, so a record gives
    // the same result whether or not its keys needed renaming. `constructor`, `prototype` and the like are
    // ordinary keys: assignment makes them own data properties, and only own keys count as present.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      if (k === '__proto__') continue;
      const key = lookup(k) ?? k;
      // An exact-case key wins over a differently cased duplicate.
      if (!Object.hasOwn(out, key) || k === key) out[key] = (value as Record<string, unknown>)[k];
    }
    return out;
  };
}

/** A field's hand-written decoder: its value (`UNDECIDED` to let zod decide) and whether the key may be absent. */
interface FieldDecoder {
  decode(value: unknown): unknown;
  optional: boolean;
}
const fieldDecoders = new WeakMap<object, FieldDecoder>();
function field<S extends object>(schema: S, optional: boolean, decode: (value: unknown) => unknown): S {
  fieldDecoders.set(schema, { decode, optional });
  return schema;
}

/**
 * `looseKeys(shape).transform(map)`, with a hand-written decoder for the common case when every field of the
 * shape is one of the field types below: a plain object whose keys need no renaming (or are renamed as
 * `looseKeys` does) and whose fields all decode is decoded without zod, to exactly what zod returns: the
 * shape's keys in the shape's order (an absent optional key stays absent), then the unknown keys as given,
 * then `map`. Anything else goes to zod, which explains a failure. `test/fast-path.test.ts` compares the two.
 */
export function looseRecord<S extends ZodRawShape, R>(
  shape: S,
  map: (value: Zod.output<ZodObject<S, Zod.core.$loose>>) => R,
) {
  const schema = looseKeys(shape).transform(map);
  const fields = Object.entries(shape).map(([key, s]) => [key, fieldDecoders.get(s)] as const);
  if (fields.some(([, f]) => f === undefined)) return schema;
  const decoders = fields as ReadonlyArray<readonly [string, FieldDecoder]>;
  const known = new Set(Object.keys(shape));
  const rename = keyRenamer(shape);
  return withFastPath(schema, (raw) => {
    const value = rename(raw);
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
      return UNDECIDED;
    }
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, f] of decoders) {
      if (!Object.hasOwn(input, key)) {
        if (f.optional && !(key in input)) continue;
        return UNDECIDED;
      }
      const decoded = f.decode(input[key]);
      if (decoded === UNDECIDED) return UNDECIDED;
      out[key] = decoded;
    }
    for (const key of Object.keys(input)) {
      if (known.has(key)) continue;
      if (key === '__proto__') return UNDECIDED;
      out[key] = input[key];
    }
    return map(out as Zod.output<ZodObject<S, Zod.core.$loose>>);
  });
}

// The field types below are single transforms rather than unions: they run on every response of every
// lookup, and a zod union per field costs more than the HTTP exchange's own parsing.

type Decoded<T> = T | typeof UNDECIDED;

/** A field's decoder as a zod transform: what the decoder does not accept is an issue with `message`. */
function transformOf<T>(decode: (v: unknown) => Decoded<T>, message: string) {
  return (v: unknown, ctx: Zod.core.$RefinementCtx): T => {
    const decoded = decode(v);
    if (decoded !== UNDECIDED) return decoded;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
}

/**
 * A JSON number as text, when its text can be trusted: an integer beyond 2^53 was already rounded by the
 * JSON parse (a 20-digit house or reference number would come back as another number), so it is no text.
 */
function numberText(v: number): string | undefined {
  if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return undefined;
  return String(v);
}

export function decodeStringish(v: unknown): Decoded<string> {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v) ?? UNDECIDED;
  return UNDECIDED;
}

/**
 * A 13-digit ID (citizen, juristic) that a provider may send as a JSON number: a number loses its leading
 * zeros (every DBD juristic ID starts with 0), so a non-negative integer of at most 13 digits is padded back.
 */
function decodeId13(v: unknown): Decoded<string> {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 1e13)
    return String(v).padStart(13, '0');
  return UNDECIDED;
}

export function decodeOptionalText(v: unknown): Decoded<string | undefined> {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number') return numberText(v) ?? UNDECIDED;
  return UNDECIDED;
}

export function decodeOptionalNumber(v: unknown): Decoded<number | undefined> {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : UNDECIDED;
}

// Each field type below is one function, run by zod's transform and by the fast decoder of `looseRecord`
// alike, so the two cannot disagree on a field.

/** A string that some providers send as a number (BE dates, house IDs). */
export const stringish = field(
  z.unknown().transform(transformOf(decodeStringish, 'Expected a string or a number')),
  false,
  decodeStringish,
);

/** A 13-digit citizen or juristic ID, as a string or as a number (leading zeros restored). */
export const id13 = field(
  z.unknown().transform(transformOf(decodeId13, 'Expected a 13-digit ID (a string or a number)')),
  false,
  decodeId13,
);

/** Text that may be missing, null, empty or a number; trimmed, empty becomes undefined. */
export const optionalText = field(
  z.unknown().transform(transformOf(decodeOptionalText, 'Expected text')).optional(),
  true,
  decodeOptionalText,
);

/** A number that may be missing, null, empty or sent as a numeric string. */
export const optionalNumber = field(
  z.unknown().transform(transformOf(decodeOptionalNumber, 'Expected a number')).optional(),
  true,
  decodeOptionalNumber,
);

/** A string as it is (`z.string()`'s rule). */
export function decodeText(v: unknown): Decoded<string> {
  return typeof v === 'string' ? v : UNDECIDED;
}

/** A required string (zod's `z.string()`). */
export const text = field(z.string(), false, decodeText);
