import { inspect } from 'node:util';
import { captureLogger, silentTcpServer } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isThGovError, registerSecret, Transport, type TransportOptions } from '../src/index.js';
import { fastRetry, PKG, transportHarness } from './helpers/transport-harness.js';

const { cleanups, serve, transport } = transportHarness();

describe('request identity', () => {
  it('sends x-request-id, attempt counter and a User-Agent with package, node version and app prefix', async () => {
    const s = await serve((_req, res) => res.end('{"ok":true}'));
    const t = transport({ baseUrl: s.url, appName: 'saraban/2.1' });
    const res = await t.request({ method: 'GET', path: '/x' });
    const req = s.requests[0]!;
    expect(req.headers['x-request-id']).toBe(res.requestId);
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.headers['x-request-attempt']).toBe('1');
    expect(req.headers['user-agent']).toBe(`saraban/2.1 thgov-test/9.9.9 node/${process.versions.node}`);
    expect(res.body).toEqual({ ok: true });
  });

  it('keeps one request id across retries and counts attempts', async () => {
    const s = await serve((_req, res, n) => {
      res.statusCode = n < 3 ? 503 : 200;
      res.end('{}');
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    const res = await t.request({ method: 'GET', path: '/x' }, { requestId: 'case-42' });
    expect(res.attempts).toBe(3);
    expect(s.requests.map((r) => r.headers['x-request-id'])).toEqual(['case-42', 'case-42', 'case-42']);
    expect(s.requests.map((r) => r.headers['x-request-attempt'])).toEqual(['1', '2', '3']);
  });

  it('keeps the base URL path as a prefix and encodes the query', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = transport({ baseUrl: `${s.url}/uat/` });
    await t.request({
      method: 'GET',
      path: '/ws/a',
      query: { q: 'ไทย & co', n: 1, skip: undefined, l: ['a', 'b'] },
    });
    expect(s.requests[0]!.url).toBe('/uat/ws/a?q=%E0%B9%84%E0%B8%97%E0%B8%A2+%26+co&n=1&l=a&l=b');
  });

  it('encodes query names and values exactly as URLSearchParams does (NUL and lone surrogates: request-injection attacks)', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url });
    const values = [
      "!'()*~-._ aZ09",
      'a+b=c&d#e?f/g%h',
      '\r\n\t',
      'ไทย ๑๒๓',
      '\ud83d\ude00 emoji',
      '',
      '[]{}|\\^`"<>',
    ];
    for (const value of values) {
      await t.request({
        method: 'GET',
        path: '/q',
        query: { [value || 'empty']: value, plain: [value, 'x'] },
      });
      const expected = new URLSearchParams();
      expected.append(value || 'empty', value);
      expected.append('plain', value);
      expected.append('plain', 'x');
      expect(s.requests.at(-1)!.url).toBe(`/q?${expected.toString()}`);
    }
  });
});

