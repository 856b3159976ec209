import type { Dispatcher } from 'undici';
import { z } from './lazy-zod.js';
import type { Logger, LogLevel } from './logger.js';
import type { RetryOptions } from './retry.js';
import type { MeterProviderLike, TracerProviderLike } from './telemetry/index.js';

/** Options every operation accepts (Azure SDK style). */
export interface OperationOptions {
  /** Aborts the operation, including waits between retries. */
  abortSignal?: AbortSignal;
  /** Total deadline for this operation, retries included; overrides the client's `timeouts.totalInMs`. */
  timeoutInMs?: number;
  /** Request ID to send as `x-request-id` (default: a new UUID). Kept across retries. */
  requestId?: string;
}

/** Time limits of one client: connect, headers, body, the total deadline and the minimum body throughput. */
export interface TimeoutOptions {
  /** TCP + TLS connect. Default 10 s. */
  connectInMs?: number;
  /** Until the response headers arrive. Default 30 s. */
  headersInMs?: number;
  /** Longest gap between two body chunks. Default 30 s. */
  bodyInMs?: number;
  /**
   * Whole operation, retries included. Default 120 s, except for streaming calls (`responseType: 'stream'`
   * or `streaming: true`), which have no total unless the call sets `timeoutInMs`.
   */
  totalInMs?: number;
  /**
   * Minimum body throughput: at least `minBytes` in every `windowInMs` once a response has started
   * (default 1 024 bytes per 10 s); `false` turns the guard off. Time a stream reader holds the body back
   * does not count.
   */
  bodyThroughput?: { minBytes: number; windowInMs: number } | false;
}

/** Client TLS: a custom CA for the platform and, for mTLS, the agency's certificate and key (PEM) or a PFX. */
export interface TlsOptions {
  /**
   * The CAs trusted for the platform's server certificate, replacing Node's roots: PEM (one or more certificates,
   * comments between them allowed) or one DER certificate (a Windows `.cer` export) per entry. Every certificate
   * must decode: an entry Node would skip in silence (a PKCS#7 `.p7b` bundle, text with no certificate, a damaged
   * block) is `ERR_INVALID_ARG` when the client is made.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /** The agency's client certificate (mTLS): PEM, the chain after it allowed, or one DER certificate. */
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: Buffer;
  passphrase?: string;
  /** Server name for SNI and certificate checks when it differs from the URL host. */
  servername?: string;
}

/** What an `onResponse` hook sees of each response: method, redacted URL, status, duration and request ID. */
export interface ResponseInfo {
  method: string;
  url: string;
  statusCode: number;
  headers: Record<string, string>;
  requestId: string;
  attempt: number;
  durationInMs: number;
  /** The raw body when it was buffered (json/text/bytes responses); undefined for streams. */
  rawBody: Uint8Array | undefined;
}

/** What an `onRetry` hook sees before each retry: the operation, attempt, delay and the error retried. */
export interface RetryInfo {
  operation: string;
  requestId: string;
  attempt: number;
  delayInMs: number;
  delaySource: 'backoff' | 'retry-after';
  errorCode: string;
  statusCode: number | undefined;
}

/** Signs outgoing requests and verifies responses (see signing in @thgov/core); plain data in, headers out. */
export interface MessageSigner {
  /**
   * Signs one attempt. `authority` is the base URL's (`host[:port]`): a signer should bind it, so the request cannot
   * be replayed to another server (`createRequestSigner` puts it in the JWS header as `aud`).
   */
  sign(input: {
    method: string;
    target: string;
    body: Uint8Array;
    requestId: string;
    authority?: string;
  }): Promise<{
    headers: Record<string, string>;
  }>;
}
/**
 * Checks a platform's signed responses (`createSignatureVerifier` returns one); set as `TransportOptions.verifier`.
 */
export interface MessageVerifier {
  /** Verifies a signed response against the request that was sent (its method, target and request ID). */
  verifyResponse(input: {
    method: string;
    target: string;
    requestId: string;
    status: number;
    body: Uint8Array;
    headers: Record<string, string>;
  }): Promise<unknown>;
}

/**
 * Options every thgov client accepts (base URL, time-outs, retry, TLS, proxy, logger, signing, telemetry).
 *
 * @example
 * ```ts
 * const options: TransportOptions = { baseUrl: 'https://gdx.example.go.th', timeouts: { totalInMs: 30_000 }, proxy: 'env' };
 * ```
 */
