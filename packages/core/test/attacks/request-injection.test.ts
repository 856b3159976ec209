// The request side of the transport, fed hostile caller values. Before the fix:
// - a header value with CR, LF, NUL or a character above U+00FF (spec.headers, TransportOptions.headers, an
//   idempotency key, a signer's header) reached undici, whose InvalidArgumentError came back as ERR_NETWORK
//   ("Network error talking to …"), as if the platform were down;
// - a path with a space, CR/LF, NUL or Thai text was the same ERR_NETWORK; one with `#`, a backslash or a dot
//   segment (`..`, `%2e%2e`) was sent as it is, so a server or proxy normalising it answered for another path;
// - a lone surrogate in a JSON, form or raw text body was sent as U+FFFD (or a `\ud800` escape the platform
//   stores or rejects at random): the citizen's data changed silently; U+0000 went through in JSON and forms.
import { createServer, type Socket } from 'node:net';
import { loggableText } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { type RetryInfo, registerSecret, Transport, unregisterSecret } from '../../src/index.js';
import { PKG, transportHarness } from '../helpers/transport-harness.js';

const { cleanups, serve, transport } = transportHarness();

/** A TCP server that records every byte it receives and answers 200 to each request. */
async function rawServer(): Promise<{ url: string; bytes: () => string }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (c) => {
      chunks.push(c);
      if (c.includes('\r\n\r\n'))
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, bytes: () => Buffer.concat(chunks).toString('latin1') };
}

const SECRET = 'Zq9-hostile-secret-value-7731';
const HOSTILE_HEADER_VALUES: Array<[string, string]> = [
  ['CRLF', `${SECRET}\r\nx-injected: 1`],
  ['lone LF', `${SECRET}\nx-injected: 1`],
  ['lone CR', `${SECRET}\rx-injected: 1`],
  ['NUL', `${SECRET}\u0000`],
  ['Thai text', `${SECRET}ทดสอบ`],
  ['U+010D (low byte CR)', `${SECRET}\u010dx`],
];

describe('header values are checked before any byte is sent', () => {
  it.each(HOSTILE_HEADER_VALUES)(
    'spec.headers with %s: ERR_INVALID_ARG naming the header',
    async (_n, value) => {
      const s = await rawServer();
      const t = transport({ baseUrl: s.url, retry: false });
      const err = (await t
        .request({ method: 'GET', path: '/x', headers: { 'x-correlation-id': value } })
        .catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG');
      expect(err.message).toContain('x-correlation-id');
      expect(loggableText(err)).not.toContain(SECRET);
      expect(s.bytes()).toBe('');
    },
  );

  it('TransportOptions.headers with CRLF is refused (at construction or at the call), naming the header', async () => {
    const s = await rawServer();
    const err = await (async () => {
      const t = new Transport(
        { baseUrl: s.url, retry: false, headers: { 'x-consumer': `${SECRET}\r\nx-injected: 1` } },
        PKG,
      );
      cleanups.push(() => t.close());
      await t.request({ method: 'GET', path: '/x' });
    })().catch((e: unknown) => e as Error & { code?: string });
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.code).toBe('ERR_INVALID_ARG');
    expect(err?.message).toContain('x-consumer');
    expect(loggableText(err as Error)).not.toContain(SECRET);
    expect(s.bytes()).toBe('');
  });

  it('a header name that is not a token is refused', async () => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url, retry: false });
    for (const name of ['x bad', 'x:bad', 'x\r\nbad', '', 'ชื่อ']) {
      const err = (await t
        .request({ method: 'GET', path: '/x', headers: { [name]: 'v' } })
        .catch((e: unknown) => e)) as Error & { code?: string };
      expect(err, JSON.stringify(name)).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG');
    }
    expect(s.bytes()).toBe('');
  });

  it.each([
    ['CRLF', 'key\r\nx-injected: 1'],
    ['Thai text', 'คีย์'],
    ['NUL', 'key\u0000'],
  ])('an idempotency key with %s is ERR_INVALID_ARG', async (_n, key) => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url, retry: false });
    const err = (await t
      .request({ method: 'POST', path: '/x', body: { json: {} }, idempotencyKey: key })
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(err.message).toContain('idempotency-key');
    expect(s.bytes()).toBe('');
  });

  it('a header a signer returns (a value it got from elsewhere) is checked too, and the secret not quoted', async () => {
    registerSecret(SECRET);
    try {
      const s = await rawServer();
      const t = transport({
        baseUrl: s.url,
        retry: false,
        signer: { sign: async () => ({ headers: { 'x-jws-signature': `${SECRET}\r\nx-injected: 1` } }) },
      });
      const err = (await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as Error & {
        code?: string;
      };
      expect(err.code).toBe('ERR_INVALID_ARG');
      expect(err.message).toContain('x-jws-signature');
      expect(loggableText(err)).not.toContain(SECRET);
      expect(s.bytes()).toBe('');
    } finally {
      unregisterSecret(SECRET);
    }
  });

  it('tabs and Latin-1 (obs-text) stay allowed, as RFC 9110 allows them', async () => {
    const s = await serve((req, res) => res.end(JSON.stringify({ v: req.headers['x-v'] })));
    const t = transport({ baseUrl: s.url });
    const res = await t.request({ method: 'GET', path: '/x', headers: { 'x-v': 'a\tb' } });
    expect(res.body).toEqual({ v: 'a\tb' });
  });
});

