import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { createDispatcher, DEFAULT_TIMEOUTS, withResponseGuard } from './dispatcher.js';
import { type HttpErrorOptions, type RedactedRequest, ThGovError } from './errors.js';
import { SafeLogger } from './logger.js';
import {
  type OperationOptions,
  type TimeoutOptions,
  type TransportOptions,
  transportOptionsSchema,
} from './options.js';
import { type ResolvedRetryOptions, RetryBudget, resolveRetryOptions } from './retry.js';
import { Telemetry } from './telemetry/index.js';
import { validateOptions } from './validate.js';
import { type PackageIdentity, userAgent } from './version.js';

export { checkJsonText, checkRequestPath } from './transport-checks.js';

/** The HTTP methods the transport sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
/** A query parameter's value: arrays repeat the key, `undefined` leaves it out. */
export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | ReadonlyArray<string | number | boolean>;
/** A request body: JSON, a form, raw bytes with their content type, or a stream. */
export type RequestBody =
  | { json: unknown }
  | { form: Record<string, string> | URLSearchParams }
  | { raw: Uint8Array | string; contentType: string }
  | StreamRequestBody;

/**
 * A body sent as a stream (large uploads), never held in memory. `open` is called once per attempt, so a
 * retried request gets a fresh stream: return a new one each time, or mark the request `idempotent: false`
 * when the source cannot be read twice. The stream returned for the previous attempt, or a Readable already read,
 * is refused (ERR_INVALID_ARG), never sent as an empty body. Not signable (a detached JWS needs the bytes up front).
 */
export interface StreamRequestBody {
  stream: () => Readable | AsyncIterable<Uint8Array>;
  contentType: string;
  /** Sent as Content-Length when known (proxies refuse or buffer chunked uploads); chunked otherwise. */
  contentLength?: number;
}
/** How the transport reads a response body: parsed JSON, text, bytes or a stream. */
export type ResponseType = 'json' | 'text' | 'bytes' | 'stream';

/** A response as the transport received it, before any parsing: what a `classify` hook looks at. */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
  requestId: string;
  attempt: number;
  request: RedactedRequest;
  /** The body as text: UTF-8 (a byte-order mark skipped) or the charset the Content-Type declares; lenient. */
  text(): string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
  /** Options to build an HttpError that carries this exchange (redacted request, truncated response). */
  errorOptions(extra?: HttpErrorOptions): HttpErrorOptions;
}

/** One call through `Transport.request`: method, path, query, body, expected response type and schema. */
export interface RequestSpec<T = unknown> {
  method: HttpMethod;
  /** Path below the base URL ("/ws/auth/validate"); the base URL's own path is kept as a prefix. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Default 'json'. 'stream' returns a size-limited Node Readable for large downloads. */
  responseType?: ResponseType;
  /** zod schema the parsed body must match; failures are ERR_RESPONSE_SCHEMA. */
  schema?: z.ZodType<T>;
  /**
   * Overrides the method's own idempotency: a POST that only reads (SOAP fetch, a time check) can say
   * `true`; a GET with side effects can say `false`.
   */
  idempotent?: boolean;
  /** For non-idempotent requests: `true` generates an `Idempotency-Key`, a string sets it; only then are they retried. */
  idempotencyKey?: string | true;
  /** Maps platform envelopes (also in 2xx bodies) to typed errors; undefined = default handling. */
  classify?: (raw: RawResponse) => ThGovError | undefined;
  /**
   * Name for logs, hooks, spans and metrics ("gdx.validate"). Default: the method and the path, with what in the path
   * may be data redacted as in the span's `url.full` (query values, non-ASCII segments, `sensitiveValues`, IDs).
   */
  operation?: string;
  /** Per-call body limit (defaults to the client's `maxResponseBytes`). */
  maxResponseBytes?: number;
  /**
   * A large upload or download (a 200 MB catalog file): the default total deadline does not apply, so the
   * call is not cut at a fixed time; `timeoutInMs` still does, and so does the body-throughput guard.
   * Implied by `responseType: 'stream'` and by a `{ stream }` body.
   */
  streaming?: boolean;
  /**
   * Values this call sends that identify a person and the redactor cannot know (names, a card's laser code): a
   * server echoing them in an error page or envelope does not carry them into the error. Masked in any letter case,
   * raw and URL-encoded, in the response preview, the request URL and the message of an error `classify` builds.
   */
  sensitiveValues?: readonly string[];
}

/** A parsed response of `Transport.request`: status, headers, body, request ID and attempts. */
export interface TransportResponse<T> {
  statusCode: number;
  headers: Record<string, string>;
  body: T;
  requestId: string;
  /** How many attempts the call took (1 = no retry). */
  attempts: number;
  durationInMs: number;
}

/**
 * A transport's configuration as its request pipeline (transport-run.ts) reads it. Internal: not exported by the
 * package.
 */
