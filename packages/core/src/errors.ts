import { redactText, redactValue } from './redact.js';

/**
 * Every error code thgov can raise. Codes are part of the semver contract: a code is never renamed or
 * reused for another meaning; new codes may be added in minor releases. Each package adds its own
 * codes to this list (they are all documented in docs/errors.md).
 */
export const ERROR_CODES = {
  // arguments and configuration
  ERR_INVALID_ARG: 'An argument or option is missing, of the wrong type or out of range.',
  ERR_INVALID_CONFIG: 'A configuration value is invalid.',
  // transport
  ERR_HTTP: 'The server answered with an HTTP status that is not a success.',
  ERR_TIMEOUT: 'A connect, headers, body, body-throughput or total deadline passed.',
  ERR_ABORTED: 'The caller aborted the operation through its AbortSignal.',
  ERR_NETWORK: 'The connection failed or was reset before a complete response arrived.',
  ERR_TLS:
    'The TLS handshake failed (untrusted or expired certificate, name mismatch, client certificate refused).',
  ERR_RESPONSE_TOO_LARGE: 'The response body was larger than the configured limit.',
  ERR_RESPONSE_PARSE: 'The response body could not be parsed (for example invalid JSON).',
  ERR_RESPONSE_SCHEMA: 'The response did not match the expected schema.',
  ERR_RETRY_BUDGET: 'Retries were stopped because the retry budget for this upstream is spent.',
  ERR_CLIENT_CLOSED: 'The client was closed; create a new one.',
  // message signing
  ERR_JWS_INVALID: 'A detached JWS signature is missing, malformed or does not verify.',
  ERR_JWS_REPLAY: 'A signed message was seen before (replay) or is outside the clock-skew window.',
  // audit
  ERR_AUDIT_CHAIN: 'The audit log hash chain is broken (a record was edited, removed or reordered).',
  ERR_AUDIT_IO: 'The audit log could not be written or read.',
  ERR_AUDIT_ANCHOR:
    'The audit log is shorter than its anchor or differs from it (the newest records were removed), or the anchor is missing, malformed or forged.',
  ERR_AUDIT_KEY:
    'A record or anchor of the audit log is authenticated with a chain key id that was not given.',
  ERR_AUDIT_LOCK: 'Another process held the audit log lock for longer than the lock time-out.',
  // PostgreSQL stores (several replicas)
  ERR_POSTGRES_DRIVER:
    "A PostgreSQL store was asked for but the optional peer dependency 'pg' is not installed.",
  ERR_POSTGRES:
    'A PostgreSQL operation failed (the cause carries the SQLSTATE; `retryable` when it was transient).',
  ERR_POSTGRES_SCHEMA:
    'The PostgreSQL schema is missing, not migrated to the version this code needs, or newer than it knows.',
  // identifiers
  ERR_THAI_ID: 'A Thai citizen or juristic ID is malformed or its check digit is wrong.',
  ERR_BE_DATE: 'A Buddhist-era date is malformed or out of range.',
  ERR_LASER_CODE: 'An ID-card laser code is malformed.',
} as const;

/** A code of @thgov/core's own (the keys of {@link ERROR_CODES}). */
export type CoreErrorCode = keyof typeof ERROR_CODES;
/**
 * Codes are strings; packages extend the set with their own documented codes. Each package's error class
 * narrows `code` to that package's union (`GdxError.code: ExchangeErrorCode`), so a typo fails to compile.
 */
export type ErrorCode = CoreErrorCode | (string & {});

/** What every thgov error may carry: a cause, whether a retry could succeed, a hint and details. */
export interface ThGovErrorOptions {
  cause?: unknown;
  /** Whether repeating the same call could succeed. */
  retryable?: boolean;
  /** Extra hint shown to the developer: what to check or do next. */
  hint?: string;
  /**
   * The request never reached the server (connect refused or timed out, DNS failure), so repeating it is
   * safe whatever the method. Read by the retry loop through {@link ThGovError.notSent}.
   */
  notSent?: boolean;
  /** The delay the server asked for before a retry (Retry-After, already capped), in milliseconds. */
  retryAfterInMs?: number;
}

const THGOV_ERROR_BRAND = Symbol.for('thgov.error');