describe('request paths', () => {
  it.each([
    ['space', '/a b'],
    ['CRLF', '/a\r\nx-injected: 1'],
    ['NUL', '/a\u0000'],
    ['Thai text', '/dataset/ข้อมูล'],
    ['fragment', '/a#b'],
    ['backslash', '/a\\..\\admin'],
    ['dot-dot segment', '/api/../admin'],
    ['dot segment', '/api/./x'],
    ['trailing dot-dot', '/api/..'],
    ['encoded dot-dot', '/api/%2e%2e/admin'],
    ['half-encoded dot-dot', '/api/.%2E/admin'],
    ['encoded dot-dot before a query', '/api/%2E%2E?x=1'],
  ])('a path with %s is ERR_INVALID_ARG and nothing is sent', async (_n, path) => {
    const s = await rawServer();
    const t = transport({ baseUrl: `${s.url}/base`, retry: false });
    const err = (await t.request({ method: 'GET', path }).catch((e: unknown) => e)) as Error & {
      code?: string;
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(s.bytes()).toBe('');
  });

  it('percent-encoded segments, dots inside names and a query in the path still go through as they are', async () => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url });
    const path = `/d/${encodeURIComponent('ข้อมูล/../x?#')}/v1.2/..x/a..b?y=%2F`;
    await t.request({ method: 'GET', path });
    expect(s.bytes().split('\r\n')[0]).toBe(`GET ${path} HTTP/1.1`);
  });
});

describe('request bodies keep the caller data exactly or are refused', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a lone high surrogate', { person: { firstName: 'สม\ud800ชาย' } }, 'person.firstName'],
    ['a lone low surrogate in an array', { names: ['ok', 'x\udc00'] }, 'names.1'],
    ['U+0000', { address: 'บ้าน\u0000เลขที่' }, 'address'],
    ['a lone surrogate in a key', { 'k\ud800': 1 }, '(a key)'],
  ];
  it.each(cases)(
    'a JSON body with %s: ERR_INVALID_ARG naming the field, not the value',
    async (_n, json, field) => {
      const s = await rawServer();
      const t = transport({ baseUrl: s.url, retry: false });
      const err = (await t
        .request({ method: 'POST', path: '/x', body: { json } })
        .catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG');
      if (field !== '(a key)') expect(err.message).toContain(field);
      expect(loggableText(err)).not.toContain('สม');
      expect(loggableText(err)).not.toContain('บ้าน');
      expect(s.bytes()).toBe('');
    },
  );

  it('a JSON body whose text holds a backslash-u spelled out is sent unchanged (not mistaken for an escape)', async () => {
    const s = await serve(async (_req, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url });
    await t.request({ method: 'POST', path: '/x', body: { json: { a: '\\u0000 \\ud800', b: '😀' } } });
    expect(s.requests).toHaveLength(1);
  });

  it.each([
    ['a lone surrogate', { firstName: 'สม\ud800ชาย' }, 'firstName'],
    ['U+0000', { lastName: 'ใจ\u0000ดี' }, 'lastName'],
  ])('a form body with %s: ERR_INVALID_ARG naming the field', async (_n, form, field) => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url, retry: false });
    // URLSearchParams itself turns a lone surrogate into U+FFFD when it is built: only NUL is left to see there.
    const bodies = field === 'lastName' ? [{ form }, { form: new URLSearchParams(form) }] : [{ form }];
    for (const body of bodies) {
      const err = (await t
        .request({ method: 'POST', path: '/x', body })
        .catch((e: unknown) => e)) as Error & {
        code?: string;
      };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG');
      expect(err.message).toContain(field);
      expect(loggableText(err)).not.toContain('สม');
      expect(loggableText(err)).not.toContain('ใจ');
    }
    expect(s.bytes()).toBe('');
  });

  it('a raw text body with a lone surrogate is refused (it would go as U+FFFD)', async () => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url, retry: false });
    const err = (await t
      .request({
        method: 'POST',
        path: '/x',
        body: { raw: '<name>สม\udfffชาย</name>', contentType: 'text/xml' },
      })
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(loggableText(err)).not.toContain('สม');
    expect(s.bytes()).toBe('');
  });
});

