// Responses that carry no content by definition (RFC 9110 §6.4.1): a 204, a 304 and the answer to a HEAD. A 304 may
// name the length of the representation a GET would send (§8.6: Apache and several CDNs do), and some servers send a
// Content-Length, or even a few bytes, after a 204. The status arrived whole; the request must not be sent again
// (a DELETE that succeeded, retried, meets a 404) nor reported as a network failure.
import { createServer, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { caught, fastRetry, transportHarness } from './helpers/transport-harness.js';

const { cleanups, transport } = transportHarness();

/**
 * A TCP server that answers every request with the next of `heads` (the last one repeated), closing the connection
 * after one that says `connection: close`, and counts requests.
 */
async function cannedServer(...heads: string[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (c) => {
      if (!c.includes('\r\n\r\n')) return;
      const head = heads[Math.min(requests, heads.length - 1)] as string;
      requests++;
      if (head.includes('connection: close')) socket.end(head);
      else socket.write(head);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  );
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

const OK_JSON = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"next":1}\n';

describe('a status without content, whatever its headers say', () => {
  it('a 204 with a Content-Length and no bytes is the success it reports, sent once', async () => {
    const s = await cannedServer('HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n');
    const res = await transport({ baseUrl: s.url, retry: fastRetry }).request({
      method: 'DELETE',
      path: '/records/7',
    });
    expect(res.statusCode).toBe(204);
    expect(s.requests()).toBe(1);
  });

  it('a 204 followed by stray bytes is the success it reports, and the next call gets its own answer', async () => {
    const s = await cannedServer('HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nhello', OK_JSON);
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    const res = await t.request({ method: 'DELETE', path: '/records/7' });
    expect(res.statusCode).toBe(204);
    expect(s.requests()).toBe(1);
    expect((await t.request({ method: 'GET', path: '/next' })).body).toEqual({ next: 1 });
    expect(s.requests()).toBe(2);
  });

  it('a 304 naming the length of the representation (RFC 9110 §8.6) is a 304, not a network error', async () => {
    const s = await cannedServer('HTTP/1.1 304 Not Modified\r\netag: "v7"\r\ncontent-length: 1234\r\n\r\n');
    const err = await caught(
      transport({ baseUrl: s.url, retry: fastRetry }).request({
        method: 'GET',
        path: '/records/7',
        headers: { 'if-none-match': '"v7"' },
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 304, retryable: false });
    expect(s.requests()).toBe(1);
  });

  it('a streamed 204 with a Content-Length hands over an empty stream that ends', async () => {
    const s = await cannedServer('HTTP/1.1 204 No Content\r\ncontent-length: 9\r\n\r\n');
    const res = await transport({ baseUrl: s.url, retry: fastRetry }).request<Readable>({
      method: 'POST',
      path: '/jobs',
      responseType: 'stream',
    });
    expect(res.statusCode).toBe(204);
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).byteLength).toBe(0);
    expect(s.requests()).toBe(1);
  });

  it('guard: a 200 cut short of its Content-Length is still a network error, and retried', async () => {
    const s = await cannedServer(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\nconnection: close\r\n\r\n{"a":',
    );
    const err = await caught(
      transport({ baseUrl: s.url, retry: fastRetry }).request({ method: 'GET', path: '/x' }),
    );
    expect(err).toMatchObject({ code: 'ERR_NETWORK', retryable: true });
    expect(s.requests()).toBe(1 + fastRetry.maxRetries);
  });
});

describe('empty content under a content coding', () => {
  const EMPTY_GZIP_CHUNKED =
    'HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n';

  it.each(['gzip', 'deflate', 'br'])(
    'an empty chunked %s download is an empty stream, not a parse error',
    async (c) => {
      const s = await cannedServer(EMPTY_GZIP_CHUNKED.replace('gzip', c));
      const res = await transport({ baseUrl: s.url, retry: fastRetry }).request<Readable>({
        method: 'GET',
        path: '/export.csv',
        responseType: 'stream',
      });
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).byteLength).toBe(0);
    },
  );

  it('guard: a streamed gzip body cut to one byte is still ERR_RESPONSE_PARSE', async () => {
    const s = await cannedServer(EMPTY_GZIP_CHUNKED.replace('0\r\n\r\n', '1\r\n\x1f\r\n0\r\n\r\n'));
    const res = await transport({ baseUrl: s.url, retry: fastRetry }).request<Readable>({
      method: 'GET',
      path: '/export.csv',
      responseType: 'stream',
    });
    const err = await caught(
      (async () => {
        for await (const _ of res.body) {
          // read to the end
        }
      })(),
    );
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE' });
  });
});
