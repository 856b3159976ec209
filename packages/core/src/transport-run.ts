// The request pipeline of `Transport`: loaded by the first request, so that importing @thgov/core (and every
// client package built on it) does not compile it (cold start). `Transport` keeps the client's configuration in a
// `TransportState`; every function here reads it from there.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { nodeStream, randomUUID } from './builtins.js';
import { ACCEPT_ENCODING, codingsOf, decodeContent, decodeContentStream } from './content-coding.js';
import { type Deadline, raceSignal, startDeadline } from './deadline.js';
import { DEFAULT_TIMEOUTS } from './dispatcher.js';
import {
  HttpError,
  type HttpErrorOptions,
  invalidArgument,
  isThGovError,
  outOfRange,
  type RedactedRequest,
  type ThGovError,
  TimeoutError,
  type TruncatedResponse,
} from './errors.js';
import type { MessageSigner, MessageVerifier, OperationOptions, TimeoutOptions } from './options.js';
import { REDACTED, redactHeaders, redactPreview, redactText, redactUrl } from './redact.js';
import { decodeBodyText, parseJsonBody, parseTextBody, validateBody } from './response-body.js';
import { ATTEMPT_DEADLINE, type AttemptDeadline } from './response-guard.js';
import {
  isIdempotentCall,
  parseRetryAfter,
  type RetryAttemptInfo,
  runWithRetry,
  settledAfterSend,
} from './retry.js';
import { type Masker, maskError, maskerFor } from './sensitive-values.js';
import { SIGNATURE_HEADER } from './signing/canonical.js';
import { errorType, redactUrlForSpan, TELEMETRY_NAMES, type TelemetrySpan } from './telemetry/index.js';
import type {
  HttpMethod,
  RawResponse,
  RequestBody,
  RequestSpec,
  ResponseType,
  StreamRequestBody,
  TransportResponse,
  TransportState,
} from './transport.js';
import {
  checkJsonText,
  checkRequestPath,
  fieldName,
  isWellFormed,
  LONE_SURROGATE,
  unsendable,
} from './transport-checks.js';
import { PROXY_TUNNEL_CLOSED, PROXY_TUNNEL_REFUSED } from './transport-proxy/tunnel-client.js';