/**
 * Base of every error thgov throws. Messages and `toJSON()` pass through the redactor, so a secret
 * or a citizen ID that slipped into a message does not leave the process in a log line. `C` is the union
 * of codes the error can carry: each package's error class fixes it to its own code union.
 */
export class ThGovError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  /**
   * `true` when the request never reached the server (see {@link ThGovErrorOptions.notSent}); absent
   * otherwise. Set only through the constructor, so a rename on either side fails to compile.
   */
  declare readonly notSent?: true;
  /** The delay the server asked for before a retry, in milliseconds; absent when it asked for none. */
  declare readonly retryAfterInMs?: number;
  /**
   * Set to `true` by the retry loop when it stopped retrying this error because the upstream's retry
   * budget was spent (the error is then thrown as it is, so the field is written after construction).
   */
  declare retryBudgetExhausted?: boolean;

  constructor(code: C, message: string, options: ThGovErrorOptions = {}) {
    super(
      redactText(message),
      options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) },
    );
    this.name = 'ThGovError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint === undefined ? undefined : redactText(options.hint);
    // Own keys only when set: toJSON() lists own keys, and an error without them serializes as before.
    if (options.notSent === true) this.notSent = true;
    if (options.retryAfterInMs !== undefined) this.retryAfterInMs = options.retryAfterInMs;
    Object.defineProperty(this, THGOV_ERROR_BRAND, { value: true });
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.hint) out.hint = this.hint;
    for (const key of Object.keys(this)) {
      if (key in out || key === 'cause' || key === 'stack') continue;
      out[key] = redactValue((this as unknown as Record<string, unknown>)[key]);
    }
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    return out;
  }

  /** node:util.inspect uses this, so console.log(err) is redacted too. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const json = this.toJSON();
    const stack = this.stack ? redactText(this.stack) : `${this.name}: ${this.message}`;
    const extra = { ...json };
    delete extra.name;
    delete extra.message;
    return `${stack} ${JSON.stringify(extra, null, 2)}`;
  }
}

function describeCause(cause: unknown): unknown {
  // A guard match from another copy (or a look-alike) may lack toJSON: serialization must never throw.
  if (isThGovError(cause) && typeof (cause as { toJSON?: unknown }).toJSON === 'function')
    return cause.toJSON();
  if (cause instanceof Error) {
    const c = sanitizeCause(cause) as Error & { code?: unknown };
    return { name: c.name, message: redactText(c.message), ...(c.code ? { code: c.code } : {}) };
  }
  return redactValue(cause);
}

/**
 * A foreign cause (an HTTP client's, a parser's, a driver's error) as it may be kept: loggers copy a cause's
 * enumerable fields, walk its own causes for messages and stacks, and serialize an AggregateError's `errors`
 * (pino's err serializer does all three), so none of them may carry what the call sent or received, which
 * redaction cannot always recognise (a name). A cause that carries nothing but what tells what failed (name,
 * message, the fields in {@link SAFE_FIELDS}, harmless causes of its own) is kept as it is. Any other is
 * replaced by a copy that keeps the name, the redacted message, the safe fields, the stack frames and its own
 * causes and `errors` sanitized the same way, down to {@link MAX_CAUSE_DEPTH}; its other fields and a cause
 * that is not an error (a response body, claims) are dropped. Messages that quote their input are cut: V8's
 * JSON SyntaxError quotes the body (`Unexpected token 'ส', "สมหญิง รัก"... is not valid JSON`), Node's URL
 * errors keep the URL in `input`.
 */
export function sanitizeCause(cause: unknown): unknown {
  try {
    return sanitizeAt(cause, 0);
  } catch {
    // A hostile cause (a Proxy, a throwing getter) must not make building the error throw instead.
    return new SanitizedError('(a cause that could not be read)');
  }
}

/**
 * Fields of a foreign error that say what failed, never with what: codes, the system call, the peer's
 * address and port (configuration, not input), HTTP statuses, and the schema objects a database names
 * (PostgreSQL's table, column, constraint; never its `detail`, which quotes the row). Only primitive
 * values are kept.
 */
const SAFE_FIELDS = new Set([
  'name',
  'code',
  'errno',
  'syscall',
  'address',
  'port',
  'path',
  'dest',
  'status',
  'statusCode',
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
  'routine',
]);
/** How deep a cause chain (causes and `errors`) is followed; deeper causes are cut off. */
const MAX_CAUSE_DEPTH = 8;
const MAX_AGGREGATED = 32;

