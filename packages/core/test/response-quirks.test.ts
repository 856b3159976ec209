// What real servers send besides plain UTF-8 JSON: compressed bodies (a gateway that compresses whatever the
// client asked for), a byte-order mark (IIS, .NET), a legacy Thai charset (TIS-620 / windows-874) declared in the
// Content-Type, bytes that are not UTF-8 at all, Retry-After values outside RFC 9110's two forms, and personal
// data the server echoes back in an error page.
import { inspect } from 'node:util';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HttpError, parseJsonBody } from '../src/index.js';
import { parseRetryAfter } from '../src/retry.js';
import { caught, transportHarness } from './helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const THAI = { name: 'สมชาย ใจดี', note: 'ผลการตรวจสอบ' };
const JSON_BODY = Buffer.from(JSON.stringify(THAI));

describe('content codings', () => {
  const codings: [string, (b: Buffer) => Buffer][] = [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ];
  it.each(codings)('a %s body is decoded', async (coding, encode) => {
    const s = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-encoding', coding);
      res.end(encode(JSON_BODY));
    });
    const res = await transport({ baseUrl: s.url }).request({ method: 'GET', path: '/x' });
    expect(res.body).toEqual(THAI);
  });

  it('deflate sent raw (without the zlib wrapper, as some servers do) is decoded too', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-encoding', 'deflate');
      res.end(deflateRawSync(JSON_BODY));
    });
    expect((await transport({ baseUrl: s.url }).request({ method: 'GET', path: '/x' })).body).toEqual(THAI);
  });

  it('codings applied in turn are undone in reverse order; identity is no coding', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-encoding', 'identity, deflate, gzip');
      res.end(gzipSync(deflateSync(JSON_BODY)));
    });
    expect((await transport({ baseUrl: s.url }).request({ method: 'GET', path: '/x' })).body).toEqual(THAI);
  });

  it('asks for the codings it can undo, and keeps a caller-set Accept-Encoding', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    await transport({ baseUrl: s.url }).request({ method: 'GET', path: '/x' });
    expect(s.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
    await transport({ baseUrl: s.url, headers: { 'accept-encoding': 'identity' } }).request({
      method: 'GET',
      path: '/y',
    });
    expect(s.requests[1]?.headers['accept-encoding']).toBe('identity');
  });

  it('a decompression bomb stops at maxResponseBytes of decoded data: ERR_RESPONSE_TOO_LARGE', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const s = await serve((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const err = await caught(
      transport({ baseUrl: s.url, maxResponseBytes: 1024 * 1024 }).request({ method: 'GET', path: '/x' }),
    );
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE', retryable: false });
  });

  it('a streamed download is decoded and held to the limit as it flows', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
    const s = await serve((req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(req.url === '/big' ? big : JSON_BODY));
    });
    const t = transport({ baseUrl: s.url, maxResponseBytes: 1024 * 1024 });
    const ok = await t.request({ method: 'GET', path: '/small', responseType: 'stream' });
    const chunks: Buffer[] = [];
    for await (const c of ok.body as AsyncIterable<Buffer>) chunks.push(c);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual(THAI);
    const res = await t.request({ method: 'GET', path: '/big', responseType: 'stream' });
    const err = await caught(
      (async () => {
        for await (const _ of res.body as AsyncIterable<Buffer>);
      })(),
    );
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
  });

  it('an unknown coding on an error status leaves the status to decide: a 503 is still retried', async () => {
    let calls = 0;
    const s = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 503;
        res.setHeader('content-encoding', 'zstd');
        res.end(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
      } else res.end(JSON_BODY);
    });
    const t = transport({
      baseUrl: s.url,
      retry: { maxRetries: 1, baseDelayInMs: 1, maxDelayInMs: 5, budget: false },
    });
    const res = await t.request({ method: 'GET', path: '/x' });
    expect(res).toMatchObject({ body: THAI, attempts: 2 });
  });

  it('a corrupt or unknown coding is a typed error, never garbage handed on as data', async () => {
    const s = await serve((req, res) => {
      res.setHeader('content-encoding', req.url === '/zstd' ? 'zstd' : 'gzip');
      res.end(req.url === '/zstd' ? JSON_BODY : Buffer.from('not gzip at all'));
    });
    const t = transport({ baseUrl: s.url });
    for (const path of ['/corrupt', '/zstd']) {
      const err = await caught(t.request({ method: 'GET', path }));
      expect(err, path).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false });
      expect(err.message, path).toMatch(/content-encoding|Content-Encoding/);
    }
  });
});