describe('bodies', () => {
  it('sends JSON, form and raw bodies with their content types', async () => {
    const { createServer } = await import('node:http');
    const echo = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      res.end(JSON.stringify({ type: req.headers['content-type'], body }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise((r) => {
          echo.closeAllConnections();
          echo.close(() => r());
        }),
    );
    const t = transport({ baseUrl: `http://127.0.0.1:${(echo.address() as { port: number }).port}` });
    const seen: Array<{ type: string; body: string }> = [];
    for (const body of [
      { json: { a: 'ก' } },
      { form: { a: 'b c', s: 'ไทย' } },
      { raw: '<x>&amp;</x>', contentType: 'text/xml; charset=utf-8' },
    ]) {
      seen.push((await t.request<{ type: string; body: string }>({ method: 'POST', path: '/e', body })).body);
    }
    expect(seen).toEqual([
      { type: 'application/json; charset=utf-8', body: '{"a":"ก"}' },
      {
        type: 'application/x-www-form-urlencoded; charset=utf-8',
        body: 'a=b+c&s=%E0%B9%84%E0%B8%97%E0%B8%A2',
      },
      { type: 'text/xml; charset=utf-8', body: '<x>&amp;</x>' },
    ]);
  });

  it('streams a request body from a fresh stream per attempt, with Content-Length when known', async () => {
    const received: Array<{ length: string | undefined; te: string | undefined; size: number }> = [];
    const { createServer } = await import('node:http');
    const sink = createServer(async (req, res) => {
      let size = 0;
      for await (const c of req) size += (c as Buffer).length;
      received.push({ length: req.headers['content-length'], te: req.headers['transfer-encoding'], size });
      res.writeHead(received.length === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise((r) => {
          sink.closeAllConnections();
          sink.close(() => r());
        }),
    );
    const t = transport({
      baseUrl: `http://127.0.0.1:${(sink.address() as { port: number }).port}`,
      retry: fastRetry,
    });
    let opened = 0;
    async function* chunks() {
      opened++;
      for (let i = 0; i < 16; i++) yield new Uint8Array(64 * 1024).fill(i);
    }
    const res = await t.request({
      method: 'PUT',
      path: '/upload',
      body: { stream: chunks, contentType: 'application/octet-stream', contentLength: 16 * 64 * 1024 },
    });
    expect(res.attempts).toBe(2);
    expect(opened).toBe(2);
    expect(received).toEqual([
      { length: String(16 * 64 * 1024), te: undefined, size: 16 * 64 * 1024 },
      { length: String(16 * 64 * 1024), te: undefined, size: 16 * 64 * 1024 },
    ]);
    // Unknown length: chunked transfer encoding.
    await t.request({ method: 'POST', path: '/u', body: { stream: chunks, contentType: 'text/csv' } });
    expect(received[2]).toEqual({ length: undefined, te: 'chunked', size: 16 * 64 * 1024 });
    await expect(
      t.request({ method: 'POST', path: '/u', body: { stream: 'no' as never, contentType: 'text/csv' } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('returns text and bytes, and rejects invalid JSON with ERR_RESPONSE_PARSE', async () => {
    const s = await serve((req, res) => res.end(req.url === '/bad' ? '{not json' : 'สวัสดี'));
    const t = transport({ baseUrl: s.url });
    expect((await t.request<string>({ method: 'GET', path: '/t', responseType: 'text' })).body).toBe('สวัสดี');
    const bytes = (await t.request<Uint8Array>({ method: 'GET', path: '/t', responseType: 'bytes' })).body;
    expect(Buffer.from(bytes).toString('utf8')).toBe('สวัสดี');
    await expect(t.request({ method: 'GET', path: '/bad' })).rejects.toMatchObject({
      code: 'ERR_RESPONSE_PARSE',
    });
  });

  it('stops reading a body past maxResponseBytes (declared or streamed)', async () => {
    const big = 'x'.repeat(200_000);
    const s = await serve((req, res) => {
      if (req.url === '/chunked') {
        res.write(big);
        res.end(big);
      } else res.end(big);
    });
    const t = transport({ baseUrl: s.url, maxResponseBytes: 100_000 });
    await expect(t.request({ method: 'GET', path: '/cl', responseType: 'text' })).rejects.toMatchObject({
      code: 'ERR_RESPONSE_TOO_LARGE',
    });
    await expect(t.request({ method: 'GET', path: '/chunked', responseType: 'text' })).rejects.toMatchObject({
      code: 'ERR_RESPONSE_TOO_LARGE',
    });
  });

  it('streams a large download and enforces the limit while streaming', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const s = await serve((_req, res) => {
      let n = 0;
      const write = () => {
        while (n < 64) {
          n++;
          if (!res.write(chunk)) return res.once('drain', write);
        }
        res.end();
      };
      write();
    });
    const t = transport({ baseUrl: s.url, maxResponseBytes: 8 * 1024 * 1024 });
    const ok = await t.request<NodeJS.ReadableStream>({ method: 'GET', path: '/f', responseType: 'stream' });
    let total = 0;
    for await (const c of ok.body as AsyncIterable<Buffer>) total += c.length;
    expect(total).toBe(64 * 64 * 1024);

    const limited = await t.request<NodeJS.ReadableStream>({
      method: 'GET',
      path: '/f',
      responseType: 'stream',
      maxResponseBytes: 1024 * 1024,
    });
    const consume = async () => {
      for await (const _ of limited.body as AsyncIterable<Buffer>) {
        // drain
      }
    };
    await expect(consume()).rejects.toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
  });
});

describe('response validation', () => {
  it('validates with a zod schema and reports issues without values', async () => {
    const s = await serve((_req, res) =>
      res.end(JSON.stringify({ citizenId: 1101700203450, name: 'สมชาย' })),
    );
    const t = transport({ baseUrl: s.url });
    const schema = z.object({ citizenId: z.string(), name: z.string() });
    const err = await t.request({ method: 'GET', path: '/p', schema }).catch((e: unknown) => e);
    expect(isThGovError(err, 'ERR_RESPONSE_SCHEMA')).toBe(true);
    expect((err as { issues: unknown[] }).issues[0]).toMatchObject({ path: ['citizenId'] });
    const text = JSON.stringify(err) + inspect(err);
    expect(text).not.toContain('1101700203450');
  });
});

describe('timeouts', () => {
  it('connect timeout (a TLS handshake that never completes)', async () => {
    const tcp = await silentTcpServer();
    cleanups.push(() => tcp.close());
    const t = transport({
      baseUrl: `https://127.0.0.1:${tcp.port}`,
      timeouts: { connectInMs: 150 },
      retry: false,
    });
    const err = await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'connect', timeoutInMs: 150 });
  });

  it('headers timeout', async () => {
    // Never answers (the socket is destroyed at clean-up): the time-out fires however slow the machine is.
    const s = await serve(() => {});
    const t = transport({ baseUrl: s.url, timeouts: { headersInMs: 100 }, retry: false });
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      phase: 'headers',
    });
  });

  it('body timeout', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // The rest never comes: undici checks body time-outs on a coarse tick, so a body finished after a fixed
      // delay could beat the 100 ms time-out on a loaded machine.
      res.write('{"a":');
    });
    const t = transport({ baseUrl: s.url, timeouts: { bodyInMs: 100 }, retry: false });
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      phase: 'body',
    });
  });

  it('total deadline spans retries and is not retried', async () => {
    // Attempt 1 gets a 503 at once; attempt 2 is never answered, so it is in flight when the deadline fires
    // (which only a deadline spanning both attempts can end: each attempt's own time-outs are longer).
    const s = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(503).end();
    });
    const t = transport({
      baseUrl: s.url,
      retry: { maxRetries: 10, baseDelayInMs: 1, maxDelayInMs: 2, budget: false },
    });
    const err = await t.request({ method: 'GET', path: '/' }, { timeoutInMs: 1500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total', retryable: false });
    expect(s.requests.length).toBe(2);
  });
});