function sanitizeAt(cause: unknown, depth: number): unknown {
  if (!(cause instanceof Error) || isThGovError(cause) || SANITIZED.has(cause)) return cause;
  if (depth <= MAX_CAUSE_DEPTH && isHarmless(cause, depth)) return cause;
  const quotes = quotesInput(cause);
  const message = quotes ? sanitizedMessage(cause.message) : redactText(String(cause.message ?? ''));
  const copy: Error =
    cause instanceof SyntaxError
      ? new SanitizedSyntaxError(message)
      : cause instanceof AggregateError
        ? new SanitizedAggregateError(message)
        : new SanitizedError(message);
  copy.name = typeof cause.name === 'string' ? cause.name : 'Error';
  for (const key of Object.keys(cause)) {
    const value = (cause as unknown as Record<string, unknown>)[key];
    if (key !== 'name' && SAFE_FIELDS.has(key) && isSafeValue(value))
      Object.defineProperty(copy, key, { value: safeValue(value), enumerable: true });
  }
  // A code the error does not list as its own field (a getter, a prototype's) still tells what failed.
  const code = (cause as { code?: unknown }).code;
  if (!('code' in copy) && (typeof code === 'string' || typeof code === 'number'))
    Object.defineProperty(copy, 'code', { value: code, enumerable: true });
  if (depth < MAX_CAUSE_DEPTH) {
    // Not enumerable, as the cause an Error's constructor sets.
    const inner = (cause as { cause?: unknown }).cause;
    if (inner instanceof Error)
      Object.defineProperty(copy, 'cause', {
        value: sanitizeAt(inner, depth + 1),
        writable: true,
        configurable: true,
      });
    const errors = (cause as { errors?: unknown }).errors;
    if (Array.isArray(errors))
      Object.defineProperty(copy, 'errors', {
        value: errors.slice(0, MAX_AGGREGATED).map((e) => sanitizeAt(e, depth + 1)),
        writable: true,
        configurable: true,
      });
  }
  const frames = String(cause.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line));
  copy.stack = [`${copy.name}: ${message}`, ...frames].join('\n');
  SANITIZED.add(copy);
  return copy;
}

function quotesInput(cause: Error): boolean {
  return cause instanceof SyntaxError || cause.name === 'SyntaxError' || 'input' in cause;
}

const isSafeValue = (value: unknown) =>
  typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string';
const safeValue = (value: unknown) => (typeof value === 'string' ? redactText(value) : value);

/** True when the cause can be kept as it is: see {@link sanitizeCause}. */
function isHarmless(cause: Error, depth: number): boolean {
  if (quotesInput(cause)) return false;
  for (const key of Object.keys(cause)) {
    const value = (cause as unknown as Record<string, unknown>)[key];
    if (!SAFE_FIELDS.has(key) || !isSafeValue(value) || safeValue(value) !== value) return false;
  }
  if (redactText(String(cause.message ?? '')) !== cause.message) return false;
  const errors = (cause as { errors?: unknown }).errors;
  if (errors !== undefined && !(Array.isArray(errors) && errors.length === 0)) return false;
  const inner = (cause as { cause?: unknown }).cause;
  if (inner === undefined) return true;
  return inner instanceof Error && depth < MAX_CAUSE_DEPTH && sanitizeAt(inner, depth + 1) === inner;
}

const SANITIZED = new WeakSet<Error>();

/** The copy {@link sanitizeCause} makes of a cause; its safe fields are defined on it one by one. */
class SanitizedError extends Error {}

/** {@link SanitizedError} for a SyntaxError cause, so `instanceof SyntaxError` still holds. */
class SanitizedSyntaxError extends SyntaxError {}

/** {@link SanitizedError} for an AggregateError cause; its `errors` are sanitized copies. */
class SanitizedAggregateError extends AggregateError {
  constructor(message: string) {
    super([], message);
  }
}

// The quoted input goes, the parser's own words and position stay: `Unexpected token, "…" is not valid JSON`.
function sanitizedMessage(message: string): string {
  return redactText(message.replace(/"[\s\S]*"(?:\.\.\.)?/, '"…"').replace(/(token) '[\s\S]{1,2}'/u, '$1'));
}

