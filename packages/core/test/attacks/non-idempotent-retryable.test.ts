import { httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { isThGovError, type RequestSpec, type ThGovError, Transport } from '../../src/index.js';

/**
 * `retryable` is what a caller's own retry wrapper reads (`if (err.retryable) again()`). A call that is not
 * repeatable (a POST or PATCH without `idempotent` or an idempotency key) and reached the server may have taken
 * effect whatever the answer was (a 5xx, a lost answer, a timeout waiting for it): the transport does not repeat
 * it, and its error must not invite the caller to, or a letter, a datastore row or a payment is made twice. Only a
 * call that never left (`notSent`), or one the caller made repeatable, stays retryable. This is the transport's
 * rule for every package (catalog writes, e-CMS letters, CSC calls, GDX), not one client's.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function serve(handler: Parameters<typeof httpServer>[0]): Promise<TestServer> {
  const s = await httpServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function transport(url: string, retries = 3, headersInMs?: number): Transport {
  const t = new Transport(
    {
      baseUrl: url,
      retry: { maxRetries: retries, baseDelayInMs: 1, maxDelayInMs: 2 },
      ...(headersInMs ? { timeouts: { headersInMs } } : {}),
    },
    { name: '@thgov/test', version: '0.0.0' },
  );
  cleanups.push(() => t.close());
  return t;
}

async function failure(p: Promise<unknown>): Promise<ThGovError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isThGovError(err)) throw new Error(`expected a thgov error, got ${String(err)}`);
  return err;
}

const post = (extra: Partial<RequestSpec<unknown>> = {}): RequestSpec<unknown> => ({
  method: 'POST',
  path: '/letters',
  body: { json: { subject: 'x' } },
  ...extra,
});

describe('a call that is not repeatable, failed after it reached the server', () => {
  for (const status of [500, 502, 503, 504]) {
    it(`POST, HTTP ${status}: sent once, not retryable, a hint to check the outcome`, async () => {
      const s = await serve((_req, res) => {
        res.writeHead(status).end();
      });
      const err = await failure(transport(s.url).request(post()));
      expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: status, retryable: false });
      expect(err.hint).toMatch(/may have taken effect/);
      expect(s.requests).toHaveLength(1);
    });
  }

  it('PATCH whose connection is reset after the request: not retryable', async () => {
    const s = await serve((req) => {
      req.socket.destroy();
    });
    const err = await failure(transport(s.url).request(post({ method: 'PATCH' })));
    expect(err.code).toBe('ERR_NETWORK');
    expect(err.notSent).toBeUndefined();
    expect(err.retryable).toBe(false);
    expect(s.requests).toHaveLength(1);
  });

  it('POST that timed out waiting for the answer: not retryable', async () => {
    const s = await serve(() => {
      // never answers
    });
    const err = await failure(transport(s.url, 3, 300).request(post()));
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err.retryable).toBe(false);
    expect(s.requests).toHaveLength(1);
  });

  it('the rule holds with retries off too (the first error is the final one)', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503).end();
    });
    const err = await failure(transport(s.url, 0).request(post()));
    expect(err).toMatchObject({ statusCode: 503, retryable: false });
  });
});

describe('what stays retryable (guards)', () => {
  it('a GET, HTTP 503', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503).end();
    });
    const err = await failure(transport(s.url, 0).request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ statusCode: 503, retryable: true });
    expect(err.hint ?? '').not.toMatch(/may have taken effect/);
  });

  it('a POST marked idempotent, and one with an idempotency key, HTTP 503', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503).end();
    });
    const t = transport(s.url, 0);
    expect((await failure(t.request(post({ idempotent: true })))).retryable).toBe(true);
    expect((await failure(t.request(post({ idempotencyKey: true })))).retryable).toBe(true);
  });

  for (const status of [429, 408]) {
    it(`a POST the server refused unprocessed (HTTP ${status}): retryable, sent once`, async () => {
      const s = await serve((_req, res) => {
        res.writeHead(status).end();
      });
      const err = await failure(transport(s.url).request(post()));
      expect(err).toMatchObject({ statusCode: status, retryable: true });
      expect(s.requests).toHaveLength(1);
    });
  }

  it('a POST that never left (connection refused): retryable, notSent', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const err = await failure(transport(url, 0).request(post()));
    expect(err).toMatchObject({ code: 'ERR_NETWORK', notSent: true, retryable: true });
  });

  it('a POST refused for a reason no retry cures (HTTP 400): not retryable, no sent-once hint', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(400).end();
    });
    const err = await failure(transport(s.url, 0).request(post()));
    expect(err.retryable).toBe(false);
    expect(err.hint ?? '').not.toMatch(/may have taken effect/);
  });
});
