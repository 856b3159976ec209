import { z } from '@thgov/core/internal';
import type { ZodRawShape } from 'zod';

/**
 * An object schema that matches keys case-insensitively ("Result", "result", "RESULT" all fill `Result`):
 * GDX and its providers are not consistent about key casing. Unknown keys are kept.
 */
export function looseKeys<S extends ZodRawShape>(shape: S) {
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
  return z.preprocess((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    let needsRename = false;
    for (const k in value) {
      if (lookup(k) !== null) {
        needsRename = true;
        break;
      }
    }
    if (!needsRename) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = lookup(k) ?? k;
      // An exact-case key wins over a differently cased duplicate.
      if (!(key in out) || k === key) out[key] = v;
    }
    return out;
  }, z.looseObject(shape));
}

// The field types below are single transforms rather than unions: they run on every response of every
// lookup, and a zod union per field costs more than the HTTP exchange's own parsing.

/** A string that some providers send as a number (BE dates, house IDs). */
export const stringish = z.unknown().transform((v, ctx): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  ctx.addIssue({ code: 'custom', message: 'Expected a string or a number' });
  return z.NEVER;
});

/** Text that may be missing, null, empty or a number; trimmed, empty becomes undefined. */
export const optionalText = z
  .unknown()
  .transform((v, ctx): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') {
      const t = v.trim();
      return t === '' ? undefined : t;
    }
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    ctx.addIssue({ code: 'custom', message: 'Expected text' });
    return z.NEVER;
  })
  .optional();

/** A number that may be missing, null, empty or sent as a numeric string. */
export const optionalNumber = z
  .unknown()
  .transform((v, ctx): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
    if (Number.isFinite(n)) return n;
    ctx.addIssue({ code: 'custom', message: 'Expected a number' });
    return z.NEVER;
  })
  .optional();
