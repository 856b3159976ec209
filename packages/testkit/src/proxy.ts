import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { listen } from './servers.js';

/** A forward proxy started by {@link connectProxy}. */
export interface TestProxy {
  /** `http://127.0.0.1:<port>`, for `proxy:` options and HTTPS_PROXY. */
  url: string;
  /** The `host:port` of every CONNECT it was asked for, in order. */
  tunnels: string[];
  close(): Promise<void>;
}

/**
 * A real forward proxy that only speaks CONNECT (what clients use for https through a proxy) and records
 * the tunnels it opened. It refuses any target other than 127.0.0.1/localhost, so a test that leaks a real
 * host name fails instead of reaching the network.
 *
 * @example
 * ```ts
 * const proxy = await connectProxy();
 * const transport = new Transport({ baseUrl: server.url, proxy: proxy.url }, pkg);
 * expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
 * ```
 */
export async function connectProxy(): Promise<TestProxy> {
  const tunnels: string[] = [];
  const upstreams = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1' && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const l = await listen(server, upstreams);
  return { url: `http://127.0.0.1:${l.port}`, tunnels, close: l.close };
}

/** How {@link frontProxy} changes what passes through it. */
export interface FrontProxyOptions {
  /** Serve https with this key and certificate (a platform the sandbox serves over http, behind TLS). */
  tls?: { key: string; cert: string };
  /** Shift the `Date` header of every answer by this much (a platform whose clock is off). */
  dateOffsetInMs?: number;
}

/**
 * A reverse proxy in front of `target` on `localhost` (so certificate names can be checked), optionally over
 * https and with a skewed `Date` header.
 *
 * @example
 * ```ts
 * const front = await frontProxy(sandbox.gdx.url, { tls: { key: tls.server.key, cert: tls.server.cert } });
 * ```
 */
export async function frontProxy(
  target: string,
  options: FrontProxyOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const headers = { ...up.headers };
        if (options.dateOffsetInMs)
          headers.date = new Date(Date.now() + options.dateOffsetInMs).toUTCString();
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server: Server = options.tls
    ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) as unknown as Server)
    : createHttpServer(handler);
  const l = await listen(server);
  return { url: `${options.tls ? 'https' : 'http'}://localhost:${l.port}`, close: l.close };
}
