// A proxy that answers the CONNECT with a status other than 200: 407 (it wants credentials, or refused the ones given),
// 403 (its access list refuses the platform's host), 502/503 (it cannot reach the platform now). undici reports each
// as an aborted request ("Proxy response (407) !== 200 when HTTP Tunneling"): the call failed as a plain ERR_NETWORK,
// with no word of the proxy, not marked as never sent (a POST could not be told apart from one the platform got) and,
// for 407/403, nothing telling the operator that the proxy's configuration is what to fix.
import { createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught, transportHarness } from '../helpers/transport-harness.js';

const { cleanups, transport } = transportHarness();

const PROXY_PASSWORD = 'Pr0xyRefusal-5521';

/** A proxy answering every CONNECT with `status`; counts the CONNECTs it saw. */
async function refusingProxy(status: number, reason: string) {
  let connects = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (head.startsWith('CONNECT ')) connects++;
      head = '';
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nProxy-Authenticate: Basic realm="agency"\r\nContent-Length: 0\r\n\r\n`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const { port } = server.address() as { port: number };
  return { url: `http://agency-user:${PROXY_PASSWORD}@127.0.0.1:${port}`, connects: () => connects };
}

function expectNoProxyCredentials(err: unknown): void {
  const basic = Buffer.from(`agency-user:${PROXY_PASSWORD}`).toString('base64');
  for (const text of [inspect(err, { depth: 20 }), JSON.stringify(err), String((err as Error).stack)]) {
    expect(text).not.toContain(PROXY_PASSWORD);
    expect(text).not.toContain(basic);
  }
}

const CASES = [
  { status: 407, reason: 'Proxy Authentication Required', retryable: false, hint: /proxy.*credential/i },
  { status: 403, reason: 'Forbidden', retryable: false, hint: /proxy.*(allow|access list)/i },
  { status: 502, reason: 'Bad Gateway', retryable: true, hint: /proxy.*(reach|could not)/i },
  { status: 503, reason: 'Service Unavailable', retryable: true, hint: /proxy.*(reach|could not)/i },
] as const;

describe('a proxy that answers the CONNECT with an error status', () => {
  for (const c of CASES) {
    it(`${c.status}: a typed error that names the proxy's answer, never sent, with a hint`, async () => {
      const proxy = await refusingProxy(c.status, c.reason);
      const t = transport({ baseUrl: 'https://platform.example.test', proxy: proxy.url, retry: false });
      const err = await caught(t.request({ method: 'POST', path: '/letters', body: { json: { a: 1 } } }));
      expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true, retryable: c.retryable });
      expect((err as Error).message).toContain(`proxy answered ${c.status}`);
      expect((err as { hint?: string }).hint).toMatch(c.hint);
      expect(proxy.connects()).toBe(1);
      expectNoProxyCredentials(err);
    });
  }

  it('407 is not retried, however many retries are allowed (the same credentials would be refused again)', async () => {
    const proxy = await refusingProxy(407, 'Proxy Authentication Required');
    const t = transport({
      baseUrl: 'https://platform.example.test',
      proxy: proxy.url,
      retry: { maxRetries: 3, baseDelayInMs: 1, maxDelayInMs: 2 },
    });
    const err = await caught(t.request({ method: 'GET', path: '/status' }));
    expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true, retryable: false });
    expect(proxy.connects()).toBe(1);
  });
});
