import type { z } from 'zod';
import { HttpError, type HttpErrorOptions, ResponseSchemaError } from './errors.js';

/**
 * JSON and schema handling of a response body, shared by the transport and by clients that read the raw
 * bytes themselves (to digest them for the audit log) and parse afterwards.
 */

/**
 * What an error carries about the exchange; a function is called only when there is an error (building them
 * decodes and redacts the body, which a success does not need).
 */
export type LazyErrorOptions = HttpErrorOptions | (() => HttpErrorOptions);

const resolve = (o: LazyErrorOptions): HttpErrorOptions => (typeof o === 'function' ? o() : o);

/** Parses UTF-8 JSON; an empty body is `undefined`. Failure is ERR_RESPONSE_PARSE (the body is not echoed). */
export function parseJsonBody(bytes: Uint8Array, errorOptions: LazyErrorOptions = {}): unknown {
  if (bytes.byteLength === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new HttpError('ERR_RESPONSE_PARSE', 'The response body is not valid JSON', {
      ...resolve(errorOptions),
      cause,
    });
  }
}

/** What a fast decoder returns for a value it does not decide: zod parses that value instead. */
export const UNDECIDED: unique symbol = Symbol('thgov.undecided');

const fastDecoders = new WeakMap<object, (value: unknown) => unknown>();

/**
 * Gives a response schema a hand-written decoder for its common case (a hot record: every lookup parses
 * one). For a value it accepts the decoder must return exactly what zod's `parse` returns; for anything else
 * (a value zod might reject, or one it does not want to reason about) it returns `UNDECIDED`, and zod parses
 * the value, so failures are explained by zod as before. A differential test against zod must guard each
 * decoder. Returns the schema.
 */
export function withFastPath<S extends object>(schema: S, decode: (value: unknown) => unknown): S {
  fastDecoders.set(schema, decode);
  return schema;
}

/** The fast decoder given to `schema` by `withFastPath`, if any (for differential tests). */
export function fastPathOf(schema: object): ((value: unknown) => unknown) | undefined {
  return fastDecoders.get(schema);
}

/** Validates with a zod schema; failure is ERR_RESPONSE_SCHEMA with paths and messages, never values. */
export function validateBody<T>(
  value: unknown,
  schema: z.ZodType<T>,
  errorOptions: LazyErrorOptions = {},
): T {
  const fast = fastDecoders.get(schema);
  if (fast) {
    const decided = fast(value);
    if (decided !== UNDECIDED) return decided as T;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ResponseSchemaError(
    result.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: i.message,
      code: i.code,
    })),
    resolve(errorOptions),
  );
}