/** One call as its attempts share it. */
interface Call<T> {
  spec: RequestSpec<T>;
  started: number;
  requestId: string;
  method: HttpMethod;
  target: string;
  /** The call's name for logs, hooks and spans (built at its first use). */
  operation: () => string;
  /**
   * The call's name for metric attributes: the operation it was given, else only its method. A path holds IDs
   * (a dataset, a letter, a person), and each value of a metric attribute is a series the collector keeps.
   */
  metricOperation: string;
  body: Uint8Array | string | undefined;
  /** A streamed body's source, opened once per attempt. */
  open: StreamRequestBody['stream'] | undefined;
  /** What `open` returned for the last attempt: it cannot give the body again. */
  opened: object | undefined;
  headers: Record<string, string>;
  repeatable: boolean;
  redactedRequest: () => RedactedRequest;
  deadline: Deadline;
  attemptDeadline: AttemptDeadline | undefined;
  signal: AbortSignal | undefined;
  remainingInMs: () => number;
  /** Masks the call's `sensitiveValues`, when it has any. */
  mask: Masker | undefined;
  /** The streamed body handed to the caller: the call's deadline and abort bind it until it closes. */
  live?: Readable;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_PREVIEW = 2048;
const EMPTY = new Uint8Array(0);

/** Error codes of undici/Node that mean the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  PROXY_TUNNEL_CLOSED,
]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CONNECT_TIMEOUT',
  PROXY_TUNNEL_CLOSED,
]);
const PROXY_TUNNEL_HINT =
  'The proxy closed the connection before the tunnel to the platform was open: check that it allows this host ' +
  'and port (its access list), and that it is an HTTP proxy that accepts CONNECT.';
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL)/;

/** One call of `Transport.request`: the first attempt, then the retry loop from its first retryable failure. */
export async function runRequest<T>(
  s: TransportState,
  spec: RequestSpec<T>,
  options: OperationOptions,
): Promise<TransportResponse<T>> {
  checkOperationOptions(spec, options);
  const call = prepareCall(s, spec, options);
  const span = startHttpSpan(s, call);
  try {
    // Happy path without the retry machinery; p-retry takes over from the first failure (its first
    // "attempt" re-throws that failure, so attempt numbers and the retry decision stay in one place).
    let firstError: unknown;
    try {
      const res = await attemptOnce(s, call, 1);
      s.budget?.onSuccess();
      endHttpSpan(s, call, span, res.statusCode);
      return res;
    } catch (err) {
      if (s.retry.maxRetries === 0 || !isThGovError(err) || !err.retryable || call.signal?.aborted) throw err;
      firstError = err;
    }
    const res = await runWithRetry((n) => (n === 1 ? Promise.reject(firstError) : attemptOnce(s, call, n)), {
      policy: s.retry,
      budget: s.budget,
      signal: call.signal,
      repeatable: call.repeatable,
      remainingInMs: call.remainingInMs,
      onRetry: (info) => noteRetry(s, call, info, span),
    });
    s.budget?.onSuccess();
    endHttpSpan(s, call, span, res.statusCode);
    return res;
  } catch (err) {
    const final = finalError(s, call, err);
    endHttpSpan(s, call, span, (final as { statusCode?: number }).statusCode, final);
    throw final;
  } finally {
    releaseDeadline(call);
  }
}

/** The timeouts in effect (as `Transport.timeouts`). */
function timeoutsOf(s: TransportState): Required<TimeoutOptions> {
  return { ...DEFAULT_TIMEOUTS, ...s.options.timeouts };
}

/** Identity, headers, body and deadlines of one call, shared by its attempts. */
function prepareCall<T>(s: TransportState, spec: RequestSpec<T>, options: OperationOptions): Call<T> {
  const started = performance.now();
  const requestId = options.requestId ?? randomUUID();
  const method = spec.method;
  const target = requestTarget(s, spec);
  const { body, contentType, open, contentLength } = encodeBody(spec.body);
  if (open && s.options.signer) {
    throw invalidArgument(
      'A streamed request body cannot be signed; send bytes, or use a client without signer',
    );
  }
  const headers = mergeHeaders({}, s.defaultHeaders);
  // Lower-case names already: set as mergeHeaders would, in the same order, without an object in between.
  headers['user-agent'] = s.userAgent;
  headers['x-request-id'] = requestId;
  if (contentType) headers['content-type'] = contentType;
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  if (spec.headers) mergeHeaders(headers, spec.headers);
  if (!('accept-encoding' in headers)) headers['accept-encoding'] = ACCEPT_ENCODING;
  const mask = maskerFor(spec.sensitiveValues);
  let repeatable = isIdempotentCall(spec);
  if (!repeatable && spec.idempotencyKey !== undefined) {
    headers['idempotency-key'] = spec.idempotencyKey === true ? randomUUID() : spec.idempotencyKey;
    repeatable = true;
  }
  checkHeaders(headers);
  const redactedRequest = (): RedactedRequest => {
    const url = redactUrl(s.origin + target);
    const sent = redactHeaders(headers);
    return { method, url: mask ? mask(url) : url, headers: mask ? maskHeaderValues(sent, mask) : sent };
  };
  // One signal for the caller's abort and a configured total deadline. The default total needs no timer
  // of its own when the dispatcher's response guard enforces it (the hot path). Streaming calls have no
  // default total: a large upload or download must not be cut at a fixed time.
  const onTimeout = (ms: number) => new TimeoutError('total', ms, { requestId, request: redactedRequest() });
  const streaming = spec.streaming === true || spec.responseType === 'stream' || open !== undefined;
  // A streaming call has no total unless the call sets one: its deadline binds the whole body (see releaseDeadline).
  const configuredTotal = options.timeoutInMs ?? (streaming ? undefined : s.options.timeouts?.totalInMs);
  const defaultTotal = configuredTotal === undefined && !streaming ? DEFAULT_TIMEOUTS.totalInMs : undefined;
  const attemptDeadline: AttemptDeadline | undefined =
    defaultTotal !== undefined && s.guarded
      ? { at: started + defaultTotal, error: () => onTimeout(defaultTotal) }
      : undefined;
  const deadline = startDeadline({
    abortSignal: options.abortSignal,
    timeoutInMs: attemptDeadline ? undefined : (configuredTotal ?? defaultTotal),
    onTimeout,
  });
  return {
    spec,
    started,
    requestId,
    method,
    target,
    operation: namedOperation(spec.operation, method, spec.path, mask),
    metricOperation: spec.operation ?? method,
    body,
    open,
    opened: undefined,
    headers,
    repeatable,
    redactedRequest,
    deadline,
    attemptDeadline,
    signal: deadline.signal,
    remainingInMs: attemptDeadline
      ? () => attemptDeadline.at - performance.now()
      : () => deadline.remainingInMs(),
    mask,
  };
}

/** Adds the signature headers of the configured signer to the call's headers (every attempt signs anew). */
async function signCall(s: TransportState, signer: MessageSigner, call: Call<unknown>): Promise<void> {
  const signed = await signer.sign({
    method: call.method,
    target: call.target,
    body: toBytes(call.body),
    requestId: call.requestId,
    authority: s.server.authority,
  });
  checkHeaders(signed.headers);
  mergeHeaders(call.headers, signed.headers);
}

/** One attempt: send, read the body within its limit, classify, verify, parse and validate. */
async function attemptOnce<T>(
  s: TransportState,
  call: Call<T>,
  attempt: number,
): Promise<TransportResponse<T>> {
  const { spec, method, requestId, signal } = call;
  call.headers['x-request-attempt'] = String(attempt);
  if (s.options.signer) await signCall(s, s.options.signer, call);
  const attemptStart = performance.now();
  // Built only for an error: redacting the request costs more than a successful attempt's own work.
  const context = (): HttpErrorOptions => ({ requestId, attempt, request: call.redactedRequest() });
  const res = await sendCall(s, call, context);
  const resHeaders = flattenHeaders(res.headers);
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  const limit = spec.maxResponseBytes ?? s.maxResponseBytes;
  const done = (body: T) => ({
    statusCode: res.statusCode,
    headers: resHeaders,
    body,
    requestId,
    attempts: attempt,
    durationInMs: performance.now() - call.started,
  });
  const codings = responseCodings(res, resHeaders, { requestId, statusCode: res.statusCode, attempt });
  const verifier = s.options.responseVerifier;
  if (spec.responseType === 'stream' && ok && !spec.classify && !verifier) {
    emitResponse(s, call, res.statusCode, resHeaders, attempt, attemptStart, undefined);
    const body = contentless(method, res.statusCode)
      ? emptyInstead(res.body)
      : codings && !noContent(method, res.statusCode, resHeaders)
        ? decodeContentStream(res.body, codings)
        : res.body;
    call.live = limitStream(body, limit, requestId, (err) => networkError(s, err, signal, context()));
    return done(call.live as unknown as T);
  }
  // `received` as sent (what a response signature covers), `raw` with its content codings undone. A stream that
  // must be verified (or classified) is read whole first, within the same limit, and handed over afterwards.
  const tooBig = () =>
    tooLarge(limit, undefined, spec.responseType === 'stream' ? VERIFIED_STREAM_HINT : undefined);
  let received: Uint8Array;
  let raw: Uint8Array;
  try {
    received = contentless(method, res.statusCode)
      ? discardBody(res.body)
      : await readBody(res.body, limit, resHeaders['content-length'], tooBig);
    raw = codings ? await decodeReceived(received, codings, limit, tooBig, ok) : received;
  } catch (err) {
    if (err instanceof HttpError) throw err.withExchange({ requestId, statusCode: res.statusCode, attempt });
    if (isThGovError(err)) throw err;
    throw networkError(s, err, signal, context());
  }
  emitResponse(s, call, res.statusCode, resHeaders, attempt, attemptStart, raw);
  const rawResponse = new RawExchange(
    res.statusCode,
    resHeaders,
    raw,
    requestId,
    attempt,
    call.redactedRequest,
    call.mask,
  );
  // Nothing of a response steers the call before it is verified: not classify, not Retry-After.
  const trusted = verifier ? await verifiedResponse(verifier, call, rawResponse, received) : true;
  const classified = trusted ? spec.classify?.(rawResponse) : undefined;
  if (classified) throw call.mask ? maskError(classified, call.mask) : classified;
  if (!ok) throw statusError(rawResponse, method, spec.path, s.retry.maxRetryAfterInMs, trusted);
  const parsed = parseBody(spec.responseType ?? 'json', raw, rawResponse);
  return done(
    (spec.schema ? validateBody(parsed, spec.schema, () => rawResponse.errorOptions()) : parsed) as T,
  );
}

async function sendCall(
  s: TransportState,
  call: Call<unknown>,
  context: () => HttpErrorOptions,
): Promise<Dispatcher.ResponseData> {
  const options: Dispatcher.RequestOptions = {
    origin: s.origin,
    path: call.target,
    method: call.method,
    headers: call.headers,
    body: call.open ? openStream(call) : (call.body ?? null),
    signal: call.signal,
  };
  if (call.attemptDeadline) Object.assign(options, { [ATTEMPT_DEADLINE]: call.attemptDeadline });
  try {
    return await settledOnAbort(s.dispatcher.request(options), call.signal);
  } catch (err) {
    throw networkError(s, err, call.signal, context());
  }
}

/** The CLIENT span of one call (HTTP client semantic conventions; url.full with its query redacted). */
function startHttpSpan(s: TransportState, call: Call<unknown>): TelemetrySpan | undefined {
  if (!s.telemetry.enabled) return undefined;
  // url.full is redacted (credentials, query values, encoded non-ASCII path segments, citizen IDs) only for a
  // span that records.
  return s.telemetry.startSpan(
    call.method,
    'client',
    {
      'http.request.method': call.method,
      'server.address': s.server.address,
      'server.port': s.server.port,
      'thgov.request_id': call.requestId,
      'thgov.operation': call.operation(),
    },
    // The call's sensitiveValues (a card number in a path) are masked before the general URL redaction.
    () => ({ 'url.full': call.mask ? call.mask(s.origin + call.target) : s.origin + call.target }),
  );
}

function endHttpSpan(
  s: TransportState,
  call: Call<unknown>,
  span: TelemetrySpan | undefined,
  status?: number,
  err?: unknown,
): void {
  if (!span) return;
  if (typeof status === 'number') span.setAttributes({ 'http.response.status_code': status });
  if (err !== undefined) span.fail(err);
  span.end();
  s.telemetry.record(
    TELEMETRY_NAMES.httpClientDuration,
    (performance.now() - call.started) / 1000,
    {
      'http.request.method': call.method,
      'server.address': s.server.address,
      'http.response.status_code': status,
      'error.type': err === undefined ? undefined : errorType(err),
    },
    's',
    'Duration of a thgov HTTP call, retries included',
  );
}

function noteRetry(
  s: TransportState,
  call: Call<unknown>,
  info: RetryAttemptInfo,
  span?: TelemetrySpan,
): void {
  const statusCode = (info.error as HttpError).statusCode;
  const details = {
    requestId: call.requestId,
    attempt: info.attempt,
    delayInMs: info.delayInMs,
    delaySource: info.delaySource,
    errorCode: info.error.code,
    statusCode,
  };
  if (s.log.enabled('debug'))
    s.log.debug(`retrying ${call.operation()} after attempt ${info.attempt}`, details);
  span?.addEvent(TELEMETRY_NAMES.retryEvent, {
    'thgov.retry.attempt': info.attempt,
    'thgov.retry.delay_ms': info.delayInMs,
    'error.type': info.error.code,
    'http.response.status_code': statusCode,
  });
  s.telemetry.count(
    TELEMETRY_NAMES.retries,
    { 'thgov.operation': call.metricOperation, 'error.type': info.error.code },
    1,
    'Retries of thgov HTTP calls',
  );
  s.options.onRetry?.({ operation: call.operation(), ...details });
}

/** The error the call ends with (an abort or the total deadline wins over the interrupted attempt's), logged. */
function finalError(s: TransportState, call: Call<unknown>, err: unknown): unknown {
  const aborted = call.signal?.aborted && isThGovError(call.signal.reason) ? call.signal.reason : err;
  const final = settledAfterSend(aborted, call.repeatable);
  if (isThGovError(final) && final.retryBudgetExhausted === true) {
    s.log.warn(`retry budget exhausted; ${call.operation()} not retried`, {
      requestId: call.requestId,
    });
  }
  if (s.log.enabled('debug')) {
    s.log.debug(`${call.operation()} failed`, {
      requestId: call.requestId,
      errorCode: isThGovError(final) ? final.code : 'unknown',
      durationInMs: Math.round(performance.now() - call.started),
    });
  }
  return final;
}

function requestTarget(s: TransportState, spec: RequestSpec<unknown>): string {
  // The checks depend on the path alone: a client calling one service over and over checks its path once.
  if (spec.path !== s.sendablePath) {
    if (!spec.path.startsWith('/') || spec.path.startsWith('//')) {
      throw invalidArgument('Request path must start with a single "/"');
    }
    checkRequestPath(spec.path);
    s.sendablePath = spec.path;
  }
  const target = s.basePath + spec.path;
  if (!spec.query) return target;
  let pairs = '';
  for (const k of Object.keys(spec.query)) {
    const v = spec.query[k];
    if (v === undefined || v === null) continue;
    const key = queryPart(k, k);
    if (Array.isArray(v)) for (const item of v) pairs += `&${key}=${queryPart(k, String(item))}`;
    else pairs += `&${key}=${queryPart(k, String(v))}`;
  }
  if (!pairs) return target;
  return target + (target.includes('?') ? '&' : '?') + pairs.slice(1);
}

function emitResponse(
  s: TransportState,
  call: Call<unknown>,
  statusCode: number,
  headers: Record<string, string>,
  attempt: number,
  attemptStart: number,
  rawBody: Uint8Array | undefined,
): void {
  const hook = s.options.onResponse;
  const debug = s.log.enabled('debug');
  if (!hook && !debug) return;
  const durationInMs = performance.now() - attemptStart;
  const { method, requestId } = call;
  if (debug) {
    // The URL as the span's url.full: query values and path segments such as names or laser codes are personal data.
    const url = redactUrlForSpan(call.mask ? call.mask(s.origin + call.target) : s.origin + call.target);
    s.log.debug(`${method} ${url} → ${statusCode}`, {
      requestId,
      attempt,
      durationInMs: Math.round(durationInMs),
    });
  }
  if (hook) {
    // Redacted as an error's request URL is (the hook's documented promise): an access log may print it.
    const url = redactUrl(s.origin + call.target);
    try {
      hook({
        method,
        url: call.mask ? call.mask(url) : url,
        statusCode,
        headers,
        requestId,
        attempt,
        durationInMs,
        rawBody,
      });
    } catch {
      // A failing hook must not turn a good response into an error.
    }
  }
}

function networkError(
  s: TransportState,
  err: unknown,
  signal: AbortSignal | undefined,
  ctx: HttpErrorOptions,
): ThGovError {
  if (signal?.aborted && isThGovError(signal.reason)) return signal.reason;
  if (isThGovError(err)) return err;
  const e = err as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  const code = e?.code ?? e?.cause?.code ?? '';
  const t = timeoutsOf(s);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TimeoutError('connect', t.connectInMs, { ...ctx, cause: err, notSent: true });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new TimeoutError('headers', t.headersInMs, { ...ctx, cause: err });
  if (code === 'UND_ERR_BODY_TIMEOUT') return new TimeoutError('body', t.bodyInMs, { ...ctx, cause: err });
  if (TLS_CODE.test(code)) {
    return new HttpError('ERR_TLS', `TLS handshake with ${redactText(s.origin)} failed (${code})`, {
      ...ctx,
      cause: err,
      retryable: false,
      hint: 'Check the platform CA (tls.ca), the agency client certificate (tls.cert/key) and the host name.',
    });
  }
  if (code === PROXY_TUNNEL_REFUSED) return proxyRefusal(s.origin, err, ctx);
  const error = new HttpError(
    'ERR_NETWORK',
    `Network error talking to ${s.origin}: ${code || e?.message || 'unknown'}`,
    {
      ...ctx,
      cause: err,
      retryable: RETRYABLE_NETWORK_CODES.has(code),
      notSent: NOT_SENT_CODES.has(code),
      ...(code === PROXY_TUNNEL_CLOSED ? { hint: PROXY_TUNNEL_HINT } : {}),
    },
  );
  return error;
}

/**
 * A CONNECT the proxy answered with an error status: never sent to the platform. 407 and 403 are the proxy's
 * configuration (the same request is refused again: not retryable); a 5xx is the proxy failing to reach the platform,
 * which may pass.
 */
function proxyRefusal(origin: string, err: unknown, ctx: HttpErrorOptions): HttpError {
  const status = (err as { proxyStatus?: number }).proxyStatus ?? 0;
  return new HttpError(
    'ERR_NETWORK',
    `Network error talking to ${origin}: the proxy answered ${status} to the CONNECT (no tunnel was opened)`,
    {
      ...ctx,
      cause: err,
      notSent: true,
      retryable: status >= 500,
      hint:
        PROXY_REFUSAL_HINTS[status] ?? (status >= 500 ? PROXY_REFUSAL_HINTS[502] : PROXY_REFUSAL_HINTS[403]),
    },
  );
}

const PROXY_REFUSAL_HINTS: Record<number, string> = {
  407:
    'The proxy wants credentials or refused the ones given: put them in the proxy URL (http://user:password@host:port, ' +
    'percent-encoded) or in HTTPS_PROXY, and check that the account may use the proxy.',
  403: 'The proxy refused the tunnel: check that its access list allows the platform host and port.',
  502: 'The proxy could not reach the platform: check its DNS and route to the platform host, or try again shortly.',
};

/** An origin no request goes to: a path is redacted as a URL on it, and the origin cut off again. */
const NAMING_ORIGIN = 'http://operation.invalid';

/**
 * The name of a call, built once at its first use: the caller's, or the method and the path redacted as `url.full`
 * is (a name percent-encoded in a segment, a query value, a `sensitiveValues` entry, an ID): the name goes to logs,
 * the onRetry hook and span and metric attributes, none of which may carry what the URL of the span does not.
 */
function namedOperation(
  given: string | undefined,
  method: string,
  path: string,
  mask: Masker | undefined,
): () => string {
  if (given !== undefined) return () => given;
  let name: string | undefined;
  return () => {
    if (name !== undefined) return name;
    const url = redactUrlForSpan(NAMING_ORIGIN + (mask ? mask(path) : path));
    name = `${method} ${url.startsWith(NAMING_ORIGIN) ? url.slice(NAMING_ORIGIN.length) : REDACTED}`;
    return name;
  };
}

const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// A request ID travels in a header: visible ASCII only, so it cannot inject a header line.
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Cheap checks on the hot path (no zod): wrong input is a coded TypeError/RangeError, never a crash later. */
function checkOperationOptions(spec: RequestSpec<unknown>, o: OperationOptions): void {
  if (typeof spec !== 'object' || spec === null || !METHODS.has(spec.method)) {
    throw invalidArgument('request spec needs a method (GET, POST, …)');
  }
  if (typeof spec.path !== 'string') throw invalidArgument('request spec needs a path string');
  if (typeof o !== 'object' || o === null) throw invalidArgument('operation options must be an object');
  if (o.timeoutInMs !== undefined && !(Number.isFinite(o.timeoutInMs) && o.timeoutInMs > 0)) {
    throw outOfRange('timeoutInMs must be a positive number of milliseconds');
  }
  if (o.requestId !== undefined && (typeof o.requestId !== 'string' || !REQUEST_ID.test(o.requestId))) {
    throw invalidArgument('requestId must be 1–200 visible ASCII characters');
  }
  if (o.abortSignal !== undefined && !(o.abortSignal instanceof AbortSignal)) {
    throw invalidArgument('abortSignal must be an AbortSignal');
  }
}

function encodeBody(b: RequestBody | undefined): {
  body: Uint8Array | string | undefined;
  contentType: string | undefined;
  open?: StreamRequestBody['stream'];
  contentLength?: number;
} {
  if (!b) return { body: undefined, contentType: undefined };
  if ('stream' in b) {
    if (typeof b.stream !== 'function')
      throw invalidArgument('body.stream must be a function returning a stream');
    if (b.contentLength !== undefined && !(Number.isSafeInteger(b.contentLength) && b.contentLength >= 0)) {
      throw outOfRange('body.contentLength must be a non-negative integer');
    }
    return { body: undefined, contentType: b.contentType, open: b.stream, contentLength: b.contentLength };
  }
  if ('json' in b) {
    const text = JSON.stringify(b.json);
    if (text !== undefined) checkJsonText(text, b.json, 'body.json');
    return { body: text, contentType: 'application/json; charset=utf-8' };
  }
  if ('form' in b) {
    const entries = b.form instanceof URLSearchParams ? b.form.entries() : Object.entries(b.form);
    for (const [name, value] of entries) {
      const bad = unsendable(String(name)) ?? unsendable(String(value));
      if (bad) throw invalidArgument(`body.form field ${fieldName(name)} holds ${bad}`);
    }
    const params = b.form instanceof URLSearchParams ? b.form : new URLSearchParams(b.form);
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded; charset=utf-8' };
  }
  if (typeof b.raw === 'string' && !isWellFormed(b.raw))
    throw invalidArgument(`body.raw holds ${LONE_SURROGATE} (the value is not quoted)`);
  return { body: b.raw, contentType: b.contentType };
}

// ---- what a request may carry ---------------------------------------------------------------------

/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value undici sends as it is (RFC 9110 field-vchar, SP, HTAB, obs-text): no CR, LF, NUL, above U+00FF. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Every header of a request, checked before a byte is sent (a CR or LF would split the request; undici refuses such
 * a value too, but its error read as ERR_NETWORK, a platform that is down). Refused as ERR_INVALID_ARG with the
 * header named, never the value (a token, a key, a value a server sent). Undefined values are left out as undici
 * leaves them out; an array is checked value by value.
 */
function checkHeaders(headers: Record<string, string>): void {
  for (const name in headers) {
    if (!HEADER_NAME.test(name)) throw invalidArgument(`Header name ${fieldName(name)} is not an HTTP token`);
    const value: unknown = headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (!HEADER_VALUE.test(String(v))) {
        throw invalidArgument(
          `Header "${name}" holds a character that cannot be sent in a header (CR, LF, NUL, another control character or one above U+00FF); the value is not quoted`,
        );
      }
    }
  }
}

