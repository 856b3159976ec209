import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TIMEOUTS,
  isTimeoutError,
  type TimeoutError,
  Transport,
  type TransportOptions,
} from '../../src/index.js';

/**
 * Slow body (slowloris in reverse): a server that sends its headers and then one byte every few seconds
 * never trips undici's `bodyTimeout` (a gap between chunks), and with no total deadline a call hung for
 * ever. The transport now fails a body below a minimum throughput and bounds non-streaming calls by a
 * default total deadline, without cutting a large streamed download.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Writes `chunk` every `everyInMs` until the client goes away (or `total` chunks were sent). */
function trickle(res: ServerResponse, chunk: string, everyInMs: number, total = Number.POSITIVE_INFINITY) {
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= total) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(chunk);
    sent++;
  }, everyInMs);
  res.on('close', () => clearInterval(timer));
}

async function serve(handler: Parameters<typeof httpServer>[0]): Promise<TestServer> {
  const s = await httpServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function transport(options: TransportOptions): Transport {
  const t = new Transport({ retry: false, ...options }, { name: '@thgov/test', version: '0.0.0' });
  cleanups.push(() => t.close());
  return t;
}

async function failure(p: Promise<unknown>): Promise<TimeoutError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTimeoutError(err), `expected ERR_TIMEOUT, got ${String(err)}`).toBe(true);
  return err as TimeoutError;
}

const guard = { minBytes: 64, windowInMs: 400 };

describe('slow body', () => {
  it('a body trickling below the minimum throughput fails with ERR_TIMEOUT (phase throughput)', async () => {
    for (const contentLength of [undefined, '100000']) {
      const s = await serve((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(contentLength ? { 'content-length': contentLength } : {}),
        });
        res.write('{"a":"');
        trickle(res, 'x', 100);
      });
      const t = transport({ baseUrl: s.url, timeouts: { bodyThroughput: guard } });
      const err = await failure(t.request({ method: 'GET', path: '/slow' }));
      expect(err.phase).toBe('throughput');
      expect(err.timeoutInMs).toBe(guard.windowInMs);
      expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('the guard is on by default: one byte every 2 s fails within the default window', async () => {
    expect(DEFAULT_TIMEOUTS.bodyThroughput).toEqual({ minBytes: 1024, windowInMs: 10_000 });
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x');
      trickle(res, 'x', 2000);
    });
    const t = transport({ baseUrl: s.url });
    const err = await failure(t.request({ method: 'GET', path: '/trickle', responseType: 'text' }));
    expect(err.phase).toBe('throughput');
    expect(err.timeoutInMs).toBe(DEFAULT_TIMEOUTS.bodyThroughput.windowInMs);
  }, 30_000);

  it('a streamed download that trickles fails too; the error reaches the stream reader', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      trickle(res, 'y', 100);
    });
    const t = transport({ baseUrl: s.url, timeouts: { bodyThroughput: guard } });
    const res = await t.request<Readable>({ method: 'GET', path: '/file', responseType: 'stream' });
    const read = (async () => {
      for await (const _ of res.body) {
        // drain
      }
    })();
    const err = await failure(read);
    expect(err.phase).toBe('throughput');
  });

  it('a fast body passes; a reader that holds a stream back is not counted against the server', async () => {
    const chunk = 'z'.repeat(64 * 1024);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      trickle(res, chunk, 5, 64);
    });
    const t = transport({ baseUrl: s.url, timeouts: { bodyThroughput: guard } });
    const buffered = await t.request<Uint8Array>({ method: 'GET', path: '/a', responseType: 'bytes' });
    expect(buffered.body.byteLength).toBe(64 * chunk.length);

    const res = await t.request<Readable>({ method: 'GET', path: '/b', responseType: 'stream' });
    let size = 0;
    let paused = false;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (!paused && size > 256 * 1024) {
        paused = true;
        // Three windows without reading: backpressure stops the socket, the guard must not fire.
        await new Promise((r) => setTimeout(r, 3 * guard.windowInMs));
      }
    }
    expect(size).toBe(64 * chunk.length);
  });

  it('many slow bodies at once, among fast calls that come and go, each fail on their own', async () => {
    // The guard keeps the calls it watches in one list that calls leave as they end, including in the
    // middle of a tick that fails several of them: every slow call must still be failed, none twice.
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url?.startsWith('/fast')) res.end('ok');
      else trickle(res, 'x', 100);
    });
    const t = transport({ baseUrl: s.url, timeouts: { bodyThroughput: guard } });
    // Fast calls start before each slow one, so slow ones move into the places fast ones leave, and the
    // slow ones start 100 ms apart, so they fail in different ticks.
    const slow: Array<Promise<TimeoutError>> = [];
    const fast: Array<Promise<unknown>> = [];
    for (let round = 0; round < 7; round++) {
      for (let i = 0; i < 6; i++) {
        fast.push(t.request({ method: 'GET', path: `/fast/${round}/${i}`, responseType: 'text' }));
      }
      slow.push(failure(t.request({ method: 'GET', path: `/slow/${round}`, responseType: 'text' })));
      await new Promise((r) => setTimeout(r, 100));
    }
    const fastBodies = await Promise.all(fast);
    expect(fastBodies.map((r) => (r as { body: string }).body)).toEqual(Array(42).fill('ok'));
    const errors = await Promise.all(slow);
    expect(errors.map((e) => e.phase)).toEqual(Array(7).fill('throughput'));
    expect(new Set(errors.map((e) => e.requestId)).size).toBe(7);
  });

  it('non-streaming calls have a default total deadline; a steady never-ending body hits it', async () => {
    const t0 = transport({ baseUrl: 'http://127.0.0.1:1' });
    expect(t0.timeouts.totalInMs).toBe(DEFAULT_TIMEOUTS.totalInMs);
    expect(DEFAULT_TIMEOUTS.totalInMs).toBe(120_000);
    // Enough bytes to satisfy the throughput guard, but no end: only the total deadline stops it.
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      trickle(res, 'w'.repeat(4096), 20);
    });
    const t = transport({ baseUrl: s.url, timeouts: { totalInMs: 700, bodyThroughput: guard } });
    const err = await failure(t.request({ method: 'GET', path: '/endless', responseType: 'text' }));
    expect(err.phase).toBe('total');
    expect(err.timeoutInMs).toBe(700);
  });

  it('streaming calls are not cut by the total deadline (a long download completes)', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      trickle(res, 'v'.repeat(8192), 20, 60);
    });
    const t = transport({ baseUrl: s.url, timeouts: { totalInMs: 300, bodyThroughput: guard } });
    const res = await t.request<Readable>({ method: 'GET', path: '/big', responseType: 'stream' });
    let size = 0;
    for await (const c of res.body) size += (c as Buffer).length;
    expect(size).toBe(60 * 8192);
  });

  it('a bad guard setting is refused, naming the option', () => {
    for (const bodyThroughput of [{ minBytes: 0, windowInMs: 10 }, { minBytes: 10, windowInMs: -1 }, true]) {
      expect(() =>
        transport({
          baseUrl: 'http://127.0.0.1:1',
          timeouts: { bodyThroughput } as TransportOptions['timeouts'],
        }),
      ).toThrow(/bodyThroughput/);
    }
  });
});
