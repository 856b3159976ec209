import { inspect } from 'node:util';

/**
 * Everything a logger can print of an error, as one text to search for a secret: its message, JSON,
 * `util.inspect` and stack, then — as pino's err serializer does — each enumerable own field of it and of every
 * error down its `cause` chain and an AggregateError's `errors` (10 levels).
 *
 * @example
 * ```ts
 * expect(loggableText(err)).not.toContain('1-2345-67890-12-1');
 * ```
 */
export function loggableText(err: Error): string {
  const parts = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.stack)];
  const walk = (e: unknown, depth: number): void => {
    if (depth > 10 || typeof e !== 'object' || e === null) return;
    const x = e as Error & { errors?: unknown };
    parts.push(String(x.message), String(x.stack));
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(x)) own[key] = (x as unknown as Record<string, unknown>)[key];
    parts.push(inspect(own, { depth: 10 }));
    if (Array.isArray(x.errors)) for (const inner of x.errors) walk(inner, depth + 1);
    if (x.cause !== undefined) walk(x.cause, depth + 1);
  };
  walk(err, 0);
  return parts.join('\n');
}
