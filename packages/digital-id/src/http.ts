import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDispatcher, type TimeoutOptions } from '@thgov/core';
import type { CustomFetch } from 'openid-client';
import { digitalIdError } from './error-mapping.js';

/** Default cap on a provider response body: discovery, JWKS, token and userinfo answers are a few KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Statuses whose Response may carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export interface HttpOptions {
  timeouts?: TimeoutOptions | undefined;
  proxy?: string | undefined;
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Extra headers for requests to one URL, decided per request (API keys on the token endpoint). */
  headersFor?: (url: string) => Record<string, string> | undefined;
  /** Largest response body read from the provider, in bytes. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number | undefined;
  /** The provider's display name, for the errors. */
  provider?: string | undefined;
}

/** Per-operation context: the operation's signal (caller's abort and total deadline) reaches every request. */
export interface CallContext {
  signal: AbortSignal | undefined;
  /** Milliseconds left before the operation's deadline (discovery hands it to openid-client). */
  remainingInMs: () => number;
  /** Filled by the fetch for the caller to inspect the token response (used for the missing-nonce opt-in). */
  onTokenResponseBody?: ((body: string) => void) | undefined;
  /**
   * The redirect_uri the login's authorization request carried, sent as is on its code exchange: the engine
   * would derive it from the callback URL with the query cut off (see `exactRedirectUri` in client.ts).
   */
  redirectUri?: string | undefined;
  /** The token endpoint's answer in this call, kept so it can be validated again (see {@link KeptAnswer}). */
  kept?: KeptAnswer | undefined;
  /**
   * Set once a callback has consumed its login state: from then on the same call cannot succeed again, and its
   * error is reported as not retryable (see `spentLoginError`).
   */
  loginSpent?: boolean | undefined;
}

/**
 * A token endpoint answer kept while one operation runs. A code or refresh grant cannot be sent again (the
 * code is single-use, a rotated refresh token replaces the one sent): when its id_token must be validated
 * with fresh keys, the engine is handed this answer again (`replay`) instead of a second request.
 */
export interface KeptAnswer {
  /** The token endpoint (without query): the POST whose answer is kept. */
  endpoint: string;
  answer?: { text: string; status: number; statusText: string; headers: Array<[string, string]> } | undefined;
  /** True: the next POST to `endpoint` gets `answer` without any request (once). */
  replay: boolean;
}

export const callContext = new AsyncLocalStorage<CallContext>();

export interface OwnedHttp {
  fetch: CustomFetch;
  close(): Promise<void>;
}

/**
 * The HTTP the OIDC engine uses: core's dispatcher (the client's own Agent or proxy agent, never the
 * global one; connect / headers / body timeouts; the response guard's minimum body throughput) and the
 * operation's signal, which carries the caller's abort and the total deadline.
 */
export function createHttp(options: HttpOptions): OwnedHttp {
  const dispatcher = createDispatcher({
    timeouts: options.timeouts,
    proxy: options.proxy,
    tls: options.ca !== undefined ? { ca: options.ca } : undefined,
  });

  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const provider = options.provider ?? 'The provider';
  const tooLarge = (statusCode: number) =>
    digitalIdError(
      'ERR_DIGITAL_ID_RESPONSE_INVALID',
      `${provider} sent a response larger than maxResponseBytes (${limit} bytes)`,
      { provider, statusCode },
    );

  const fetch: CustomFetch = async (url, init) => {
    const ctx = callContext.getStore();
    const kept = keptFor(ctx, url, init.method);
    if (kept?.replay && kept.answer) {
      kept.replay = false;
      ctx?.onTokenResponseBody?.(kept.answer.text);
      return answerOf(kept.answer);
    }
    const signals = [init.signal, ctx?.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const extra = options.headersFor?.(url);
    // undici is loaded on the first request, not when the package is imported (cold start).
    const { fetch: undiciFetch } = await import('undici');
    const res = await whileNotSent(signal, () =>
      undiciFetch(url, {
        method: init.method,
        headers: { ...init.headers, ...extra },
        body: init.body as string | Uint8Array | URLSearchParams | null | undefined,
        redirect: 'manual',
        dispatcher,
        ...(signal ? { signal } : {}),
      }),
    );
    const limited = await labelOAuthError(
      limitBody(withMediaType(res as unknown as Response), limit, tooLarge),
    );
    if (ctx?.onTokenResponseBody || kept) {
      // Read once here, hand a copy to the observer (and the kept answer) and an identical Response to the engine.
      const answer = {
        text: await limited.text(),
        status: limited.status,
        statusText: limited.statusText,
        headers: [...limited.headers],
      };
      ctx?.onTokenResponseBody?.(answer.text);
      if (kept) kept.answer = answer;
      return answerOf(answer);
    }
    return limited;
  };
  return { fetch, close: () => dispatcher.close() };
}

/**
 * Failures of a request that never reached the server (name resolution or the connection failed, no byte sent)
 * and may pass in a moment: sending it again is safe whatever the method, a token POST with its single-use code
 * included. A permanent one (ENOTFOUND: no such name) is not among them.
 */
const NOT_SENT_TRANSIENT = new Set([
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Attempts at a request while it is not sent: the first and two more, after 100 ms and 200 ms. */
const NOT_SENT_ATTEMPTS = 3;
const NOT_SENT_DELAY_IN_MS = 100;

/** Whether a fetch failure says the request was never sent (its cause's code, or every address's). */
function notSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } } | null)?.cause;
  if (typeof cause?.code === 'string') return NOT_SENT_TRANSIENT.has(cause.code);
  const each = Array.isArray(cause?.errors) ? cause.errors : [];
  return each.length > 0 && each.every((e) => typeof e?.code === 'string' && NOT_SENT_TRANSIENT.has(e.code));
}

