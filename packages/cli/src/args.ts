import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './io.js';

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours) between short words. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to what was typed, when it is close enough to be a typo (a third of its length, at
 * least 1, at most 3 edits), or one that starts with it (`--jun` → `--junit`).
 *
 * @example
 * ```ts
 * didYouMean('doctr', ['doctor', 'sandbox']); // 'doctor'
 * ```
 */
export function didYouMean(typed: string, candidates: readonly string[]): string | undefined {
  if (typed.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(typed.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  if (best !== undefined && bestDistance <= limit) return best;
  const prefixed = candidates.filter((c) => typed.length >= 3 && c.startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The `--long` options a usage text lists (for commands that parse on their own). */
export function optionsInUsage(usage: string): string[] {
  return [...new Set(usage.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])];
}

/**
 * parseArgs' "Unknown option '--jsn'. To specify a positional argument…" as a short usage message with the
 * closest known option; other messages pass unchanged.
 */
export function explainUnknownOption(message: string, known: readonly string[]): string {
  const m = /^Unknown option '([^']*)'/.exec(message);
  if (!m) return message;
  const typed = m[1] ?? '';
  const name = typed.startsWith('--') ? typed.split('=')[0]! : typed;
  const guess = name.startsWith('--') ? didYouMean(name, known) : undefined;
  return `unknown option '${typed}'${guess ? ` (did you mean ${guess}?)` : ''}`;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseCommandArgs` returns: parseArgs' own result type for these options. */
export type ParsedCommandArgs<O extends Options, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: P }>
>;

/**
 * node:util `parseArgs` in strict mode, with its errors as `UsageError`s (exit status 2, `ERR_INVALID_ARG`)
 * that name the closest known option.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, true);
 * ```
 */
export function parseCommandArgs<O extends Options, P extends boolean>(
  args: string[],
  options: O,
  positionals: P,
): ParsedCommandArgs<O, P> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    const known = Object.keys(options).map((k) => `--${k}`);
    throw new UsageError(explainUnknownOption((err as Error).message, known));
  }
}
