import type { Dispatcher } from 'undici';
import { createRequire } from './builtins.js';
import { createEnvProxyDispatcher } from './no-proxy.js';
import type { TimeoutOptions, TlsOptions } from './options.js';
import { DEFAULT_BODY_THROUGHPUT, responseGuardInterceptor } from './response-guard.js';
import { clientCertificatePem, trustedCaPem } from './tls-certificates.js';
import { tunnelOptions } from './transport-proxy/tunnel-client.js';

/**
 * Timeouts every client applies unless configured otherwise. `totalInMs` bounds a whole operation,
 * retries included, except streaming uploads and downloads; `bodyThroughput` fails a body that trickles.
 */
export const DEFAULT_TIMEOUTS = {
  connectInMs: 10_000,
  headersInMs: 30_000,
  bodyInMs: 30_000,
  totalInMs: 120_000,
  bodyThroughput: DEFAULT_BODY_THROUGHPUT,
} as const;

/** What `createDispatcher` builds an Agent from (the transport options it shares with every client). */
export interface DispatcherConfig {
  timeouts?: TimeoutOptions | undefined;
  keepAliveTimeoutInMs?: number | undefined;
  connections?: number | undefined;
  tls?: TlsOptions | undefined;
  proxy?: string | undefined;
}

/**
 * The client's own dispatcher (never undici's global one, which other code in the process may have
 * replaced): an Agent, or a proxy agent that tunnels through CONNECT, with the body-throughput guard.
 * TLS options apply to the platform's connection, not to the proxy's.
 *
 * `proxy: 'env'` reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lower case first, as undici and curl) once, here,
 * and routes each request by its origin: loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) and what
 * NO_PROXY lists (names and their subdomains, `:port`, IPv4/IPv6 addresses and CIDR ranges, `*`) go direct,
 * the rest through the proxy for the scheme.
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ timeouts: { connectInMs: 5_000 }, proxy: 'env' });
 * ```
 */
export function createDispatcher(c: DispatcherConfig): Dispatcher {
  const tls = c.tls ?? {};
  const connect = {
    timeout: c.timeouts?.connectInMs ?? DEFAULT_TIMEOUTS.connectInMs,
    ...(tls.ca !== undefined ? { ca: trustedCaPem(tls.ca) } : {}),
    ...(tls.cert !== undefined ? { cert: clientCertificatePem(tls.cert) } : {}),
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
  // undici (a CommonJS package) is loaded when the first dispatcher is built, not when the package is
  // imported: a process that never makes a request does not pay for it (cold start).
  const u = loadUndici();
  const { Agent, ProxyAgent } = u;
  // The tunnel through a proxy is bounded by the connect timeout too, and a proxy closing it fails the request.
  const tunnel = tunnelOptions(u.Pool, connect.timeout);
  let agent: Dispatcher;
  if (c.proxy === 'env') {
    agent = createEnvProxyDispatcher(u, { agent: agentOptions, requestTls: connect, tunnel });
  } else if (c.proxy) {
    agent = new ProxyAgent({ ...agentOptions, ...tunnel, uri: c.proxy, requestTls: connect });
  } else agent = new Agent(agentOptions);
  return withResponseGuard(agent, c.timeouts?.bodyThroughput) ?? agent;
}

/**
 * `dispatcher` with the response guard composed on: the minimum body throughput (the default unless
 * `false`) and attempt deadlines handed in by the transport. Undefined for a dispatcher that cannot be
 * composed (a bare `{ dispatch }` object).
 *
 * @example
 * ```ts
 * const guarded = withResponseGuard(new MockAgent(), { minBytes: 64, windowInMs: 1_000 });
 * ```
 */
export function withResponseGuard(
  dispatcher: Dispatcher,
  limit: TimeoutOptions['bodyThroughput'],
): Dispatcher | undefined {
  if (typeof dispatcher.compose !== 'function') return undefined;
  return dispatcher.compose(responseGuardInterceptor(limit ?? DEFAULT_BODY_THROUGHPUT));
}

type Undici = typeof import('undici');
let undici: Undici | undefined;
function loadUndici(): Undici {
  undici ??= createRequire(import.meta.url)('undici') as Undici;
  return undici;
}