/**
 * `pending`, or the signal's reason as soon as it fires. undici applies an abort to a request that waits for its
 * connection (a proxy that never answers the CONNECT, a pool whose connections are all busy) only once it has one:
 * the caller's abort and the call's deadline would wait for it. A response that arrives after all is let go.
 */
function settledOnAbort(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal | undefined,
): Promise<Dispatcher.ResponseData> {
  if (!signal) return pending;
  return raceSignal(pending, signal).catch((err: unknown) => {
    if (signal.aborted) {
      pending.then(
        (res) => res.body.on('error', () => undefined).destroy(),
        () => undefined,
      );
    }
    throw err;
  });
}

const SPENT_STREAM =
  'body.stream returned a stream that was already read (or the one it returned for the previous attempt): it must ' +
  'return a new stream on every call, as a retried request sends the body again; or mark the request ' +
  '`idempotent: false`';

/**
 * Opens a streamed body for one attempt. A source that cannot give the body again is refused: the stream returned for
 * the previous attempt, or a Readable already read, would be sent as an empty body, and a server's success would then
 * lose the upload without an error.
 */
function openStream(call: Call<unknown>): Readable {
  const source = (call.open as StreamRequestBody['stream'])();
  const { Readable } = nodeStream();
  const spent =
    source === call.opened ||
    (source instanceof Readable && (source.readableDidRead || source.readableEnded || source.destroyed));
  if (spent) throw invalidArgument(SPENT_STREAM);
  call.opened = source;
  return toReadable(source);
}