export interface TransportOptions {
  baseUrl: string | URL;
  timeouts?: TimeoutOptions;
  /** Idle keep-alive sockets are closed after this. Default 30 s. */
  keepAliveTimeoutInMs?: number;
  /** Max sockets per origin. Default 64. */
  connections?: number;
  tls?: TlsOptions;
  /** An HTTP(S) proxy URL, or 'env' to honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: string | 'env';
  /** Bring your own undici dispatcher (tests, custom pools). It is not closed by `close()`. */
  dispatcher?: Dispatcher;
  retry?: RetryOptions | false;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Prefix for the User-Agent, e.g. "saraban-bridge/2.1". */
  appName?: string;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** Largest response body read into memory. Default 32 MiB. */
  maxResponseBytes?: number;
  /** Called for every response, after each attempt. */
  onResponse?: (info: ResponseInfo) => void;
  /** Called before each retry wait. */
  onRetry?: (info: RetryInfo) => void;
  /** OpenTelemetry tracer provider for this client's spans; default the global one (no-op without the API). */
  tracerProvider?: TracerProviderLike;
  /** OpenTelemetry meter provider for this client's metrics; default the global one. */
  meterProvider?: MeterProviderLike;
  /** Sign requests with a detached JWS (x-jws-signature). */
  signer?: MessageSigner;
  /**
   * Verify signed responses; a response that fails is an error. Verified before `classify` or Retry-After is acted
   * on; a streamed response is then read whole (within `maxResponseBytes`) before it is handed over. A non-2xx
   * without a signature is reported by its status alone (not classified, its Retry-After not trusted).
   */
  responseVerifier?: MessageVerifier;
}

const positiveMs = z
  .number()
  .int()
  .positive()
  .max(24 * 3600 * 1000);
const pem = z.union([z.string(), z.instanceof(Buffer)]);

/** The zod shape of TlsOptions (clients that take only part of it pick its keys). */
export const tlsOptionsShape = {
  ca: z.union([pem, z.array(pem)]).optional(),
  cert: pem.optional(),
  key: pem.optional(),
  pfx: z.instanceof(Buffer).optional(),
  passphrase: z.string().optional(),
  servername: z.string().optional(),
} as const;

/**
 * The zod shape of TransportOptions. Clients spread it into their own strict options schema, so an
 * unknown key (a typo such as `timeout` for `timeouts`) is rejected with its path.
 */
export const transportOptionsShape = {
  baseUrl: z.union([z.string().url(), z.instanceof(URL)]),
  timeouts: z
    .object({
      connectInMs: positiveMs.optional(),
      headersInMs: positiveMs.optional(),
      bodyInMs: positiveMs.optional(),
      totalInMs: positiveMs.optional(),
      bodyThroughput: z
        .union([
          z.literal(false),
          z
            .object({
              minBytes: z
                .number()
                .int()
                .positive()
                .max(1024 * 1024 * 1024),
              windowInMs: positiveMs,
            })
            .strict(),
        ])
        .optional(),
    })
    .strict()
    .optional(),
  keepAliveTimeoutInMs: positiveMs.optional(),
  connections: z.number().int().min(1).max(1024).optional(),
  tls: z.object(tlsOptionsShape).strict().optional(),
  proxy: z.union([z.literal('env'), z.string().url()]).optional(),
  dispatcher: z.custom<Dispatcher>((v) => typeof v === 'object' && v !== null && 'dispatch' in v).optional(),
  retry: z
    .union([
      z.literal(false),
      z
        .object({
          maxRetries: z.number().int().min(0).max(10).optional(),
          baseDelayInMs: z.number().int().min(0).max(60_000).optional(),
          maxDelayInMs: z.number().int().min(0).max(300_000).optional(),
          maxRetryAfterInMs: z.number().int().min(0).max(600_000).optional(),
          budget: z
            .union([
              z.literal(false),
              z
                .object({
                  capacity: z.number().int().positive().optional(),
                  retryCost: z.number().int().min(0).optional(),
                  timeoutRetryCost: z.number().int().min(0).optional(),
                  successRefund: z.number().min(0).optional(),
                })
                .strict(),
            ])
            .optional(),
        })
        .strict(),
    ])
    .optional(),
  logger: z
    .custom<Logger>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        ['debug', 'info', 'warn', 'error'].every(
          (m) => typeof (v as Record<string, unknown>)[m] === 'function',
        ),
      { message: 'logger needs debug, info, warn and error methods' },
    )
    .optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  appName: z
    .string()
    .regex(/^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/, 'printable ASCII only')
    .max(128)
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  maxResponseBytes: z.number().int().positive().optional(),
  onResponse: z.custom<(info: ResponseInfo) => void>((v) => typeof v === 'function').optional(),
  onRetry: z.custom<(info: RetryInfo) => void>((v) => typeof v === 'function').optional(),
  tracerProvider: z
    .custom<TracerProviderLike>((v) => typeof v === 'object' && v !== null && 'getTracer' in v)
    .optional(),
  meterProvider: z
    .custom<MeterProviderLike>((v) => typeof v === 'object' && v !== null && 'getMeter' in v)
    .optional(),
  signer: z.custom<MessageSigner>((v) => typeof v === 'object' && v !== null && 'sign' in v).optional(),
  responseVerifier: z
    .custom<MessageVerifier>((v) => typeof v === 'object' && v !== null && 'verifyResponse' in v)
    .optional(),
} as const;

/** The zod schema every client checks `TransportOptions` with (unknown keys are refused). */
export const transportOptionsSchema = z.object(transportOptionsShape).strict();
