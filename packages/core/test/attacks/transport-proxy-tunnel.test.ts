// A proxy on the way to the platform that does not set up the tunnel: one that closes every connection at once (an
// agency proxy refusing a host it does not allow, a proxy that does not speak CONNECT), and one that accepts the
// connection and never answers the CONNECT. Before the fix, undici reconnected to the first in a tight loop for ever
// (thousands of connections a second, nodejs/undici#3897) and waited 300 s on the second: either way the call ignored
// the connect timeout, its own deadline and the caller's abort signal.
import { createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught, fastRetry, transportHarness } from '../helpers/transport-harness.js';

const { cleanups, transport } = transportHarness();

const PROXY_PASSWORD = 'Pr0xyPassw0rd-7731';

/** A TCP "proxy" that counts connections and does `onConnection` with each; `connected` resolves on the first. */
async function badProxy(onConnection: (socket: Socket) => void) {
  let connections = 0;
  let first: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    first = resolve;
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
    first();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const closed = new Promise<void>((r) => server.on('close', r));
  /** Closes the proxy and every connection to it (the tunnel a call gave up on ends with it). */
  const close = () => {
    for (const s of sockets) s.destroy();
    if (server.listening) server.close();
    return closed;
  };
  cleanups.push(close);
  const { port } = server.address() as { port: number };
  return {
    url: `http://agency-user:${PROXY_PASSWORD}@127.0.0.1:${port}`,
    connections: () => connections,
    connected,
    close,
  };
}

function expectNoProxyCredentials(err: unknown): void {
  const basic = Buffer.from(`agency-user:${PROXY_PASSWORD}`).toString('base64');
  for (const text of [inspect(err, { depth: 20 }), JSON.stringify(err), String((err as Error).stack)]) {
    expect(text).not.toContain(PROXY_PASSWORD);
    expect(text).not.toContain(basic);
  }
}

describe('a proxy that closes the connection before the tunnel is open', () => {
  it('fails the call with a typed network error after one connection, not a reconnect loop', async () => {
    const proxy = await badProxy((socket) => socket.destroy());
    const t = transport({ baseUrl: 'http://platform.example.test', proxy: proxy.url, retry: false });
    // The call's own deadline is far away: the call must end because the proxy failed, not because time ran out.
    const err = await caught(t.request({ method: 'GET', path: '/status' }, { timeoutInMs: 600_000 }));
    expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true });
    expect(proxy.connections()).toBe(1);
    expectNoProxyCredentials(err);
  });

  it("the same with proxy: 'env' (HTTPS_PROXY / HTTP_PROXY)", async () => {
    const proxy = await badProxy((socket) => socket.destroy());
    const saved = { ...process.env };
    cleanups.push(async () => {
      for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
        process.env[name] = saved[name];
    });
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
      process.env[name] = proxy.url;
    const t = transport({ baseUrl: 'http://platform.example.test', proxy: 'env', retry: false });
    const err = await caught(t.request({ method: 'GET', path: '/status' }, { timeoutInMs: 600_000 }));
    expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true });
    expect(proxy.connections()).toBe(1);
    expectNoProxyCredentials(err);
  });

  it('is retried as a request that never left (also a POST), one connection per attempt', async () => {
    const proxy = await badProxy((socket) => socket.destroy());
    const retries: number[] = [];
    const t = transport({
      baseUrl: 'http://platform.example.test',
      proxy: proxy.url,
      retry: fastRetry,
      onRetry: (info) => retries.push(info.attempt),
    });
    const err = await caught(t.request({ method: 'POST', path: '/submit', body: { json: { a: 1 } } }));
    expect(err).toMatchObject({ code: 'ERR_NETWORK', retryable: true, notSent: true, attempt: 4 });
    expect(retries).toEqual([1, 2, 3]);
    expect(proxy.connections()).toBe(4);
  });
});

describe('a proxy that accepts the connection and never answers the CONNECT', () => {
  it('is bounded by the connect timeout: ERR_TIMEOUT (phase connect), the request never sent', async () => {
    const proxy = await badProxy(() => undefined);
    const t = transport({
      baseUrl: 'http://platform.example.test',
      proxy: proxy.url,
      retry: false,
      timeouts: { connectInMs: 300 },
    });
    const err = await caught(t.request({ method: 'GET', path: '/status' }));
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'connect', notSent: true });
    expectNoProxyCredentials(err);
  });

  it("the caller's abort ends the call while it waits for the tunnel", async () => {
    const proxy = await badProxy(() => undefined);
    const t = transport({
      baseUrl: 'http://platform.example.test',
      proxy: proxy.url,
      timeouts: { connectInMs: 3_600_000 },
    });
    const controller = new AbortController();
    const call = caught(t.request({ method: 'GET', path: '/status' }, { abortSignal: controller.signal }));
    await proxy.connected;
    controller.abort();
    expect(await call).toMatchObject({ code: 'ERR_ABORTED' });
    // The tunnel the call gave up on waits for the proxy (within the connect timeout): the proxy goes first here.
    await proxy.close();
  });

  it("the call's deadline ends it while it waits for the tunnel", async () => {
    const proxy = await badProxy(() => undefined);
    const t = transport({
      baseUrl: 'http://platform.example.test',
      proxy: proxy.url,
      timeouts: { connectInMs: 3_600_000 },
    });
    const err = await caught(t.request({ method: 'GET', path: '/status' }, { timeoutInMs: 200 }));
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total' });
    await proxy.close();
  });
});