describe('retry', () => {
  it('retries 408/429/500/502/503/504 and network resets, at most maxRetries times', async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const s = await serve((_req, res) => {
        res.statusCode = status;
        res.end();
      });
      const t = transport({ baseUrl: s.url, retry: fastRetry });
      const err = await t.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: status, retryable: true, attempt: 4 });
      expect(s.requests).toHaveLength(4);
    }
  });

  it('never retries other 4xx', async () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      const s = await serve((_req, res) => {
        res.statusCode = status;
        res.end();
      });
      const t = transport({ baseUrl: s.url, retry: fastRetry });
      await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
        statusCode: status,
        retryable: false,
      });
      expect(s.requests).toHaveLength(1);
    }
  });

  it('retries a connection reset mid-body', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"par');
        setImmediate(() => res.socket?.destroy());
      } else res.end('{"ok":1}');
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    const res = await t.request({ method: 'GET', path: '/' });
    expect(res).toMatchObject({ attempts: 2, body: { ok: 1 } });
  });

  it('full jitter: every wait lies in [0, min(max, base*2^n)]', async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const delays: number[] = [];
    const t = transport({
      baseUrl: s.url,
      retry: { maxRetries: 6, baseDelayInMs: 4, maxDelayInMs: 40, budget: false },
      onRetry: (i) => delays.push(i.delayInMs),
    });
    for (let i = 0; i < 5; i++) await t.request({ method: 'GET', path: '/' }).catch(() => undefined);
    expect(delays).toHaveLength(30);
    delays.forEach((d, i) => {
      const n = i % 6;
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(40, 4 * 2 ** n));
    });
    // Jitter, not a fixed schedule: the draws differ.
    expect(new Set(delays).size).toBeGreaterThan(5);
  });

  it('honours Retry-After in seconds and as an HTTP date, clamped to maxRetryAfterInMs', async () => {
    const s = await serve((req, res, n) => {
      if (n % 2 === 1) {
        res.statusCode = 429;
        res.setHeader('retry-after', req.url === '/date' ? new Date(Date.now() + 30_000).toUTCString() : '1');
        res.end();
      } else res.end('{}');
    });
    const seen: Array<{ d: number; src: string }> = [];
    const t = transport({
      baseUrl: s.url,
      retry: { ...fastRetry, maxRetryAfterInMs: 300 },
      onRetry: (i) => seen.push({ d: i.delayInMs, src: i.delaySource }),
    });
    await t.request({ method: 'GET', path: '/secs' });
    await t.request({ method: 'GET', path: '/date' });
    expect(seen).toHaveLength(2);
    expect(seen.every((x) => x.src === 'retry-after' && x.d === 300)).toBe(true);

    const seen2: number[] = [];
    const t2 = transport({
      baseUrl: s.url,
      retry: { ...fastRetry, maxRetryAfterInMs: 5000 },
      onRetry: (i) => seen2.push(i.delayInMs),
    });
    await t2.request({ method: 'GET', path: '/secs' });
    expect(seen2).toEqual([1000]);
  });

  it('does not retry a POST without an idempotency key', async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    await expect(t.request({ method: 'POST', path: '/pay', body: { json: { a: 1 } } })).rejects.toMatchObject(
      { statusCode: 503 },
    );
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('retries a POST with a generated idempotency key, the same key on every attempt', async () => {
    const s = await serve((_req, res, n) => {
      res.statusCode = n < 3 ? 503 : 201;
      res.end('{}');
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    const res = await t.request({ method: 'POST', path: '/pay', body: { json: {} }, idempotencyKey: true });
    expect(res.attempts).toBe(3);
    const keys = s.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    await t.request({ method: 'POST', path: '/pay', idempotencyKey: 'order-7' });
    expect(s.requests.at(-1)!.headers['idempotency-key']).toBe('order-7');
  });

  it('retries a POST when the connection was refused (the request never left)', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const port = s.port;
    await s.close();
    cleanups.pop();
    const t = transport({ baseUrl: `http://127.0.0.1:${port}`, retry: fastRetry });
    const err = await t.request({ method: 'POST', path: '/x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_NETWORK', attempt: 4 });
  });

  it('aborts at once mid-retry, during the wait', async () => {
    const ac = new AbortController();
    const s = await serve((_req, res) => {
      res.statusCode = 503;
      res.setHeader('retry-after', '60');
      res.end();
      // Aborted once the first answer is out (not after a fixed delay, which a loaded machine can outrun).
      setTimeout(() => ac.abort(new Error('user left')), 20);
    });
    // The server asks for a minute's wait (within the total deadline): only the abort can end this call before the test's 20 s time-out.
    const t = transport({ baseUrl: s.url, retry: { ...fastRetry, maxRetryAfterInMs: 60_000 } });
    const p = t.request({ method: 'GET', path: '/' }, { abortSignal: ac.signal });
    const err = await p.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ABORTED', name: 'AbortError' });
    expect(s.requests).toHaveLength(1);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url });
    await expect(
      t.request({ method: 'GET', path: '/' }, { abortSignal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
    expect(s.requests).toHaveLength(0);
  });

  it('the retry budget stops retries when an upstream keeps failing, and refills on success', async () => {
    let fail = true;
    const s = await serve((_req, res) => {
      res.statusCode = fail ? 503 : 200;
      res.end('{}');
    });
    const t = transport({
      baseUrl: s.url,
      retry: {
        maxRetries: 3,
        baseDelayInMs: 1,
        maxDelayInMs: 2,
        budget: { capacity: 20, retryCost: 5, successRefund: 1 },
      },
    });
    for (let i = 0; i < 5; i++) await t.request({ method: 'GET', path: '/' }).catch(() => undefined);
    // 20 tokens pay for 4 retries in all; after that every call is a single attempt.
    expect(s.requests).toHaveLength(5 + 4);
    expect(t.retryBudgetTokens).toBe(0);
    fail = false;
    await t.request({ method: 'GET', path: '/' });
    expect(t.retryBudgetTokens).toBe(1);
  });

  it('business errors from classify are never retried; retryable ones are', async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('[4]');
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry });
    const { ThGovError } = await import('../src/index.js');
    await expect(
      t.request({
        method: 'GET',
        path: '/laser',
        classify: (r) => (r.text() === '[4]' ? new ThGovError('ERR_X_BUSINESS', 'no match') : undefined),
      }),
    ).rejects.toMatchObject({ code: 'ERR_X_BUSINESS' });
    expect(s.requests).toHaveLength(1);
  });
});