function toReadable(source: Readable | AsyncIterable<Uint8Array>): Readable {
  const { Readable } = nodeStream();
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false });
}

function toBytes(body: Uint8Array | string | undefined): Uint8Array {
  if (body === undefined) return EMPTY;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function tooLarge(limit: number, requestId?: string, hint?: string): ThGovError {
  return new HttpError('ERR_RESPONSE_TOO_LARGE', `The response body exceeds the limit of ${limit} bytes`, {
    requestId,
    retryable: false,
    hint: hint ?? 'Raise maxResponseBytes for this call, or use responseType "stream".',
  });
}

const VERIFIED_STREAM_HINT =
  'A streamed response is read whole when a responseVerifier (or classify) must check it before it is handed ' +
  'over: raise maxResponseBytes for this call.';

async function readBody(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  contentLength: string | undefined,
  tooBig: () => ThGovError = () => tooLarge(limit),
): Promise<Uint8Array> {
  if (contentLength !== undefined && Number(contentLength) > limit) {
    body.destroy();
    throw tooBig();
  }
  // A declared length within the limit: undici's own consumer is faster than iterating the stream.
  if (contentLength !== undefined && /^\d+$/.test(contentLength)) {
    return new Uint8Array(await body.arrayBuffer());
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw tooBig();
    }
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return EMPTY;
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/**
 * The response's content codings. An unsupported one on a success discards the body unread and is
 * ERR_RESPONSE_PARSE; on an error status the body is kept as received (it is only quoted), so the status decides
 * the error and whether it is retried.
 */
function responseCodings(
  res: Dispatcher.ResponseData,
  headers: Record<string, string>,
  exchange: { requestId: string; statusCode: number; attempt: number },
): ReturnType<typeof codingsOf> {
  try {
    return codingsOf(headers['content-encoding']);
  } catch (err) {
    if (exchange.statusCode < 200 || exchange.statusCode >= 300) return undefined;
    // The stream's abort error has no reader to go to.
    res.body.on('error', () => undefined).destroy();
    throw (err as HttpError).withExchange(exchange);
  }
}

/**
 * A response that has no content whatever its headers say: the answer to a HEAD (its Content-Encoding describes what
 * a GET would send, RFC 9110 §9.3.2), a 204 or a 304, or one of length 0. There is no coding to undo.
 */
function noContent(method: string, statusCode: number, headers: Record<string, string>): boolean {
  return contentless(method, statusCode) || headers['content-length'] === '0';
}

/** A response that has no content by definition (RFC 9110 §6.4.1, §9.3.2): a HEAD's, a 204, a 304. */
function contentless(method: string, statusCode: number): boolean {
  return method === 'HEAD' || statusCode === 204 || statusCode === 304;
}

/**
 * Lets go of the body of a response that has none by definition, and gives its (empty) content. undici fails a 204
 * or a 304 that names a Content-Length (a 304 may, RFC 9110 §8.6) after its headers were delivered, and stray bytes
 * after a 204 fail the connection: both belong to the connection, which undici closes, not to this response, which
 * arrived whole. Reading the body would turn a DELETE that succeeded into a network error, and send it again.
 */
function discardBody(body: Readable): Uint8Array {
  body.on('error', () => undefined).resume();
  return new Uint8Array(0);
}

/** `discardBody` for a call that asked for a stream: an empty stream in place of `body`. */
function emptyInstead(body: Readable): Readable {
  discardBody(body);
  return nodeStream().Readable.from([], { objectMode: false });
}

/**
 * `received` with its content codings undone. Empty content has no coding to undo (gunzip of nothing is an error).
 * On an error status a body that does not decode is dropped, not quoted: the status decides the error and whether it
 * is retried (a gateway's 503 whose gzip was cut short), as for a coding this client does not know.
 */
function decodeReceived(
  received: Uint8Array,
  codings: NonNullable<ReturnType<typeof codingsOf>>,
  limit: number,
  tooBig: () => ThGovError,
  ok: boolean,
): Promise<Uint8Array> {
  if (received.byteLength === 0) return Promise.resolve(received);
  const decoded = decodeContent(received, codings, limit, tooBig);
  if (ok) return decoded;
  return decoded.catch((err: unknown) => {
    if (err instanceof HttpError && err.code === 'ERR_RESPONSE_PARSE') return EMPTY;
    throw err;
  });
}

/**
 * Passes the body through while counting; errors the stream once it passes the limit. An error from below (the
 * network, the call's abort or deadline) reaches the reader typed (`typed`); a reader that stops early (breaks out of
 * its loop, destroys the stream) destroys the body under it, which ends the response and frees its connection.
 */
function limitStream(
  body: Readable,
  limit: number,
  requestId: string,
  typed: (err: unknown) => ThGovError,
): Readable {
  const { Transform } = nodeStream();
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) {
        cb(tooLarge(limit, requestId));
        return;
      }
      cb(null, chunk);
    },
  });
  body.on('error', (err) => counter.destroy(isThGovError(err) ? err : typed(err)));
  counter.once('close', () => {
    if (!body.destroyed) body.destroy();
  });
  return body.pipe(counter);
}

