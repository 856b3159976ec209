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

/** Validates with a zod schema; failure is ERR_RESPONSE_SCHEMA with paths and messages, never values. */
export function validateBody<T>(
  value: unknown,
  schema: z.ZodType<T>,
  errorOptions: LazyErrorOptions = {},
): T {
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
