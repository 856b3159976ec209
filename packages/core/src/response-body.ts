import { isUtf8 } from 'node:buffer';
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

/**
 * Parses JSON; an empty body is `undefined`. The text is UTF-8 (a byte-order mark is skipped, RFC 8259 §8.1) unless
 * `contentType` declares another charset (a legacy Thai server's TIS-620 / windows-874), which is then honoured.
 * Bytes that are not text in that charset, or not JSON, are ERR_RESPONSE_PARSE (the body is not echoed).
 */
export function parseJsonBody(
  bytes: Uint8Array,
  errorOptions: LazyErrorOptions = {},
  contentType?: string,
): unknown {
  if (bytes.byteLength === 0) return undefined;
  const text = parseTextBody(bytes, errorOptions, contentType);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HttpError('ERR_RESPONSE_PARSE', 'The response body is not valid JSON', {
      ...resolve(errorOptions),
      cause,
    });
  }
}

/** The body as text, decoded strictly as `parseJsonBody` does; failure is ERR_RESPONSE_PARSE. */
export function parseTextBody(
  bytes: Uint8Array,
  errorOptions: LazyErrorOptions = {},
  contentType?: string,
): string {
  const decoded = decodeBodyText(bytes, contentType, true);
  if (typeof decoded === 'string') return decoded;
  throw new HttpError('ERR_RESPONSE_PARSE', decoded.problem, { ...resolve(errorOptions), retryable: false });
}

const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'us-ascii', 'ascii']);

const CHARSET_PARAMETER = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * The last few distinct Content-Type values that declare something and the charset each declares: a server sends
 * the same one on every response, so the regular expression runs once per spelling, not once per response.
 * Exact string keys, so a hit gives what the expression would; bounded (oldest overwritten), so it cannot grow.
 */
const CHARSET_CACHE_SIZE = 4;
const cachedTypes: string[] = [];
const cachedCharsets: (string | undefined)[] = [];
let nextSlot = 0;

/**
 * The charset a Content-Type declares, lower-cased, or undefined. The parameter's name is case-insensitive
 * (RFC 9110): a legacy server's `Charset=TIS-620` declares TIS-620.
 */
export function charsetOf(contentType: string | undefined): string | undefined {
  // A parameter needs a ";": a bare media type declares nothing, and costs no lookup.
  if (contentType === undefined || !contentType.includes(';')) return undefined;
  for (let i = 0; i < cachedTypes.length; i++) if (cachedTypes[i] === contentType) return cachedCharsets[i];
  const charset = CHARSET_PARAMETER.exec(contentType)?.[1]?.toLowerCase();
  cachedTypes[nextSlot] = contentType;
  cachedCharsets[nextSlot] = charset;
  nextSlot = (nextSlot + 1) % CHARSET_CACHE_SIZE;
  return charset;
}

/**
 * Decodes a body as the Content-Type says (UTF-8 unless it declares another charset), skipping a byte-order mark.
 * `strict`: bytes that are not valid in the charset, or a charset nobody knows, give `{ problem }`; otherwise
 * they become U+FFFD (for previews in errors).
 */
export function decodeBodyText(
  bytes: Uint8Array,
  contentType: string | undefined,
  strict: boolean,
): string | { problem: string } {
  const charset = charsetOf(contentType);
  if (charset !== undefined && !UTF8_LABELS.has(charset)) {
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder(charset, { fatal: strict });
    } catch {
      if (strict)
        return { problem: `The response declares a charset that is not supported (${charset.slice(0, 40)})` };
      decoder = new TextDecoder('utf-8');
    }
    try {
      return decoder.decode(bytes);
    } catch {
      return { problem: `The response body is not valid ${charset.slice(0, 40)} text` };
    }
  }
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A U+FFFD is either in the data or stands for bytes that are not UTF-8: only then is the whole body checked.
  if (strict && text.includes('\uFFFD') && !isUtf8(bytes)) {
    return { problem: 'The response body is not valid UTF-8, and declares no other charset' };
  }
  return text;
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