/**
 * Ends the call's deadline and its hold on the caller's signal: when the call ends, or, for a streamed body handed
 * to the caller, when that stream closes (the abort and `timeoutInMs` bind the whole body, not only its headers).
 */
function releaseDeadline(call: Call<unknown>): void {
  const live = call.live;
  if (live && !live.closed) live.once('close', () => call.deadline.dispose());
  else call.deadline.dispose();
}

/**
 * What `classify` hooks and errors see of a response. A class, so `request` is a getter on the prototype: an
 * object literal with a getter gets a hidden class of its own per call, and that kept every call's response
 * alive through young-generation collections (measured: 0.9 MB promoted per scavenge, one call at a time).
 * `text`, `json` and `errorOptions` stay bound, so a hook may take them off the object.
 */
class RawExchange implements RawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly requestId: string;
  readonly attempt: number;
  readonly #request: () => RedactedRequest;
  readonly #mask: Masker | undefined;
  #redactedRequest: RedactedRequest | undefined;
  #text: string | undefined;

  constructor(
    statusCode: number,
    headers: Record<string, string>,
    body: Uint8Array,
    requestId: string,
    attempt: number,
    request: () => RedactedRequest,
    mask: Masker | undefined,
  ) {
    this.statusCode = statusCode;
    this.headers = headers;
    this.body = body;
    this.requestId = requestId;
    this.attempt = attempt;
    this.#request = request;
    this.#mask = mask;
  }

  get request(): RedactedRequest {
    this.#redactedRequest ??= this.#request();
    return this.#redactedRequest;
  }

  /** The body as text, leniently (bytes the charset does not know become U+FFFD): for envelopes and previews. */
  text = (): string => {
    this.#text ??= decodeBodyText(this.body, this.headers['content-type'], false) as string;
    return this.#text;
  };

  json = (): unknown => {
    try {
      return this.body.byteLength === 0 ? undefined : JSON.parse(this.text());
    } catch {
      return undefined;
    }
  };

  errorOptions = (extra: HttpErrorOptions = {}): HttpErrorOptions => ({
    statusCode: this.statusCode,
    requestId: this.requestId,
    attempt: this.attempt,
    request: this.request,
    response: truncatedResponse(
      this.statusCode,
      this.#mask ? maskHeaderValues(this.headers, this.#mask) : this.headers,
      this.#mask ? this.#mask(this.text()) : this.text(),
    ),
    ...extra,
  });
}

