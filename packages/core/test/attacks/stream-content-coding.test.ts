// Attack: a server (or anything between) sends a streamed download whose Content-Encoding lies: gzip that is not
// gzip, deflate that is not deflate. The buffered path turns that into ERR_RESPONSE_PARSE; the streamed path gave
// the reader a raw zlib Error (Z_DATA_ERROR), which is no ThGovError (no code contract, not redacted, not caught by
// `isThGovError`). And a raw deflate body (no zlib header, which the buffered path accepts) failed when streamed.
import type { Readable } from 'node:stream';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isThGovError } from '../../src/index.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const PAYLOAD = Buffer.from(JSON.stringify({ rows: Array.from({ length: 500 }, (_, i) => `แถว ${i}`) }));

async function drain(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A server that answers every request with `body` under `coding`. */
async function coded(coding: string, body: Buffer) {
  const s = await serve((_req, res) => {
    res.setHeader('content-encoding', coding);
    res.end(body);
  });
  return transport({ baseUrl: s.url, retry: false });
}

describe('streamed downloads with a lying Content-Encoding', () => {
  it.each([
    ['gzip', Buffer.from('not gzip at all, definitely')],
    ['deflate', Buffer.from('not deflate either, no way')],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['gzip', gzipSync(PAYLOAD).subarray(0, 40)],
  ])('a corrupt %s stream errors with ERR_RESPONSE_PARSE, a ThGovError', async (coding, body) => {
    const t = await coded(coding, body);
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    const err = await caught(drain(res.body));
    expect(isThGovError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false });
    expect(err.message).toContain(`valid ${coding} data (Content-Encoding)`);
  });

  it('the same corrupt gzip is ERR_RESPONSE_PARSE buffered and streamed alike', async () => {
    const t = await coded('gzip', Buffer.from('not gzip at all, definitely'));
    const buffered = await caught(t.request({ method: 'GET', path: '/f', responseType: 'bytes' }));
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    const streamed = await caught(drain(res.body));
    expect(buffered.code).toBe('ERR_RESPONSE_PARSE');
    expect(streamed.code).toBe(buffered.code);
  });

  it('a connection cut in the middle of a gzip stream is a network failure, not corrupt data', async () => {
    const gz = gzipSync(Buffer.alloc(256 * 1024, 0x41).map((_, i) => (i * 7919) % 251));
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length) });
      res.write(gz.subarray(0, gz.length >> 1), () => res.socket?.destroy());
    });
    const t = transport({ baseUrl: s.url, retry: false });
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    const err = await caught(drain(res.body));
    expect(err.code).not.toBe('ERR_RESPONSE_PARSE');
    expect(err.message).not.toContain('Content-Encoding');
  });
});

describe('streamed deflate, wrapped or raw', () => {
  it.each([
    ['zlib-wrapped', deflateSync(PAYLOAD)],
    ['raw (no zlib header)', deflateRawSync(PAYLOAD)],
    ['raw, of an empty body', deflateRawSync(Buffer.alloc(0))],
  ])('deflate sent %s decodes when streamed, as it does buffered', async (_label, body) => {
    const t = await coded('deflate', body);
    const expected = (await t.request<Uint8Array>({ method: 'GET', path: '/f', responseType: 'bytes' })).body;
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    const got = await drain(res.body);
    expect(Buffer.compare(got, Buffer.from(expected))).toBe(0);
  });

  it('raw deflate under gzip (codings applied in turn) decodes when streamed', async () => {
    const t = await coded('deflate, gzip', gzipSync(deflateRawSync(PAYLOAD)));
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    expect((await drain(res.body)).equals(PAYLOAD)).toBe(true);
  });

  it('a raw deflate stream delivered one byte per chunk still decodes', async () => {
    const body = deflateRawSync(PAYLOAD);
    const s = await serve(async (_req, res) => {
      res.setHeader('content-encoding', 'deflate');
      for (const b of body.subarray(0, 4)) {
        res.write(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
      res.end(body.subarray(4));
    });
    const t = transport({ baseUrl: s.url, retry: false });
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    expect((await drain(res.body)).equals(PAYLOAD)).toBe(true);
  });

  it('brotli still streams', async () => {
    const t = await coded('br', brotliCompressSync(PAYLOAD));
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    expect((await drain(res.body)).equals(PAYLOAD)).toBe(true);
  });
});