describe('character encodings', () => {
  // TIS-620 bytes for สมชาย: Thai letters are U+0E00 + (byte - 0xA0).
  const tis620 = (s: string) => Buffer.from([...s].map((c) => (c.codePointAt(0) ?? 0) - 0x0e00 + 0xa0));

  it('a UTF-8 byte-order mark before JSON is skipped (RFC 8259 §8.1)', async () => {
    const s = await serve((_req, res) =>
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), JSON_BODY])),
    );
    expect((await transport({ baseUrl: s.url }).request({ method: 'GET', path: '/x' })).body).toEqual(THAI);
    expect(parseJsonBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')]))).toEqual([1]);
  });

  it('a declared legacy Thai charset is decoded as declared, in JSON and in text', async () => {
    const s = await serve((req, res) => {
      res.setHeader(
        'content-type',
        `application/json; charset=${req.url === '/a' ? 'TIS-620' : 'windows-874'}`,
      );
      res.end(Buffer.concat([Buffer.from('{"name":"'), tis620('สมชาย'), Buffer.from('"}')]));
    });
    const t = transport({ baseUrl: s.url });
    expect((await t.request({ method: 'GET', path: '/a' })).body).toEqual({ name: 'สมชาย' });
    expect((await t.request({ method: 'GET', path: '/b', responseType: 'text' })).body).toBe(
      '{"name":"สมชาย"}',
    );
  });

  it('bytes that are not UTF-8, with no charset declared, are ERR_RESPONSE_PARSE, not U+FFFD in the data', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(Buffer.concat([Buffer.from('{"name":"'), tis620('สมชาย'), Buffer.from('"}')]));
    });
    const t = transport({ baseUrl: s.url });
    const err = await caught(t.request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE' });
    expect(err.message).toMatch(/UTF-8/);
    const text = await caught(t.request({ method: 'GET', path: '/x', responseType: 'text' }));
    expect(text).toMatchObject({ code: 'ERR_RESPONSE_PARSE' });
  });

  it('a genuine U+FFFD in UTF-8 text is data, and an unknown charset is refused by name', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/odd') res.setHeader('content-type', 'application/json; charset=x-unheard-of');
      res.end('{"a":"\uFFFD"}');
    });
    const t = transport({ baseUrl: s.url });
    expect((await t.request({ method: 'GET', path: '/ok' })).body).toEqual({ a: '\uFFFD' });
    const err = await caught(t.request({ method: 'GET', path: '/odd' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE' });
    expect(err.message).toContain('x-unheard-of');
  });
});

describe('Retry-After outside RFC 9110', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  it.each([
    ['5', 5000],
    [' 5 ', 5000],
    ['Sat, 05 Dec 2026 10:00:07 GMT', 7000],
    ['Saturday, 05-Dec-26 10:00:07 GMT', 7000],
    ['Sat Dec  5 10:00:07 2026', 7000],
    ['Sat, 05 Dec 2026 09:00:00 GMT', 0],
  ])('%j is %d ms', (value, ms) => {
    expect(parseRetryAfter(value, 60_000, now)).toBe(ms);
  });
  it.each([
    '1.5',
    '-5',
    '+5',
    '1e3',
    '0x10',
    '2026-12-05T10:00:07Z',
    'tomorrow',
    '5 seconds',
    'Sat, 05 Dec 2026',
  ])('%j is ignored (undefined), not "retry now"', (value) => {
    expect(parseRetryAfter(value, 60_000, now)).toBeUndefined();
  });
});

describe('values a call marks sensitive', () => {
  const first = 'สมชาย';
  const last = 'ใจดี';
  const code = 'JT1234567890';

  it('are masked in the error when the server echoes them, in any case, raw or URL-encoded', async () => {
    const s = await serve((req, res) => {
      res.statusCode = req.url?.startsWith('/json') ? 400 : 500;
      res.end(
        req.url?.startsWith('/json')
          ? JSON.stringify({
              message: `FirstName ${first} LastName ${last} not matched`,
              code: code.toLowerCase(),
            })
          : `invalid: ${first} ${last} (${code}) ${encodeURIComponent(first)}`,
      );
    });
    const t = transport({ baseUrl: s.url, retry: { maxRetries: 0 } });
    for (const path of ['/json', '/text']) {
      const err = await caught(
        t.request({ method: 'GET', path, query: { FirstName: first }, sensitiveValues: [first, last, code] }),
      );
      expect(err.code).toBe('ERR_HTTP');
      const seen = [JSON.stringify(err), inspect(err, { depth: 10 }), err.message, String(err.stack)].join(
        '\n',
      );
      for (const v of [first, last, code, code.toLowerCase(), encodeURIComponent(first)])
        expect(seen, `${path}: ${v}`).not.toContain(v);
      expect(seen).toContain('[REDACTED]');
    }
  });

  it('are masked in an error a classifier builds from the body', async () => {
    const s = await serve((_req, res) =>
      res.end(JSON.stringify({ Code: 1, Message: `no match for ${first} ${last}` })),
    );
    const t = transport({ baseUrl: s.url });
    const err = await caught(
      t.request({
        method: 'GET',
        path: '/x',
        sensitiveValues: [first, last],
        classify: (raw) => {
          const m = (raw.json() as { Message: string }).Message;
          return new HttpError('ERR_HTTP', `provider said: ${m}`, {
            ...raw.errorOptions(),
            hint: `server: ${m}`,
          });
        },
      }),
    );
    const seen = [err.message, String(err.stack), String(err.hint), JSON.stringify(err), inspect(err)].join(
      '\n',
    );
    expect(seen).not.toContain(first);
    expect(seen).not.toContain(last);
    expect(err.message).toBe('provider said: no match for [REDACTED] [REDACTED]');
  });
});