/**
 * `send`, again (up to {@link NOT_SENT_ATTEMPTS} in all) while it fails before the request left this machine:
 * a resolver or network blip then costs a moment, not the citizen's login, whose state the callback has already
 * consumed. Anything that may have reached the provider is thrown at once. The waits end with `signal`.
 */
async function whileNotSent<T>(signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= NOT_SENT_ATTEMPTS || signal?.aborted || !notSent(err)) throw err;
    }
    await sleep(NOT_SENT_DELAY_IN_MS * 2 ** (attempt - 1), undefined, signal ? { signal } : undefined);
  }
}

/** The kept answer of this call when this request is the POST to its token endpoint. */
function keptFor(
  ctx: CallContext | undefined,
  url: string,
  method: string | undefined,
): KeptAnswer | undefined {
  return ctx?.kept && method === 'POST' && url.split('?')[0] === ctx.kept.endpoint ? ctx.kept : undefined;
}

/** A Response with this status, headers and body text (a read answer handed on, or a kept one replayed). */
function answerOf(a: NonNullable<KeptAnswer['answer']>): Response {
  return new Response(NULL_BODY_STATUS.has(a.status) ? null : a.text, {
    status: a.status,
    statusText: a.statusText,
    headers: new Headers(a.headers),
  });
}

/**
 * The response with its Content-Type media type in lower case and trimmed (`Application/JWT`,
 * `application/json ; charset=UTF-8`): media types are case-insensitive (RFC 9110 §8.3.1), the engine compares
 * them as exact strings and would refuse a signed userinfo JWT or an OAuth error so labelled. Parameters are
 * kept as sent; any other response is handed on as it is.
 */
function withMediaType(res: Response): Response {
  const type = res.headers.get('content-type');
  if (type === null) return res;
  const [media = '', ...params] = type.split(';');
  const normalized = [media.trim().toLowerCase(), ...params.map((p) => p.trim())].join('; ');
  if (normalized === type) return res;
  const headers = new Headers(res.headers);
  headers.set('content-type', normalized);
  return new Response(NULL_BODY_STATUS.has(res.status) ? null : res.body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}

/**
 * A 4xx whose body is an OAuth error object (`{"error": "invalid_grant", ...}`) but whose Content-Type is not
 * application/json (text/plain, text/html: gateways and some providers label it so), labelled
 * application/json so the engine reads the OAuth error instead of reporting a bare "not JSON". Only the
 * label changes, only on error statuses: nothing is accepted that was refused, the error is named. Other
 * 4xx bodies are handed on unchanged (read once, already capped).
 */
async function labelOAuthError(res: Response): Promise<Response> {
  if (res.status < 400 || res.status > 499 || !res.body) return res;
  if (res.headers.get('content-type')?.split(';')[0] === 'application/json') return res;
  const text = await res.text();
  const headers = new Headers(res.headers as unknown as Headers);
  if (isOAuthErrorBody(text)) headers.set('content-type', 'application/json');
  return new Response(text, { status: res.status, statusText: res.statusText, headers });
}

function isOAuthErrorBody(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text);
    return (
      json !== null &&
      typeof json === 'object' &&
      !Array.isArray(json) &&
      typeof (json as { error?: unknown }).error === 'string' &&
      (json as { error: string }).error !== ''
    );
  } catch {
    return false;
  }
}

/**
 * The response with its body capped at `limit` bytes: refused at once when Content-Length says more, and
 * failed while streaming as soon as more arrives (the rest is never read: the source is cancelled), so a
 * huge or endless body is never buffered. The engine reading the body sees the typed error.
 */
function limitBody(res: Response, limit: number, tooLarge: (status: number) => Error): Response {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    void res.body?.cancel().catch(() => {});
    throw tooLarge(res.status);
  }
  if (!res.body || NULL_BODY_STATUS.has(res.status)) return res;
  let seen = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(tooLarge(res.status));
        else controller.enqueue(chunk);
      },
    }),
  );
  // undici's Response is the same class Node's global fetch uses (only the typings differ).
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers as unknown as Headers,
  });
}
