import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';

/** A server listening on 127.0.0.1 at an ephemeral port. */
export interface Listening {
  port: number;
  /** Destroys the open connections (keep-alive sockets would hold `close` forever), then closes. */
  close(): Promise<void>;
}

/** A listening HTTP(S) test server and the requests it received. */
export interface TestServer extends Listening {
  url: string;
  requests: IncomingMessage[];
}

/** The handler of a test server; `n` is the 1-based number of the request. */
export type TestHandler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/**
 * Keeps the set of open sockets of `server`, so a test can close it without waiting for keep-alive.
 *
 * @example
 * ```ts
 * const sockets = trackSockets(server);
 * for (const s of sockets) s.destroy();
 * ```
 */
export function trackSockets(server: NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/**
 * Listens on 127.0.0.1, port 0 (the system picks a free one), and returns the port and a `close` that
 * also ends open connections. `extra` sockets (a proxy's upstream side) are destroyed on close too.
 *
 * @example
 * ```ts
 * const server = await listen(createServer(handler));
 * await fetch(`http://127.0.0.1:${server.port}/`);
 * await server.close();
 * ```
 */
export async function listen(server: NetServer, extra: Set<Socket> = new Set()): Promise<Listening> {
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        for (const s of extra) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  server: Server,
  scheme: 'http' | 'https',
  requests: IncomingMessage[],
): Promise<TestServer> {
  const l = await listen(server);
  return { ...l, url: `${scheme}://127.0.0.1:${l.port}`, requests };
}

function recording(requests: IncomingMessage[], handler: TestHandler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  };
}

/**
 * An HTTP server on 127.0.0.1 whose handler runs once the request body was read, with the request number.
 *
 * @example
 * ```ts
 * const server = await httpServer((_req, res, n) => res.writeHead(n === 1 ? 503 : 200).end());
 * ```
 */
export function httpServer(handler: TestHandler): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  return serve(createHttpServer(recording(requests, handler)), 'http', requests);
}

/**
 * An HTTPS server on 127.0.0.1 (certificates from {@link createTestCa}), otherwise like {@link httpServer}.
 *
 * @example
 * ```ts
 * const server = await httpsServer({ key: tls.server.key, cert: tls.server.cert }, (_q, res) => res.end('ok'));
 * ```
 */
export function httpsServer(options: ServerOptions, handler: TestHandler): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  return serve(createHttpsServer(options, recording(requests, handler)), 'https', requests);
}

/**
 * Accepts TCP connections and never says anything: TLS handshakes and HTTP requests against it hang.
 *
 * @example
 * ```ts
 * const silent = await silentTcpServer(); // a time-out test against `127.0.0.1:${silent.port}`
 * ```
 */
export function silentTcpServer(): Promise<Listening> {
  const server = createTcpServer((s) => s.on('error', () => {}));
  return listen(server);
}

/**
 * A port nothing listens on (bound, then released): connections to it are refused.
 *
 * @example
 * ```ts
 * const url = `http://127.0.0.1:${await closedPort()}/`;
 * ```
 */
export async function closedPort(): Promise<number> {
  const l = await listen(createHttpServer());
  await l.close();
  return l.port;
}
