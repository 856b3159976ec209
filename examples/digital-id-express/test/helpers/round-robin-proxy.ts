import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Which backend (index) served each request, with its path: the test checks the switching. */
  log: { backend: number; path: string }[];
  close(): Promise<void>;
}

/**
 * A load balancer in front of several app instances on 127.0.0.1 that sends each request to the next
 * backend in turn (no stickiness): the worst case for state kept in one instance's memory.
 */
export async function startRoundRobinProxy(backends: number[]): Promise<RoundRobinProxy> {
  const log: RoundRobinProxy['log'] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((req, res) => {
    const backend = next++ % backends.length;
    log.push({ backend, path: (req.url ?? '').split('?')[0] ?? '' });
    const upstream = request(
      { host: '127.0.0.1', port: backends[backend], method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
