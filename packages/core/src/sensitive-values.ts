import { REDACTED } from './redact.js';

/**
 * Values one call sends that identify a person (names, a card's laser code, a birth date) and that the redactor
 * cannot know: a server that echoes them in an error page would otherwise put them into the error. Masked in any
 * letter case, raw and URL- or form-encoded. Values shorter than 2 characters are left alone (masking them would
 * garble the text).
 */
export type Masker = (text: string) => string;

const MAX_VALUES = 32;
const MAX_LENGTH = 512;

/** A function masking `values` in a text, or undefined when there is nothing to mask. */
export function maskerFor(values: readonly string[] | undefined): Masker | undefined {
  if (!values || values.length === 0) return undefined;
  const spellings = new Set<string>();
  for (const v of values.slice(0, MAX_VALUES)) {
    if (typeof v !== 'string') continue;
    const t = v.trim().slice(0, MAX_LENGTH);
    if (t.length < 2) continue;
    spellings.add(t);
    const encoded = encodeURIComponent(t);
    spellings.add(encoded);
    spellings.add(encoded.replace(/%20/g, '+'));
  }
  if (spellings.size === 0) return undefined;
  const alternatives = [...spellings]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(alternatives.join('|'), 'giu');
  return (text) => text.replace(pattern, REDACTED);
}

/**
 * Masks an error built from a response (by a `classify` function) in place: its message and stack, and its own
 * string fields and those one level down (a `response.body` preview). Returns the error.
 */
export function maskError<E extends Error>(err: E, mask: Masker): E {
  const target = err as unknown as Record<string, unknown>;
  const message = mask(err.message);
  if (message !== err.message) err.message = message;
  if (typeof err.stack === 'string') err.stack = mask(err.stack);
  for (const key of Object.keys(target)) {
    const value = target[key];
    if (typeof value === 'string') setField(target, key, mask(value));
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      const masked: Record<string, unknown> = { ...inner };
      let changed = false;
      for (const [k, v] of Object.entries(inner)) {
        if (typeof v === 'string' && mask(v) !== v) {
          masked[k] = mask(v);
          changed = true;
        }
      }
      if (changed) setField(target, key, masked);
    }
  }
  return err;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  try {
    target[key] = value;
  } catch {
    // A read-only field keeps its value: toJSON() still passes it through the redactor.
  }
}
