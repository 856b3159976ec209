// Quirk: a Content-Encoding on a response with no content, and on an error status whose body is corrupt.
// - nginx, Apache and most CDNs send `Content-Encoding: gzip` on a HEAD response (its headers describe what a GET
//   would send, RFC 9110 §9.3.2) and on a 204 or 304; there is no content, so there is nothing to undo: gunzip of
//   zero bytes is Z_BUF_ERROR, which made a good HEAD or 204 an ERR_RESPONSE_PARSE.
// - a gateway's 502/503 whose gzip body is cut short (the upstream died mid-answer), or one that says gzip and is
//   not: the body of an error status is only quoted, so the status decides the error and whether it is retried,
//   as it already does for an unknown coding. It was ERR_RESPONSE_PARSE, not retried.
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const PAYLOAD = { ok: true, name: 'สมชาย' };
const GZ = gzipSync(Buffer.from(JSON.stringify(PAYLOAD)));
const retry = { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 5, budget: false as const };

async function drain(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('a Content-Encoding on a response without content', () => {
  it.each(['gzip', 'br', 'deflate'])(
    'a HEAD answered with %s headers succeeds, with no body',
    async (coding) => {
      const s = await serve((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': coding,
          'content-length': String(GZ.length),
        });
        res.end();
      });
      const t = transport({ baseUrl: s.url, retry: false });
      const res = await t.request({ method: 'HEAD', path: '/file' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBeUndefined();
      expect(res.headers['content-encoding']).toBe(coding);
      const bytes = await t.request<Uint8Array>({ method: 'HEAD', path: '/file', responseType: 'bytes' });
      expect(bytes.body.byteLength).toBe(0);
    },
  );

  it('a 204 with Content-Encoding: gzip succeeds, buffered and streamed', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(204, { 'content-encoding': 'gzip' });
      res.end();
    });
    const t = transport({ baseUrl: s.url, retry: false });
    const res = await t.request({ method: 'DELETE', path: '/item/1' });
    expect(res).toMatchObject({ statusCode: 204, body: undefined });
    const streamed = await t.request<Readable>({ method: 'DELETE', path: '/item/1', responseType: 'stream' });
    expect((await drain(streamed.body)).byteLength).toBe(0);
  });

  it('a 304 with Content-Encoding: gzip is the HTTP status error, not a parse error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(304, { 'content-encoding': 'gzip', etag: '"v1"' });
      res.end();
    });
    const t = transport({ baseUrl: s.url, retry: false });
    const err = await caught(t.request({ method: 'GET', path: '/x', headers: { 'if-none-match': '"v1"' } }));
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 304 });
  });
});

describe('a corrupt coded body on an error status', () => {
  it.each([
    ['a gzip body cut short', GZ.subarray(0, GZ.length >> 1)],
    ['a body that is not gzip', Buffer.from('<html>Service Unavailable</html>')],
  ])('a 503 with %s is still retried, and the retry succeeds', async (_label, body) => {
    let calls = 0;
    const s = await serve((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 503 : 200;
      res.setHeader('content-encoding', 'gzip');
      res.end(calls === 1 ? body : GZ);
    });
    const delays: number[] = [];
    const t = transport({ baseUrl: s.url, retry, onRetry: (i) => delays.push(i.delayInMs) });
    const res = await t.request({ method: 'GET', path: '/x' });
    expect(res).toMatchObject({ statusCode: 200, body: PAYLOAD, attempts: 2 });
    expect(delays.length).toBe(1);
  });

  it('a 404 with a corrupt gzip body is ERR_HTTP 404, its body not quoted as garbage', async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 404;
      res.setHeader('content-encoding', 'gzip');
      res.end(Buffer.from('not gzip at all'));
    });
    const t = transport({ baseUrl: s.url, retry });
    const err = await caught(t.request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 404, retryable: false });
    expect(JSON.stringify(err)).not.toContain('not gzip at all');
  });

  it('a success with a corrupt gzip body is still ERR_RESPONSE_PARSE (the data is wrong)', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(GZ.subarray(0, GZ.length >> 1));
    });
    const t = transport({ baseUrl: s.url, retry });
    const err = await caught(t.request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false });
  });
});
