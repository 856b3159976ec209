import { invalidArgument, type OperationOptions, Transport } from '@thgov/core';
import { is, validateOptions, withOptionCheck, z } from '@thgov/core/internal';
import { PACKAGE } from '../version.js';
import { crlUpdateWindow } from './crl-window.js';

/**
 * One online request: a CRL download (GET), an OCSP request (POST with the DER body; by GET, RFC 6960 appendix A.1,
 * when the responder refuses the POST), or the download (GET) of an issuer certificate missing from a path, from
 * the certificate's authorityInfoAccess caIssuers URL (`ca-issuers`: DER, PEM or a certs-only PKCS#7, RFC 5280
 * §4.2.2.1). A fetcher that does not serve a type rejects; the path then goes without what it would have given.
 */
export interface RevocationFetchRequest {
  type: 'crl' | 'ocsp' | 'ca-issuers';
  url: string;
  /** The DER OCSPRequest, for `ocsp`. */
  body?: Uint8Array;
}

/** Fetches revocation data; resolves with the response body or rejects (the status then stays unknown). */
export type RevocationFetch = (
  request: RevocationFetchRequest,
  options: OperationOptions,
) => Promise<Uint8Array>;

/** A fetcher with a lifetime: reuses connections and CRL downloads until `close()`. */
export interface RevocationFetcher {
  fetch: RevocationFetch;
  close(): Promise<void>;
}

/** How online revocation data is fetched (through `@thgov/core`'s Transport: proxy, timeouts, size cap). */
export interface OnlineRevocationOptions {
  /** Deadline of each request. Default 5 000 ms, at most 120 000. */
  timeoutInMs?: number;
  /** An HTTP(S) proxy URL, or `env` for HTTPS_PROXY / HTTP_PROXY / NO_PROXY. Default: direct. */
  proxy?: string;
  /** Largest CRL or OCSP response read. Default 10 MiB. */
  maxResponseBytes?: number;
  /**
   * Longest a downloaded CRL (or issuer certificate) is kept for later validations. Default 3 600 000 (1 h); `0` keeps none (downloads
   * in flight are still shared). A CRL is never kept past its own nextUpdate, so a long-running service fetches
   * the CA's next CRL instead of holding a stale one.
   */
  crlCacheMaxAgeInMs?: number;
}

export const onlineOptionsSchema = withOptionCheck(
  z
    .object({
      timeoutInMs: z.number().int().positive().max(120_000).optional(),
      proxy: z.union([z.literal('env'), z.string().url()]).optional(),
      maxResponseBytes: z
        .number()
        .int()
        .positive()
        .max(512 * 1024 * 1024)
        .optional(),
      crlCacheMaxAgeInMs: z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400_000)
        .optional(),
    })
    .strict(),
  // A proxy URL is left to zod's URL check.
  is.shape({
    timeoutInMs: is.integer(1, 120_000),
    proxy: is.literal('env'),
    maxResponseBytes: is.integer(1, 512 * 1024 * 1024),
    crlCacheMaxAgeInMs: is.integer(0, 7 * 86_400_000),
  }),
);

/** The media types asked for on each GET. */
const ACCEPT = {
  crl: 'application/pkix-crl',
  'ca-issuers': 'application/pkix-cert, application/pkcs7-mime',
} as const;
const DEFAULT_TIMEOUT_IN_MS = 5_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const DEFAULT_CRL_CACHE_MAX_AGE_IN_MS = 3_600_000;
/** CRLs kept at most (by URL); the least recently used goes first. */
const MAX_KEPT_CRLS = 256;
/** A CRL already past its nextUpdate when downloaded (a CA late to publish) is kept this long at most. */
const OVERDUE_CRL_KEPT_IN_MS = 30_000;

/**
 * A revocation fetcher over `@thgov/core`'s Transport: one connection pool per origin, per-request deadline,
 * a response size cap, a proxy when asked, no redirects, one retry on network errors and 5xx. An OCSP request goes
 * by POST, and once more by GET (RFC 6960 appendix A.1) when the responder answers 400, 404, 405, 415 or 501: some
 * responders and caching front-ends serve GET only. A downloaded CRL
 * is shared by later validations until its nextUpdate or `crlCacheMaxAgeInMs` (1 h), whichever comes first, and
 * at most 256 are kept. Only `http:` and `https:` URLs are fetched.
 *
 * Redirects (a CRL distribution point moved to a CDN) are not followed: the URLs fetched come from certificates
 * that anyone can present, and a redirect would let such a server steer this process to any other host or port
 * (loopback, the cloud metadata address, an intranet service) without that target ever appearing in a
 * certificate, past any allow-list kept on the certificate URLs. A 3xx answer is an `ERR_HTTP` fetch problem that
 * names the status; the CA should publish the final URL, or the caller fetches it with its own `fetch`.
 *
 * @example
 * ```ts
 * const fetcher = createRevocationFetcher({ timeoutInMs: 3_000, proxy: 'env' });
 * try {
 *   const r = await validateCertificatePath(signer, { trustAnchors: root, revocation: { fetch: fetcher } });
 * } finally {
 *   await fetcher.close();
 * }
 * ```
 */