describe('options and lifecycle', () => {
  it('rejects unknown and invalid options with the key named', () => {
    expect(
      () => new Transport({ baseUrl: 'http://127.0.0.1:1', timeout: 5 } as unknown as TransportOptions, PKG),
    ).toThrow(/unrecognized|timeout/i);
    expect(
      () => new Transport({ baseUrl: 'http://127.0.0.1:1', timeouts: { connectInMs: -1 } }, PKG),
    ).toThrow(/timeouts\.connectInMs/);
    expect(() => new Transport({ baseUrl: 'ftp://x' }, PKG)).toThrow(TypeError);
    expect(() => new Transport({ baseUrl: 'not a url' }, PKG)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  });

  it('refuses calls after close()', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = new Transport({ baseUrl: s.url }, PKG);
    await t.close();
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'ERR_CLIENT_CLOSED',
    });
  });

  it('rejects a path that could escape the base URL', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url });
    await expect(t.request({ method: 'GET', path: '//evil.example/x' })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG',
    });
    await expect(t.request({ method: 'GET', path: 'relative' })).rejects.toThrow(TypeError);
  });

  it('bad operation input is a coded TypeError/RangeError and sends nothing', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url });
    const bad: Array<[unknown, unknown, string]> = [
      [{ method: 'BREW', path: '/' }, {}, 'TypeError'],
      [{ method: 'GET', path: 42 }, {}, 'TypeError'],
      [{ method: 'GET', path: '/' }, { timeoutInMs: -5 }, 'RangeError'],
      [{ method: 'GET', path: '/' }, { timeoutInMs: Number.NaN }, 'RangeError'],
      [{ method: 'GET', path: '/' }, { requestId: 'a\r\nx-evil: 1' }, 'TypeError'],
      [{ method: 'GET', path: '/' }, { requestId: 'x'.repeat(201) }, 'TypeError'],
      [{ method: 'GET', path: '/' }, { abortSignal: {} }, 'TypeError'],
      [null, {}, 'TypeError'],
    ];
    for (const [spec, opts, name] of bad) {
      const err = await t.request(spec as never, opts as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ name, code: 'ERR_INVALID_ARG' });
    }
    expect(s.requests).toHaveLength(0);
  });

  it('THGOV_LOG_LEVEL turns logging on and filters by level', async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const { lines, logger } = captureLogger();
    process.env.THGOV_LOG_LEVEL = 'debug';
    try {
      const t = transport({ baseUrl: s.url, logger, retry: { ...fastRetry, maxRetries: 1 } });
      await t.request({ method: 'GET', path: '/' }).catch(() => undefined);
    } finally {
      delete process.env.THGOV_LOG_LEVEL;
    }
    expect(lines.some((l) => l.startsWith('debug retrying GET /'))).toBe(true);
    const quiet = captureLogger();
    const t2 = transport({
      baseUrl: s.url,
      logger: quiet.logger,
      logLevel: 'warn',
      retry: { ...fastRetry, maxRetries: 1 },
    });
    await t2.request({ method: 'GET', path: '/' }).catch(() => undefined);
    expect(quiet.lines.filter((l) => l.startsWith('debug'))).toEqual([]);
  });

  it('onResponse sees every attempt with its raw body', async () => {
    const s = await serve((_req, res, n) => {
      res.statusCode = n === 1 ? 502 : 200;
      res.end(n === 1 ? 'bad gateway' : '{"v":2}');
    });
    const seen: Array<{ status: number; body: string }> = [];
    const t = transport({
      baseUrl: s.url,
      retry: fastRetry,
      onResponse: (i) => seen.push({ status: i.statusCode, body: Buffer.from(i.rawBody ?? []).toString() }),
    });
    await t.request({ method: 'GET', path: '/' });
    expect(seen).toEqual([
      { status: 502, body: 'bad gateway' },
      { status: 200, body: '{"v":2}' },
    ]);
  });
});

