import type { Dispatcher, Pool, ProxyAgent } from 'undici';

/**
 * The client a ProxyAgent opens its CONNECT tunnels with (undici's own is a Pool with its default timeouts). Two
 * faults of that one, with a proxy that does not set the tunnel up:
 * - a proxy that accepts the connection and never answers the CONNECT held the call for undici's 300 s headers
 *   timeout, past the connect timeout (which bounds only the TCP connection to the proxy);
 * - a proxy that closes the connection during the CONNECT (one refusing a host it does not allow, one that does not
 *   speak CONNECT) made undici reconnect in a tight loop for ever (nodejs/undici#3897, thousands of connections a
 *   second): its Client takes that error (UND_ERR_SOCKET) for the drop of an established connection, and keeps the
 *   request queued.
 * Here the CONNECT must be answered within the connect timeout, and a failure of it becomes an error that fails the
 * request: either way the request never reached the platform.
 */

/** Code of a tunnel the proxy closed before it was open (the code undici gives it from the release that fixes #3897). */
export const PROXY_TUNNEL_CLOSED = 'UND_ERR_PRX_CONN';

/**
 * Code of a CONNECT the proxy answered with a status other than 200 (`proxyStatus` on the error): 407 wants or refused
 * credentials, 403 refuses the host, 5xx could not reach it. undici reports it as an aborted request with no code of
 * its own; either way the request never reached the platform.
 */
export const PROXY_TUNNEL_REFUSED = 'THGOV_PROXY_TUNNEL_REFUSED';

/** Errors of the proxy's connection during the CONNECT that mean it went away. */
const CLOSED_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

type PoolClass = typeof Pool;
type ConnectOptions = Dispatcher.ConnectOptions;

/**
 * The ProxyAgent options that bound and fail its tunnels as described above: spread them into its options.
 *
 * @example
 * ```ts
 * new ProxyAgent({ uri, ...tunnelOptions(Pool, 10_000) });
 * ```
 */
export function tunnelOptions(
  PoolClass: PoolClass,
  connectTimeoutInMs: number,
): Pick<ProxyAgent.Options, 'clientFactory' | 'proxyTls'> {
  return {
    proxyTls: { timeout: connectTimeoutInMs },
    clientFactory: (origin, options) => tunnelClient(PoolClass, origin, options, connectTimeoutInMs),
  };
}

function tunnelClient(
  PoolClass: PoolClass,
  origin: URL,
  options: object,
  connectTimeoutInMs: number,
): Dispatcher {
  const pool = new PoolClass(origin, { ...options, headersTimeout: connectTimeoutInMs });
  const connect = pool.connect.bind(pool) as (o: ConnectOptions, cb?: unknown) => unknown;
  Object.defineProperty(pool, 'connect', {
    value: (o: ConnectOptions, callback?: unknown) => {
      if (callback !== undefined) return connect(o, callback);
      return (connect(o) as Promise<Dispatcher.ConnectData>).then(refusedTunnel, (err: unknown) => {
        throw tunnelError(err, connectTimeoutInMs);
      });
    },
  });
  return pool;
}

/** The CONNECT's answer when it opened the tunnel (200); otherwise the socket is closed and a coded error thrown. */
function refusedTunnel(data: Dispatcher.ConnectData): Dispatcher.ConnectData {
  if (data.statusCode === 200) return data;
  data.socket?.destroy();
  const error = coded(
    `The proxy answered ${data.statusCode} to the CONNECT: no tunnel to the platform`,
    PROXY_TUNNEL_REFUSED,
    undefined,
  );
  throw Object.assign(error, { proxyStatus: data.statusCode });
}

/** A failed CONNECT as an error that fails the request (and reads as what it is), or `err` as it is. */
function tunnelError(err: unknown, connectTimeoutInMs: number): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return coded(
      `The proxy did not answer the CONNECT within the connect timeout (${connectTimeoutInMs} ms)`,
      'UND_ERR_CONNECT_TIMEOUT',
      err,
    );
  }
  if (typeof code === 'string' && CLOSED_CODES.has(code)) {
    return coded('The proxy closed the connection before the tunnel was open', PROXY_TUNNEL_CLOSED, err);
  }
  return err;
}

function coded(message: string, code: string, cause: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code });
}
