import type { z } from 'zod';
import { invalidArgument } from './errors.js';
import { optionCheckOf } from './option-check.js';

/**
 * Validates options against a strict zod schema and throws a TypeError (code ERR_INVALID_ARG) that names
 * the offending key, e.g. `ExchangeClient options.timeouts.connectInMs: Too small`. Values are not echoed.
 */
export function validateOptions<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? `.${issue.path.map(String).join('.')}` : '';
  const keys =
    issue && issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
  throw invalidArgument(`${label}${path}: ${issue?.message ?? 'invalid'}${keys}`);
}

/**
 * `validateOptions` for a caller that only needs to know the options are valid: the schema's acceptance
 * check (`withOptionCheck`) is tried first, so zod is neither loaded nor run for options it surely accepts;
 * anything else is validated, and refused, by zod exactly as `validateOptions` does.
 */
export function checkOptions(schema: z.ZodType, input: unknown, label: string): void {
  if (optionCheckOf(schema)?.(input) === true) return;
  validateOptions(schema, input, label);
}