/** The request as it appears on an error: method, URL and headers, all redacted. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** The response as it appears on an error: status, headers and at most a few KiB of body text. */
export interface TruncatedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** True when `body` was cut. */
  truncated: boolean;
}

/** What an `HttpError` is built from: the status, request ID, attempt and the redacted request and response. */
export interface HttpErrorOptions extends ThGovErrorOptions {
  statusCode?: number;
  requestId?: string;
  attempt?: number;
  request?: RedactedRequest;
  response?: TruncatedResponse;
}

/** Any failure of an HTTP exchange: a status that is not a success, or a protocol-level error from a platform. */
export class HttpError<C extends ErrorCode = ErrorCode> extends ThGovError<C> {
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  readonly attempt: number | undefined;
  readonly request: RedactedRequest | undefined;
  readonly response: TruncatedResponse | undefined;

  constructor(code: C, message: string, options: HttpErrorOptions = {}) {
    super(code, message, options);
    this.name = 'HttpError';
    this.statusCode = options.statusCode;
    this.requestId = options.requestId;
    this.attempt = options.attempt;
    this.request = options.request;
    this.response = options.response;
  }

  /**
   * A copy of this error that carries the exchange's context (request ID, status, attempt), for an error
   * raised before that context was known (a body limit or a throughput guard inside the body reader).
   * The copy keeps the code, message, hint, cause and retry fields; subclasses with extra constructor
   * arguments override it.
   */
  withExchange(context: ExchangeContext): HttpError<C> {
    return new HttpError(this.code, this.message, { ...this.#copyOptions(), ...context });
  }

  /** The constructor options that rebuild this error (used by {@link HttpError.withExchange}). */
  protected copyOptions(): HttpErrorOptions {
    return this.#copyOptions();
  }

  #copyOptions(): HttpErrorOptions {
    return {
      cause: this.cause,
      retryable: this.retryable,
      hint: this.hint,
      notSent: this.notSent,
      retryAfterInMs: this.retryAfterInMs,
      statusCode: this.statusCode,
      requestId: this.requestId,
      attempt: this.attempt,
      request: this.request,
      response: this.response,
    };
  }
}

/** What an exchange adds to an error raised inside it: see {@link HttpError.withExchange}. */
export interface ExchangeContext {
  requestId?: string;
  statusCode?: number;
  attempt?: number;
}

/** Which deadline passed; `throughput`: the body arrived slower than the minimum over `timeoutInMs`. */
export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'throughput' | 'total';

export class TimeoutError extends HttpError<'ERR_TIMEOUT'> {
  readonly phase: TimeoutPhase;
  readonly timeoutInMs: number;
  constructor(phase: TimeoutPhase, timeoutInMs: number, options: HttpErrorOptions = {}) {
    const message =
      phase === 'throughput'
        ? `The response body arrived too slowly (below the minimum throughput over ${timeoutInMs} ms)`
        : `The ${phase} timeout of ${timeoutInMs} ms passed`;
    super('ERR_TIMEOUT', message, {
      retryable: phase !== 'total',
      ...options,
    });
    this.name = 'TimeoutError';
    this.phase = phase;
    this.timeoutInMs = timeoutInMs;
  }

  /** A copy carrying the exchange's context; see {@link HttpError.withExchange}. */
  override withExchange(context: ExchangeContext): TimeoutError {
    return new TimeoutError(this.phase, this.timeoutInMs, { ...this.copyOptions(), ...context });
  }
}

/**
 * Raised when the caller's AbortSignal fires; never retried. `reason` is the signal's reason (an error carrying
 * input is replaced by a sanitized copy, as a cause is).
 */
export class AbortError extends ThGovError<'ERR_ABORTED'> {
  readonly reason: unknown;
  constructor(reason?: unknown) {
    super('ERR_ABORTED', 'The operation was aborted', { cause: reason });
    this.name = 'AbortError';
    // The same value as the cause: a logger copies this field as it is, so it is sanitized the same way.
    this.reason = sanitizeCause(reason);
  }
}

/** One zod issue of a response that failed its schema (path, message, code), without the value. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** A response that arrived but does not have the shape the SDK expects. Values are never included. */
export class ResponseSchemaError extends HttpError<'ERR_RESPONSE_SCHEMA'> {
  readonly issues: SchemaIssue[];
  constructor(issues: SchemaIssue[], options: HttpErrorOptions = {}) {
    const first = issues[0];
    const where = first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : '';
    super('ERR_RESPONSE_SCHEMA', `The response does not match the expected schema${where}`, options);
    this.name = 'ResponseSchemaError';
    this.issues = issues;
  }
}

const BUILTIN_ERROR_NAMES = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'SystemError',
]);

