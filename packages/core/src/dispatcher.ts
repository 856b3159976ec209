import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import type { TimeoutOptions, TlsOptions } from './options.js';

export const DEFAULT_TIMEOUTS = { connectInMs: 10_000, headersInMs: 30_000, bodyInMs: 30_000 } as const;

export interface DispatcherConfig {
  timeouts: TimeoutOptions | undefined;
  keepAliveTimeoutInMs: number | undefined;
  connections: number | undefined;
  tls: TlsOptions | undefined;
  proxy: string | undefined;
}

/**
 * The client's own dispatcher (never undici's global one, which other code in the process may have
 * replaced): an Agent, or a proxy agent that tunnels through CONNECT. TLS options apply to the
 * platform's connection, not to the proxy's.
 */
export function createDispatcher(c: DispatcherConfig): Dispatcher {
  const tls = c.tls ?? {};
  const connect = {
    timeout: c.timeouts?.connectInMs ?? DEFAULT_TIMEOUTS.connectInMs,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.pfx !== undefined ? { pfx: tls.pfx } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
  const agentOptions = {
    connect,
    headersTimeout: c.timeouts?.headersInMs ?? DEFAULT_TIMEOUTS.headersInMs,
    bodyTimeout: c.timeouts?.bodyInMs ?? DEFAULT_TIMEOUTS.bodyInMs,
    keepAliveTimeout: c.keepAliveTimeoutInMs ?? 30_000,
    connections: c.connections ?? 64,
  };
  if (c.proxy === 'env') {
    return new EnvHttpProxyAgent({ ...agentOptions, requestTls: connect });
  }
  if (c.proxy) {
    return new ProxyAgent({ ...agentOptions, uri: c.proxy, requestTls: connect });
  }
  return new Agent(agentOptions);
}
