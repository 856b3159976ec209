import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RetryInfo } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogClient } from '../src/index.js';
import { Politeness } from '../src/politeness.js';
import { clientFor, FLAVORS, startCatalog } from './helpers/catalog.js';

describe.each(FLAVORS)('faults of CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
  });
  afterEach(() => catalog.faults.setProfile({ rules: [] }));

  it('retries reads through 503s and connection resets', async () => {
    const retries: RetryInfo[] = [];
    const client = clientFor(catalog, 'anonymous', { onRetry: (i) => retries.push(i) });
    catalog.faults.setProfile({
      seed: 7,
      rules: [{ route: '/api/3/action/package_show', unavailable: 0.3, reset: 0.1 }],
    });
    for (let i = 0; i < 10; i++)
      expect((await client.getDataset('annual-budget-2567')).name).toBe('annual-budget-2567');
    expect(retries.length).toBeGreaterThan(0);
    expect(new Set(retries.map((r) => r.errorCode))).toContain('ERR_CATALOG_UNAVAILABLE');
  });

  it('honours Retry-After on 429 and reports persistent throttling as ERR_CATALOG_RATE_LIMITED', async () => {
    const retries: RetryInfo[] = [];
    const client = clientFor(catalog, 'anonymous', { onRetry: (i) => retries.push(i) });
    catalog.faults.setProfile({
      rules: [{ route: '/api/3/action/status_show', rateLimited: 1, retryAfterSeconds: 0 }],
    });
    await expect(client.status()).rejects.toMatchObject({
      code: 'ERR_CATALOG_RATE_LIMITED',
      statusCode: 429,
    });
    expect(retries.map((r) => r.delaySource)).toEqual(['retry-after', 'retry-after', 'retry-after']);
    retries.length = 0;
    catalog.faults.setProfile({
      seed: 2,
      rules: [{ route: '/api/3/action/status_show', rateLimited: 0.5, retryAfterSeconds: 1 }],
    });
    for (let i = 0; i < 3 && retries.length === 0; i++) await client.status();
    expect(retries[0]).toMatchObject({ delaySource: 'retry-after', delayInMs: 1000, statusCode: 429 });
  });

  it('reports a web application firewall’s HTML 403 as such, without retrying', async () => {
    let retries = 0;
    const client = clientFor(catalog, 'editor', { onRetry: () => retries++ });
    catalog.faults.setProfile({ rules: [{ route: '/api/3/action/package_search', wafBlock: 1 }] });
    const err = await client
      .searchDatasets()
      .next()
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_WAF', statusCode: 403 });
    expect(err.hint).toMatch(/firewall/);
    expect(retries).toBe(0);
  });

  it('gives up on a slow catalog at the operation deadline', async () => {
    catalog.faults.setProfile({ rules: [{ route: '/api/3/action/package_show', latencyInMs: [300, 300] }] });
    await expect(
      clientFor(catalog, 'anonymous').getDataset('annual-budget-2567', { timeoutInMs: 50 }),
    ).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    });
  });
});

describe('politeness', () => {
  let maxInFlight = 0;
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    req.resume();
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ help: '', success: true, result: { id: 'x', name: 'x', resources: [] } }));
    }, 15);
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('caps the calls in flight at maxConcurrency (default 4)', async () => {
    const defaults = new CatalogClient({ baseUrl: url, politeness: { requestsPerSecond: false } });
    await Promise.all(Array.from({ length: 24 }, () => defaults.getDataset('x')));
    expect(maxInFlight).toBe(4);
    maxInFlight = 0;
    const two = new CatalogClient({
      baseUrl: url,
      politeness: { requestsPerSecond: false, maxConcurrency: 2 },
    });
    await Promise.all(Array.from({ length: 12 }, () => two.getDataset('x')));
    expect(maxInFlight).toBe(2);
    await Promise.all([defaults.close(), two.close()]);
  });

  it('spaces the start of calls to requestsPerSecond (token bucket, bursts of the same size)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const p = new Politeness(10, 100);
      let started = 0;
      const tasks = Array.from({ length: 25 }, () => p.run(async () => void started++));
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toBe(10);
      await vi.advanceTimersByTimeAsync(500);
      expect(started).toBe(15);
      await vi.advanceTimersByTimeAsync(1000);
      expect(started).toBe(25);
      await Promise.all(tasks);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets a waiting call leave the queue when it is aborted', async () => {
    const p = new Politeness(false, 1);
    let release: () => void = () => undefined;
    const first = p.run(() => new Promise<void>((r) => (release = r)));
    const abort = new AbortController();
    const waiting = p.run(async () => 'never', abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    release();
    await first;
    expect(p.inFlight).toBe(0);
    expect(await p.run(async () => 'next')).toBe('next');
  });
});
