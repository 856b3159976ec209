import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient, type CatalogError } from '../src/index.js';

/**
 * Reference (catalog.md, Rate limits): "Throttled bulk writes are reported against other CKAN sites (~1 request /
 * 3 s, 409/499 under bursts)". CKAN's own 409 always carries an Action API envelope (Validation Error, Search
 * Error); a 409 without one, or a 499, is the throttle in front of the catalog: rate limiting, which passes.
 */

const calls: string[] = [];
let replies: Array<(res: ServerResponse) => void> = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    calls.push((req.url ?? '').split('?')[0]?.split('/').pop() ?? '');
    const next = replies.shift() ?? ok;
    next(res);
  });
});
let url = '';

const ok = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ help: 'h', success: true, result: { id: 'd1', name: 'd1' } }));
};
const page =
  (status: number, body: string, type = 'text/html') =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
const THROTTLES: Array<[string, (res: ServerResponse) => void]> = [
  ['HTTP 499 with an empty body', page(499, '', 'text/plain')],
  ['HTTP 409 with an HTML page', page(409, '<html><body><h1>Too many requests</h1></body></html>')],
  ['HTTP 409 with a plain-text body', page(409, 'Conflict: request rate exceeded', 'text/plain')],
];

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(): CatalogClient {
  calls.length = 0;
  return new CatalogClient({
    baseUrl: url,
    apiToken: 'tok-0123456789-throttle',
    retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 2 },
    politeness: { requestsPerSecond: false },
  });
}

describe('a throttle in front of the catalog (409/499 without a CKAN envelope)', () => {
  for (const [name, throttle] of THROTTLES) {
    it(`${name}: a read is retried and succeeds`, async () => {
      replies = [throttle];
      const c = client();
      const result = await c.action('package_show', { id: 'd1' }, { read: true });
      await c.close();
      expect(result).toMatchObject({ id: 'd1' });
      expect(calls).toEqual(['package_show', 'package_show']);
    });

    it(`${name}: a create is ERR_CATALOG_RATE_LIMITED, retryable, and sent once`, async () => {
      replies = [throttle, throttle, throttle];
      const c = client();
      const err = (await c.action('package_create', { name: 'x' }).catch((e) => e)) as CatalogError;
      await c.close();
      expect(err.code).toBe('ERR_CATALOG_RATE_LIMITED');
      expect(err.retryable).toBe(true);
      expect(calls).toEqual(['package_create']);
    });
  }

  it("CKAN's own 409 (a Validation Error envelope) stays a validation error, not retried", async () => {
    replies = [
      page(
        409,
        JSON.stringify({
          help: 'h',
          success: false,
          error: { __type: 'Validation Error', name: ['That URL is already in use.'] },
        }),
        'application/json',
      ),
    ];
    const c = client();
    const err = (await c.action('package_create', { name: 'x' }).catch((e) => e)) as CatalogError;
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_CONFLICT');
    expect(calls).toEqual(['package_create']);
  });
});