export interface TransportState {
  readonly options: TransportOptions;
  readonly origin: string;
  /** `server.address` and `server.port` of the telemetry, and the authority a signature binds; fixed with the origin. */
  readonly server: { address: string; port: number; authority: string };
  readonly basePath: string;
  readonly dispatcher: Dispatcher;
  readonly ownsDispatcher: boolean;
  /** Whether the response guard sits on the dispatcher (it then enforces the default total deadline). */
  readonly guarded: boolean;
  readonly retry: ResolvedRetryOptions;
  readonly budget: RetryBudget | undefined;
  readonly log: SafeLogger;
  readonly userAgent: string;
  readonly defaultHeaders: Record<string, string>;
  readonly maxResponseBytes: number;
  readonly telemetry: Telemetry;
  closed: boolean;
  /** The last request path that passed `requestTarget`'s checks (they depend on the path alone). */
  sendablePath: string | undefined;
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

// The request pipeline (building, sending, reading, decoding, classifying and parsing a call, its errors and
// spans) is most of this module's code and is needed only once a request is made: it loads then, so importing
// @thgov/core, and every client package built on it, does not compile it (cold start).
type Pipeline = typeof import('./transport-run.js');
let pipeline: Pipeline | undefined;
let loading: Promise<Pipeline> | undefined;

function loadPipeline(): Promise<Pipeline> {
  loading ??= import('./transport-run.js').then((m) => {
    pipeline = m;
    return m;
  });
  return loading;
}

/** The dispatcher a transport sends through: the caller's (guarded where possible) or its own. */
function dispatcherFor(
  options: TransportOptions,
): Pick<TransportState, 'dispatcher' | 'guarded' | 'ownsDispatcher'> {
  if (options.dispatcher) {
    const guarded = withResponseGuard(options.dispatcher, options.timeouts?.bodyThroughput);
    return {
      dispatcher: guarded ?? options.dispatcher,
      guarded: guarded !== undefined,
      ownsDispatcher: false,
    };
  }
  const dispatcher = createDispatcher({
    timeouts: options.timeouts,
    keepAliveTimeoutInMs: options.keepAliveTimeoutInMs,
    connections: options.connections,
    tls: options.tls,
    proxy: options.proxy,
  });
  return { dispatcher, guarded: true, ownsDispatcher: true };
}

/**
 * The HTTP pipeline every thgov client uses: a thin layer over `dispatcher.request` (undici's fastest
 * API) that adds the request identity, timeouts and total deadline, one retry loop, redacted errors and
 * logs, optional signing, body limits and schema validation.
 *
 * @example
 * ```ts
 * const transport = new Transport({ baseUrl: 'https://api.example.go.th', proxy: 'env' }, { name: '@thgov/example', version: '1.0.0' });
 * const res = await transport.request({ method: 'GET', path: '/status', operation: 'status' });
 * await transport.close();
 * ```
 */
export class Transport {
  readonly baseUrl: URL;
  readonly #s: TransportState;

  constructor(options: TransportOptions, pkg: PackageIdentity) {
    validateOptions(transportOptionsSchema, options, 'Transport options');
    this.baseUrl = new URL(String(options.baseUrl));
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') {
      throw validateOptions(
        transportOptionsSchema,
        { ...options, baseUrl: 'not a url' },
        'Transport options',
      );
    }
    const budgetOptions = options.retry === false ? false : options.retry?.budget;
    const retry = resolveRetryOptions(options.retry);
    const budget =
      budgetOptions === false || options.retry === false ? undefined : new RetryBudget(budgetOptions ?? {});
    const log = new SafeLogger(options.logger, options.logLevel);
    this.#s = {
      options,
      origin: this.baseUrl.origin,
      server: {
        address: this.baseUrl.hostname,
        port: Number(this.baseUrl.port || (this.baseUrl.protocol === 'https:' ? 443 : 80)),
        authority: this.baseUrl.host,
      },
      basePath: this.baseUrl.pathname.replace(/\/+$/, ''),
      retry,
      budget,
      log,
      userAgent: userAgent(pkg, options.appName),
      defaultHeaders: { ...(options.headers ?? {}) },
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      telemetry: new Telemetry(options, pkg.name, pkg.version),
      ...dispatcherFor(options),
      closed: false,
      sendablePath: undefined,
    };
  }

  /** The logger this transport writes to (redacting); clients built on it log through the same one. */
  get logger(): SafeLogger {
    return this.#s.log;
  }

  /** The timeouts in effect: the configured ones, defaults filled in (`DEFAULT_TIMEOUTS`). */
  get timeouts(): Required<TimeoutOptions> {
    return { ...DEFAULT_TIMEOUTS, ...this.#s.options.timeouts };
  }

  /** This client's OpenTelemetry tracer and meter (no-op without `@opentelemetry/api` or providers). */
  get telemetry(): Telemetry {
    return this.#s.telemetry;
  }

  /** Tokens left in the retry budget (undefined when the budget is off). */
  get retryBudgetTokens(): number | undefined {
    return this.#s.budget?.tokens;
  }

  async request<T = unknown>(
    spec: RequestSpec<T>,
    options: OperationOptions = {},
  ): Promise<TransportResponse<T>> {
    if (this.#s.closed) throw new ThGovError('ERR_CLIENT_CLOSED', 'This client was closed');
    const run = pipeline ?? (await loadPipeline());
    return run.runRequest(this.#s, spec, options);
  }

  /** Closes the client's own sockets. Calls in flight finish or fail; new calls are refused. */
  async close(): Promise<void> {
    if (this.#s.closed) return;
    this.#s.closed = true;
    if (this.#s.ownsDispatcher) await this.#s.dispatcher.close();
  }
}