/** Headers with a call's `sensitiveValues` masked in every value (a server echoing a name in a header). */
function maskHeaderValues(headers: Record<string, string>, mask: Masker): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = typeof value === 'string' ? mask(value) : value;
  return out;
}

function truncatedResponse(
  statusCode: number,
  headers: Record<string, string>,
  text: string,
): TruncatedResponse {
  // Redacted before the cut: an ID or a secret straddling it is masked whole, not left half-shown.
  return {
    statusCode,
    headers: redactHeaders(headers),
    body: redactPreview(text, ERROR_BODY_PREVIEW),
    truncated: text.length > ERROR_BODY_PREVIEW,
  };
}

/**
 * The error of a non-2xx response. `trusted` is false for an unsigned response to a client that verifies responses:
 * the status still decides (and whether it is retried), but its Retry-After is not obeyed (the retry loop then uses
 * its own backoff), and the hint says so.
 */
function statusError(
  raw: RawResponse,
  method: string,
  path: string,
  maxRetryAfterInMs: number,
  trusted: boolean,
): HttpError {
  const retryable = RETRYABLE_STATUS.has(raw.statusCode);
  const retryAfterInMs =
    retryable && trusted ? parseRetryAfter(raw.headers['retry-after'], maxRetryAfterInMs) : undefined;
  return new HttpError(
    'ERR_HTTP',
    `${method} ${path} failed with HTTP ${raw.statusCode}`,
    raw.errorOptions(trusted ? { retryable, retryAfterInMs } : { retryable, hint: UNSIGNED_ERROR_HINT }),
  );
}