describe('redaction', () => {
  it('no secret and no citizen ID in logs, error messages, toJSON or inspect of failing calls', async () => {
    const secret = 'S3cr3t-Consumer-Value-991';
    const token = 'tok-5a1b2c3d-4e5f-6789';
    const citizenId = '1101700203450';
    registerSecret(secret);
    registerSecret(token);
    const s = await serve((_req, res) => {
      res.statusCode = 503;
      res.end(`upstream said: token ${token} for ${citizenId} with secret ${secret}`);
    });
    const { lines, logger } = captureLogger();
    const t = transport({ baseUrl: s.url, retry: fastRetry, logger, logLevel: 'debug' });
    const err = await t
      .request({
        method: 'GET',
        path: `/ws/dopa/${citizenId}`,
        query: { ConsumerSecret: secret, CitizenID: citizenId, AgentID: citizenId },
        headers: { 'Consumer-Key': 'ck-1234567890', Token: token, Authorization: `Bearer ${token}` },
      })
      .catch((e: unknown) => e);
    expect(isThGovError(err)).toBe(true);
    const everything = [
      lines.join('\n'),
      (err as Error).message,
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String((err as Error).stack),
    ].join('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const needle of [secret, token, citizenId, 'ck-1234567890', encodeURIComponent(secret)]) {
      expect(everything).not.toContain(needle);
    }
    expect(everything).toContain('[REDACTED]');
    expect(everything).toContain('[CITIZEN-ID]');
  });

  it('is silent by default', async () => {
    const s = await serve((_req, res) => res.end('{}'));
    const writes: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => writes.push(a.join(' '));
    try {
      const t = transport({ baseUrl: s.url });
      await t.request({ method: 'GET', path: '/' });
    } finally {
      console.error = orig;
    }
    expect(writes).toEqual([]);
  });
});
