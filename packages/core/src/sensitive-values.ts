import { textSpellings } from './redact/secret-registry.js';
import { REDACTED } from './redact.js';

/**
 * Values one call sends that identify a person (names, a card's laser code, a birth date) and that the redactor
 * cannot know: a server that echoes them in an error page would otherwise put them into the error. Masked in any
 * letter case, in the spellings registered secrets are masked in (raw, URL- or form-encoded, JSON `\uXXXX`
 * escapes, HTML decimal and hex references: see `textSpellings`). Values shorter than 2 characters are left
 * alone (masking them would garble the text).
 */
export type Masker = (text: string) => string;

/** Values per expression: a call may name any number of people, each expression stays small. */
const VALUES_PER_PATTERN = 32;
const MAX_LENGTH = 512;

/**
 * A function masking `values` in a text, or undefined when there is nothing to mask. Every value is masked, however
 * many: they are matched 32 at a time, longest first, so a value holding a shorter one (`สมชาย ใจดี`, `สมชาย`) is
 * masked whole. The expressions are built on first use (most calls never fail and never mask).
 */
export function maskerFor(values: readonly string[] | undefined): Masker | undefined {
  if (!values || values.length === 0) return undefined;
  const kept = values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim().slice(0, MAX_LENGTH))
    .filter((t) => t.length >= 2)
    .sort((a, b) => b.length - a.length);
  if (kept.length === 0) return undefined;
  let patterns: RegExp[] | undefined;
  return (text) => {
    patterns ??= chunks(kept, VALUES_PER_PATTERN).map(patternFor);
    return patterns.reduce((out, pattern) => out.replace(pattern, REDACTED), text);
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One expression matching `values` in their text spellings, in any letter case. */
function patternFor(values: readonly string[]): RegExp {
  const spellings = new Set<string>();
  for (const t of values) {
    for (const spelling of textSpellings(t)) spellings.add(spelling);
    // A space percent-encoded as `+` too (form encoding of a value with other escapes).
    try {
      spellings.add(encodeURIComponent(t).replace(/%20/g, '+'));
    } catch {
      // A lone surrogate has no percent-encoding.
    }
  }
  const alternatives = [...spellings]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(alternatives.join('|'), 'giu');
}

/**
 * Masks an error built from a response (by a `classify` function) in place: its message and stack, and its own
 * string fields and those of its plain objects, nested (a `response.body` preview, `response.headers`,
 * `request.headers`). Returns the error.
 */
export function maskError<E extends Error>(err: E, mask: Masker): E {
  const target = err as unknown as Record<string, unknown>;
  const message = mask(err.message);
  if (message !== err.message) err.message = message;
  if (typeof err.stack === 'string') err.stack = mask(err.stack);
  for (const key of Object.keys(target)) {
    const value = target[key];
    const masked = maskPlain(value, mask, 0);
    if (masked !== value) setField(target, key, masked);
  }
  return err;
}

const MAX_DEPTH = 4;
const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A string masked, a plain object or array copied with its strings masked; the same value when nothing changed. */
function maskPlain(value: unknown, mask: Masker, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => maskPlain(v, mask, depth + 1));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (!isPlain(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const masked = maskPlain(v, mask, depth + 1);
    if (masked === v) continue;
    out ??= { ...value };
    out[k] = masked;
  }
  return out ?? value;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  try {
    target[key] = value;
  } catch {
    // A read-only field keeps its value: toJSON() still passes it through the redactor.
  }
}