const UNSIGNED_ERROR_HINT =
  `The response carried no signature (${SIGNATURE_HEADER}) although responseVerifier is set: only its status was ` +
  'used. Its body was not classified and its Retry-After was not trusted (a retry waits the normal backoff).';

/**
 * Checks a response with the client's `responseVerifier` before anything in it is acted on. A 2xx must verify (the
 * verifier's error otherwise). A non-2xx that carries a signature must verify too; one that carries none gives
 * false: it is an error either way, reported by its status alone.
 */
async function verifiedResponse(
  verifier: MessageVerifier,
  call: Call<unknown>,
  raw: RawExchange,
  received: Uint8Array,
): Promise<boolean> {
  try {
    await verifier.verifyResponse({
      method: call.method,
      target: call.target,
      requestId: call.requestId,
      status: raw.statusCode,
      body: received,
      headers: raw.headers,
    });
    return true;
  } catch (err) {
    const ok = raw.statusCode >= 200 && raw.statusCode < 300;
    if (ok || raw.headers[SIGNATURE_HEADER] !== undefined) throw err;
    return false;
  }
}

function parseBody(type: ResponseType, raw: Uint8Array, rawResponse: RawResponse): unknown {
  if (type === 'bytes') return raw;
  // A stream that was read whole (to verify or classify it) is handed over as a stream all the same.
  if (type === 'stream')
    return nodeStream().Readable.from([Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)], {
      objectMode: false,
    });
  const contentType = rawResponse.headers['content-type'];
  if (type === 'text') return parseTextBody(raw, () => rawResponse.errorOptions(), contentType);
  return parseJsonBody(raw, () => rawResponse.errorOptions(), contentType);
}