export function createRevocationFetcher(options: OnlineRevocationOptions = {}): RevocationFetcher {
  validateOptions(onlineOptionsSchema, options, 'Online revocation options');
  const transports = new Map<string, Transport>();
  const crls = new CrlCache(options.crlCacheMaxAgeInMs ?? DEFAULT_CRL_CACHE_MAX_AGE_IN_MS);
  const timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS;
  let closed = false;
  const transportFor = (url: URL): Transport => {
    let t = transports.get(url.origin);
    if (!t) {
      t = new Transport(
        {
          baseUrl: url.origin,
          timeouts: { connectInMs: timeoutInMs, headersInMs: timeoutInMs, bodyInMs: timeoutInMs },
          maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
          retry: { maxRetries: 1, budget: false },
          ...(options.proxy ? { proxy: options.proxy } : {}),
        },
        PACKAGE,
      );
      transports.set(url.origin, t);
    }
    return t;
  };
  const request = async (req: RevocationFetchRequest, op: OperationOptions): Promise<Uint8Array> => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw invalidArgument('A revocation URL is not a URL');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
      throw invalidArgument('Only plain http: and https: revocation URLs are fetched');
    const path = `${url.pathname}${url.search}`;
    const common = { responseType: 'bytes' as const, operation: `revocation.${req.type}` };
    const callOptions = {
      timeoutInMs: op.timeoutInMs ?? timeoutInMs,
      ...(op.abortSignal ? { abortSignal: op.abortSignal } : {}),
    };
    const res =
      req.type === 'ocsp'
        ? await ocspExchange(transportFor(url), url, req.body ?? new Uint8Array(0), callOptions)
        : await transportFor(url).request<Uint8Array>(
            { method: 'GET', path, headers: { accept: ACCEPT[req.type] }, ...common },
            callOptions,
          );
    return res.body;
  };
  return {
    fetch(req, op) {
      if (closed) return Promise.reject(invalidArgument('This revocation fetcher was closed'));
      if (req.type === 'ocsp') return request(req, op);
      // CRLs and issuer certificates are shared by later validations (a certificate never names a nextUpdate,
      // so it is kept for the maximum age only); the key keeps the two apart should one URL serve both.
      const key = `${req.type} ${req.url}`;
      return crls.get(key) ?? crls.download(key, () => request(req, op));
    },
    async close() {
      closed = true;
      await Promise.all([...transports.values()].map((t) => t.close()));
      transports.clear();
      crls.clear();
    },
  };
}

/**
 * HTTP statuses with which a responder refuses an OCSP request by POST but may take the same request by GET
 * (RFC 6960 appendix A.1; RFC 5019 responders and caching front-ends often serve GET only).
 */
const POST_REFUSED = new Set([400, 404, 405, 415, 501]);
/** Longest OCSP GET URL tried (RFC 5019 asks for GET up to 255 bytes; servers and proxies take 2 KiB). */
const MAX_OCSP_GET_URL = 2048;

/**
 * The path of an OCSP request by GET: the responder URL, a slash, then the DER request in base64, percent-encoded
 * (RFC 6960 appendix A.1). None for a responder URL with a query or fragment, or one that would be too long.
 */
function ocspGetPath(url: URL, der: Uint8Array): string | undefined {
  if (url.search || url.hash) return undefined;
  const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  const path = `${base}${encodeURIComponent(Buffer.from(der).toString('base64'))}`;
  return url.origin.length + path.length <= MAX_OCSP_GET_URL ? path : undefined;
}

/**
 * One OCSP request: by POST (what OpenSSL, pyHanko and most responders use); when the responder refuses the
 * method or the media type, the same request once more by GET. An OCSP request only reads, so either is safe to
 * repeat. When the GET fails too, the POST's error is the one reported.
 */
async function ocspExchange(
  transport: Transport,
  url: URL,
  der: Uint8Array,
  callOptions: OperationOptions,
): Promise<{ body: Uint8Array }> {
  const common = {
    responseType: 'bytes' as const,
    operation: 'revocation.ocsp',
    headers: { accept: 'application/ocsp-response' },
    idempotent: true,
  };
  try {
    return await transport.request<Uint8Array>(
      {
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        body: { raw: der, contentType: 'application/ocsp-request' },
        ...common,
      },
      callOptions,
    );
  } catch (err) {
    const status = (err as { statusCode?: unknown })?.statusCode;
    const path = typeof status === 'number' && POST_REFUSED.has(status) ? ocspGetPath(url, der) : undefined;
    if (!path) throw err;
    try {
      return await transport.request<Uint8Array>({ method: 'GET', path, ...common }, callOptions);
    } catch {
      throw err;
    }
  }
}

/**
 * Downloaded CRLs by URL: one download in flight per URL, then kept until the CRL's nextUpdate or the maximum
 * age, whichever is first, and at most MAX_KEPT_CRLS of them, least recently used dropped first. A failed
 * download is not kept: it may succeed later.
 */
class CrlCache {
  readonly #maxAgeInMs: number;
  readonly #entries = new Map<string, { crl: Promise<Uint8Array>; expiresAt: number }>();

  constructor(maxAgeInMs: number) {
    this.#maxAgeInMs = maxAgeInMs;
  }

  get(url: string): Promise<Uint8Array> | undefined {
    const entry = this.#entries.get(url);
    if (!entry) return undefined;
    this.#entries.delete(url);
    if (Date.now() >= entry.expiresAt) return undefined;
    this.#entries.set(url, entry); // most recently used last
    return entry.crl;
  }

  download(url: string, fetch: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const crl = fetch();
    // In flight: shared until it settles, whatever the maximum age.
    const entry = { crl, expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(url, entry);
    while (this.#entries.size > MAX_KEPT_CRLS) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    crl.then(
      (der) => {
        entry.expiresAt = this.#expiry(der);
      },
      () => {
        if (this.#entries.get(url) === entry) this.#entries.delete(url);
      },
    );
    return crl;
  }

  clear(): void {
    this.#entries.clear();
  }

  #expiry(der: Uint8Array): number {
    const now = Date.now();
    const next = crlUpdateWindow(der)?.nextUpdate?.getTime();
    const byAge = now + this.#maxAgeInMs;
    if (next === undefined) return byAge;
    return next > now ? Math.min(next, byAge) : Math.min(now + OVERDUE_CRL_KEPT_IN_MS, byAge);
  }
}
