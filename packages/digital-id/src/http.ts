import { AsyncLocalStorage } from 'node:async_hooks';
import { createDispatcher, type TimeoutOptions } from '@thgov/core';
import type { CustomFetch } from 'openid-client';

export interface HttpOptions {
  timeouts?: TimeoutOptions | undefined;
  proxy?: string | undefined;
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Extra headers for requests to one URL, decided per request (API keys on the token endpoint). */
  headersFor?: (url: string) => Record<string, string> | undefined;
}

/** Per-operation context: the operation's signal (caller's abort and total deadline) reaches every request. */
export interface CallContext {
  signal: AbortSignal | undefined;
  /** Milliseconds left before the operation's deadline (discovery hands it to openid-client). */
  remainingInMs: () => number;
  /** Filled by the fetch for the caller to inspect the token response (used for the missing-nonce opt-in). */
  onTokenResponseBody?: ((body: string) => void) | undefined;
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

  const fetch: CustomFetch = async (url, init) => {
    const ctx = callContext.getStore();
    const signals = [init.signal, ctx?.signal].filter((s): s is AbortSignal => s !== undefined);
    const extra = options.headersFor?.(url);
    // undici is loaded on the first request, not when the package is imported (cold start).
    const { fetch: undiciFetch } = await import('undici');
    const res = await undiciFetch(url, {
      method: init.method,
      headers: { ...init.headers, ...extra },
      body: init.body as string | Uint8Array | URLSearchParams | null | undefined,
      redirect: 'manual',
      dispatcher,
      ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}),
    });
    if (ctx?.onTokenResponseBody) {
      // Read once here, hand a copy to the observer and an identical Response to the engine.
      const text = await res.text();
      ctx.onTokenResponseBody(text);
      return new Response(text, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers as unknown as Headers,
      });
    }
    // undici's Response is the same class Node's global fetch uses (only the typings differ).
    return res as unknown as Response;
  };
  return { fetch, close: () => dispatcher.close() };
}