const FORM_SAFE = /^[\w.*-]*$/;

/**
 * One query name or value (of parameter `name`) as `URLSearchParams` serialises it (application/x-www-form-urlencoded:
 * only ASCII letters, digits and `*-._` kept, a space as `+`), without building one per request. A lone surrogate
 * (which URLSearchParams would send as U+FFFD) or a NUL is refused, as in a form body: the value would not be the
 * caller's.
 */
function queryPart(name: string, value: string): string {
  if (FORM_SAFE.test(value)) return value;
  const bad = unsendable(value);
  if (bad) throw invalidArgument(`query parameter ${fieldName(name)} holds ${bad}`);
  return encodeURIComponent(value).replace(/%20|[!'()~]/g, (m) =>
    m === '%20' ? '+' : `%${m.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Adds `source` to `target` under lower-case names, replacing a header of the same name in any case: HTTP header
 * names are case-insensitive, and `Authorization` from the client with `authorization` from the call would otherwise
 * be sent twice (two credentials, the first often taken). Returns `target`.
 */
function mergeHeaders(
  target: Record<string, string>,
  source: Record<string, string>,
): Record<string, string> {
  // An undefined value is kept: it leaves out a header set before (undici sends none for it).
  for (const name in source) target[name.toLowerCase()] = source[name] as string;
  return target;
}
