import { connectProxy, createTestCa, httpServer, httpsServer, type TestServer } from '@thgov/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Transport } from '../src/index.js';

const PKG = { name: '@thgov/test', version: '1.0.0' };
/** The platform's CA with its server and an agency client, and another CA with its own client. */
async function makeTestPki() {
  const ca = await createTestCa({ commonName: 'Platform CA' });
  const otherCa = await createTestCa({ commonName: 'Other CA' });
  const server = await ca.issue({ commonName: 'server', usage: 'server' });
  const client = await ca.issue({ commonName: 'client', usage: 'client' });
  const otherClient = await otherCa.issue({ commonName: 'otherclient', usage: 'client' });
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    otherCaCert: otherCa.cert,
    otherClientCert: otherClient.cert,
    otherClientKey: otherClient.key,
  };
}

let pki: Awaited<ReturnType<typeof makeTestPki>>;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pki = await makeTestPki();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});
function setEnv(name: string, value: string): void {
  // undici reads the lower-case variable first, as curl does.
  process.env[name] = value;
  process.env[name.toLowerCase()] = value;
}
afterAll(() => {
  for (const n of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) setEnv(n, '');
});

function keep<T extends { close(): Promise<void> }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}

describe('mTLS and custom CA', () => {
  async function mtlsServer(): Promise<TestServer> {
    return keep(
      await httpsServer(
        {
          cert: pki.serverCert,
          key: pki.serverKey,
          ca: pki.caCert,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          res.end(JSON.stringify({ client: peer.subject?.CN }));
        },
      ),
    );
  }

  it('connects with the agency client certificate and the platform CA', async () => {
    const s = await mtlsServer();
    const t = keep(
      new Transport(
        { baseUrl: s.url, tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey } },
        PKG,
      ),
    );
    const res = await t.request<{ client: string }>({ method: 'GET', path: '/' });
    expect(res.body.client).toBe('client');
  });

  it('fails with ERR_TLS (not retried) when the server is not signed by the configured CA', async () => {
    const s = await mtlsServer();
    const t = keep(
      new Transport(
        { baseUrl: s.url, tls: { ca: pki.otherCaCert, cert: pki.clientCert, key: pki.clientKey } },
        PKG,
      ),
    );
    const err = await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TLS', retryable: false });
    expect(s.requests).toHaveLength(0);
  });

  it('never trusts the process-wide roots instead of the configured CA', async () => {
    const s = await mtlsServer();
    const t = keep(new Transport({ baseUrl: s.url, retry: false }, PKG));
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'ERR_TLS' });
  });

  it('a client certificate from another CA is refused by the server', async () => {
    const s = await mtlsServer();
    const t = keep(
      new Transport(
        {
          baseUrl: s.url,
          retry: false,
          tls: { ca: pki.caCert, cert: pki.otherClientCert, key: pki.otherClientKey },
        },
        PKG,
      ),
    );
    const err = await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: expect.stringMatching(/Error$/) });
    expect(['ERR_TLS', 'ERR_NETWORK']).toContain((err as { code: string }).code);
    expect(s.requests).toHaveLength(0);
  });
});

describe('proxy', () => {
  it('tunnels through a configured CONNECT proxy', async () => {
    const proxy = keep(await connectProxy());
    const s = keep(await httpServer((_req, res) => res.end('{"via":"proxy?"}')));
    const t = keep(new Transport({ baseUrl: s.url, proxy: proxy.url }, PKG));
    const res = await t.request({ method: 'GET', path: '/hello' });
    expect(res.statusCode).toBe(200);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${s.port}`]);
    expect(s.requests[0]!.url).toBe('/hello');
  });

  it('tunnels TLS with mTLS through the proxy (TLS options apply to the platform, not the proxy)', async () => {
    const proxy = keep(await connectProxy());
    const s = keep(
      await httpsServer(
        {
          cert: pki.serverCert,
          key: pki.serverKey,
          ca: pki.caCert,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (_req, res) => res.end('{"ok":true}'),
      ),
    );
    const t = keep(
      new Transport(
        {
          baseUrl: s.url,
          proxy: proxy.url,
          tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey },
        },
        PKG,
      ),
    );
    expect((await t.request({ method: 'GET', path: '/' })).body).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([`127.0.0.1:${s.port}`]);
  });

  // Names and ranges in NO_PROXY are routed in no-proxy-routing.test.ts (made-up names resolved to loopback).
  it("proxy: 'env' sends loopback direct whatever NO_PROXY says: a sandbox on 127.0.0.1 never meets the proxy", async () => {
    const proxy = keep(await connectProxy());
    const s = keep(await httpServer((_req, res) => res.end('{}')));
    setEnv('HTTP_PROXY', proxy.url);
    setEnv('HTTPS_PROXY', proxy.url);
    setEnv('NO_PROXY', '');
    const unlisted = keep(new Transport({ baseUrl: s.url, proxy: 'env' }, PKG));
    await unlisted.request({ method: 'GET', path: '/a' });
    setEnv('NO_PROXY', '127.0.0.1');
    const listed = keep(new Transport({ baseUrl: s.url, proxy: 'env' }, PKG));
    await listed.request({ method: 'GET', path: '/b' });
    expect(proxy.tunnels).toEqual([]);
    expect(s.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('a proxy that refuses the tunnel gives a typed network error', async () => {
    const proxy = keep(await connectProxy());
    const t = keep(
      new Transport({ baseUrl: 'http://localhost.invalid:80', proxy: proxy.url, retry: false }, PKG),
    );
    const err = await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_NETWORK' });
  });
});