/**
 * True for any thgov error, also one thrown by another copy of @thgov/core (two versions installed
 * side by side), which `instanceof` would miss. With `code`, also checks the code and narrows to it.
 * Each package has a guard of the same shape that only accepts its own codes (`isGdxError(err, code?)`).
 *
 * @example
 * ```ts
 * if (isThGovError(err, 'ERR_TIMEOUT')) console.warn(err.code, err.hint);
 * ```
 */
export function isThGovError<C extends ErrorCode = ErrorCode>(
  value: unknown,
  code?: C,
): value is ThGovError<C> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; name?: unknown; [THGOV_ERROR_BRAND]?: unknown };
  // The brand is a registered symbol, so it survives duplicate package copies. The name/code fallback is for
  // errors that lost it (structured clone); Node's own errors (TypeError [ERR_INVALID_URL]) must not match.
  const branded =
    v[THGOV_ERROR_BRAND] === true ||
    (typeof v.code === 'string' &&
      v.code.startsWith('ERR_') &&
      typeof v.name === 'string' &&
      v.name.endsWith('Error') &&
      !BUILTIN_ERROR_NAMES.has(v.name) &&
      value instanceof Error);
  if (!branded) return false;
  return code === undefined || v.code === code;
}

/**
 * True for a thgov error of @thgov/core's own codes; with `code` (one of {@link CoreErrorCode}), also
 * checks and narrows the code. A code that is not core's fails to compile.
 *
 * @example
 * ```ts
 * if (isCoreError(err, 'ERR_TLS')) console.error('check the CA file:', err.hint);
 * ```
 */
export function isCoreError<C extends CoreErrorCode = CoreErrorCode>(
  value: unknown,
  code?: C,
): value is ThGovError<C> {
  return isThGovError(value, code) && Object.hasOwn(ERROR_CODES, value.code);
}

/** True for an `HttpError`: a response arrived with an error status, or a network failure of one request. */
export function isHttpError(value: unknown): value is HttpError {
  return isThGovError(value) && 'statusCode' in value && 'requestId' in value;
}

/** True for a `TimeoutError` (`ERR_TIMEOUT`): connect, headers, body, throughput or total deadline. */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return isThGovError(value, 'ERR_TIMEOUT');
}

/** True for the error of a call stopped by its `abortSignal` (`ERR_ABORTED`). */
export function isAbortError(value: unknown): value is AbortError {
  return isThGovError(value, 'ERR_ABORTED');
}

/** A TypeError carrying a code, as Node's own argument errors do (made by {@link invalidArgument}). */
export class CodedTypeError extends TypeError {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(redactText(message), codedOptions(options));
    this.code = code;
  }
}

// The cause of a coded argument error is sanitized as a ThGovError's is (it may be a serializer's error).
function codedOptions(options: { cause?: unknown } | undefined): { cause?: unknown } | undefined {
  return options?.cause === undefined ? options : { cause: sanitizeCause(options.cause) };
}

/** A RangeError carrying a code (made by {@link outOfRange}). */
export class CodedRangeError extends RangeError {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(redactText(message), codedOptions(options));
    this.code = code;
  }
}

/**
 * A wrong argument: a TypeError carrying a code, as Node's own argument errors do.
 *
 * @example
 * ```ts
 * if (typeof url !== 'string') throw invalidArgument('url must be a string');
 * ```
 */
export function invalidArgument(
  message: string,
  code: ErrorCode = 'ERR_INVALID_ARG',
  options?: { cause?: unknown },
): CodedTypeError {
  return new CodedTypeError(message, code, options);
}

/** An argument outside its allowed range: a RangeError carrying a code. */
export function outOfRange(
  message: string,
  code: ErrorCode = 'ERR_INVALID_ARG',
  options?: { cause?: unknown },
): CodedRangeError {
  return new CodedRangeError(message, code, options);
}
