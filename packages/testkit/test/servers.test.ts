import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  connectProxy,
  createTestCa,
  frontProxy,
  httpServer,
  httpsServer,
  silentTcpServer,
  type TestServer,
} from '../src/index.js';

function status(
  url: string,
  options: { ca?: string; path?: string } = {},
): Promise<{ code: number | string; date?: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(u, { ca: options.ca, agent: false }, (res) => {
      res.resume();
      resolve({ code: res.statusCode ?? 0, date: res.headers.date });
    });
    req.on('error', (err: Error & { code?: string }) => resolve({ code: err.code ?? err.message }));
    req.end();
  });
}

/** Sends CONNECT to the proxy and resolves with its status line. */
function tunnel(proxyUrl: string, target: string): Promise<string> {
  const p = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: p.hostname,
      port: p.port,
      method: 'CONNECT',
      path: target,
      agent: false,
    });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve(String(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('test servers and proxies', () => {
  let tls: { ca: string; key: string; cert: string };
  let backend: TestServer;
  beforeAll(async () => {
    const ca = await createTestCa({ commonName: 'Servers CA' });
    const server = await ca.issue({ commonName: 'localhost', usage: 'server' });
    tls = { ca: ca.cert, key: server.key, cert: server.cert };
    backend = await httpServer((_req, res, n) => res.writeHead(n === 1 ? 503 : 200).end());
  });
  afterAll(() => backend?.close());

  it('httpServer numbers the requests and keeps them', async () => {
    expect((await status(backend.url)).code).toBe(503);
    expect((await status(`${backend.url}/again`)).code).toBe(200);
    expect(backend.requests.map((r) => r.url)).toEqual(['/', '/again']);
  });

  it('httpsServer serves with a testkit certificate', async () => {
    const s = await httpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.writeHead(204).end());
    try {
      expect((await status(s.url, { ca: tls.ca })).code).toBe(204);
      expect((await status(s.url)).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await s.close();
    }
  });

  it('connectProxy tunnels to 127.0.0.1 only and records every CONNECT', async () => {
    const proxy = await connectProxy();
    try {
      expect(await tunnel(proxy.url, `127.0.0.1:${backend.port}`)).toBe('200');
      expect(await tunnel(proxy.url, 'example.org:443')).toBe('403');
      expect(proxy.tunnels).toEqual([`127.0.0.1:${backend.port}`, 'example.org:443']);
    } finally {
      await proxy.close();
    }
  });

  it('frontProxy adds TLS for localhost and can skew the Date header', async () => {
    const front = await frontProxy(backend.url, {
      tls: { key: tls.key, cert: tls.cert },
      dateOffsetInMs: 3_600_000,
    });
    try {
      expect(front.url).toMatch(/^https:\/\/localhost:\d+$/);
      const r = await status(front.url, { ca: tls.ca });
      expect(r.code).toBe(200);
      const skew = Date.parse(r.date ?? '') - Date.now();
      expect(skew).toBeGreaterThan(3_000_000);
    } finally {
      await front.close();
    }
  });

  it('closedPort refuses; silentTcpServer accepts and never answers', async () => {
    expect((await status(`http://127.0.0.1:${await closedPort()}/`)).code).toBe('ECONNREFUSED');
    const silent = await silentTcpServer();
    try {
      const got = await new Promise<string>((resolve) => {
        const s = connect(silent.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        s.on('data', () => resolve('answered'));
        // Bounded wait: an idle socket ends the test; no answer is the expected outcome.
        s.setTimeout(300, () => {
          s.destroy();
          resolve('silent');
        });
      });
      expect(got).toBe('silent');
    } finally {
      await silent.close();
    }
  });
});
