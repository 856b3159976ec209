import { AsyncLocalStorage } from 'node:async_hooks';
import type { CustomFetch } from 'openid-client';
import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent, fetch as undiciFetch } from 'undici';

export interface HttpTimeouts {
  connectInMs?: number | undefined;
  headersInMs?: number | undefined;
  bodyInMs?: number | undefined;
  totalInMs?: number | undefined;
}

export interface HttpOptions {
  timeouts?: HttpTimeouts | undefined;
  proxy?: string | undefined;
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Extra headers for requests to one URL, decided per request (API keys on the token endpoint). */
  headersFor?: (url: string) => Record<string, string> | undefined;
}

/** Per-operation context: the caller's AbortSignal and deadline reach every request of the operation. */
export interface CallContext {
  signal: AbortSignal | undefined;
  /** Filled by the fetch for the caller to inspect the token response (used for the missing-nonce opt-in). */
  onTokenResponseBody?: ((body: string) => void) | undefined;
}

export const callContext = new AsyncLocalStorage<CallContext>();

export interface OwnedHttp {
  fetch: CustomFetch;
  close(): Promise<void>;
}

/**
 * The HTTP the OIDC engine uses: undici with the client's own Agent (never the global dispatcher),
 * explicit connect / headers / body timeouts, an optional proxy and CA, and the operation's signal.
 */
export function createHttp(options: HttpOptions): OwnedHttp {
  const t = options.timeouts ?? {};
  const connect = {
    timeout: t.connectInMs ?? 10_000,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  };
  const agentOptions = {
    connect,
    headersTimeout: t.headersInMs ?? 30_000,
    bodyTimeout: t.bodyInMs ?? 30_000,
    keepAliveTimeout: 30_000,
  };
  let dispatcher: Dispatcher;
  if (options.proxy === 'env') dispatcher = new EnvHttpProxyAgent({ ...agentOptions, requestTls: connect });
  else if (options.proxy)
    dispatcher = new ProxyAgent({ ...agentOptions, uri: options.proxy, requestTls: connect });
  else dispatcher = new Agent(agentOptions);

  const fetch: CustomFetch = async (url, init) => {
    const ctx = callContext.getStore();
    const signals = [init.signal, ctx?.signal].filter((s): s is AbortSignal => s !== undefined);
    if (t.totalInMs !== undefined) signals.push(AbortSignal.timeout(t.totalInMs));
    const extra = options.headersFor?.(url);
    const res = await undiciFetch(url, {
      method: init.method,
      headers: { ...init.headers, ...extra },
      body: init.body as string | Uint8Array | URLSearchParams | null | undefined,
      redirect: 'manual',
      dispatcher,
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
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