describe('query parameters keep the caller data exactly or are refused', () => {
  // Before: a lone surrogate in a query name or value went out as %EF%BF%BD (U+FFFD), a NUL as %00, where the
  // same value in a form body was refused: a lookup by a name the caller never sent.
  it.each([
    ['a lone high surrogate in a value', { firstName: 'สม\ud800ชาย' }, 'firstName'],
    ['a lone low surrogate in an array item', { names: ['ok', 'x\udc00'] }, 'names'],
    ['U+0000 in a value', { lastName: 'ใจ\u0000ดี' }, 'lastName'],
    ['a lone surrogate in a name', { 'k\ud800': 'สมชาย' }, 'k'],
  ])(
    '%s: ERR_INVALID_ARG naming the parameter, not the value, and nothing is sent',
    async (_n, query, name) => {
      const s = await rawServer();
      const t = transport({ baseUrl: s.url, retry: false });
      const err = (await t
        .request({ method: 'GET', path: '/q', query: query as Record<string, string | string[]> })
        .catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG');
      expect(err.message).toContain(`query parameter "${name}`);
      expect(loggableText(err)).not.toMatch(/สม|ใจ/);
      expect(s.bytes()).toBe('');
    },
  );

  it('surrogate pairs, Thai text, CR/LF and tabs still go through, encoded as URLSearchParams encodes them', async () => {
    const s = await rawServer();
    const t = transport({ baseUrl: s.url });
    const query = { q: 'ไทย \ud83d\ude00', w: '\r\n\t' };
    await t.request({ method: 'GET', path: '/q', query });
    expect(s.bytes().split('\r\n')[0]).toBe(`GET /q?${new URLSearchParams(query).toString()} HTTP/1.1`);
  });
});

describe('what a hostile server sends back does not steer the request (held before the fix)', () => {
  it('a redirect to another origin is not followed: the credential header goes nowhere else', async () => {
    const other = await serve((_req, res) => res.end('{}'));
    const s = await serve((_req, res) => {
      res.writeHead(307, { location: `${other.url}/steal` }).end();
    });
    const t = transport({ baseUrl: s.url, retry: false, headers: { authorization: `Bearer ${SECRET}` } });
    const err = (await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as Error & {
      code?: string;
      statusCode?: number;
    };
    expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 307 });
    expect(other.requests).toHaveLength(0);
    expect(loggableText(err)).not.toContain(SECRET);
  });

  it.each([
    ['a huge delta', '999999999'],
    ['a date in 2999', 'Tue, 01 Jan 2999 00:00:00 GMT'],
    ['several values', '1, 2'],
  ])('Retry-After with %s waits at most maxRetryAfterInMs and never past the deadline', async (_n, value) => {
    const s = await serve((_req, res) => res.writeHead(503, { 'retry-after': value }).end());
    // Every wait the client starts is announced to onRetry first, with its length: the waits are checked
    // there, not with a clock that a loaded machine stretches.
    const waits: RetryInfo[] = [];
    const t = transport({
      baseUrl: s.url,
      retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 5, maxRetryAfterInMs: 50, budget: false },
      onRetry: (info) => waits.push(info),
    });
    const err = (await t
      .request({ method: 'GET', path: '/x' }, { timeoutInMs: 10_000 })
      .catch((e: unknown) => e)) as {
      code?: string;
    };
    expect(err.code).toBe('ERR_HTTP');
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w.delayInMs).toBeLessThanOrEqual(50);
    const slowWaits: RetryInfo[] = [];
    const slow = transport({
      baseUrl: s.url,
      retry: { maxRetries: 2, budget: false },
      onRetry: (info) => slowWaits.push(info),
    });
    const slowErr = await slow
      .request({ method: 'GET', path: '/x' }, { timeoutInMs: 300 })
      .catch((e: unknown) => e);
    // The default cap is 30 s: a wait that would pass the 300 ms deadline is not started at all.
    expect(slowWaits.filter((w) => w.delaySource === 'retry-after')).toEqual([]);
    expect(slowWaits.reduce((sum, w) => sum + w.delayInMs, 0)).toBeLessThan(300);
    expect(slowErr).toMatchObject({ code: expect.stringMatching(/^ERR_(HTTP|TIMEOUT)$/) });
  });
});
