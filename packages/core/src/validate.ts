import type { z } from 'zod';
import { invalidArgument } from './errors.js';

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
