// Attack: a streamed download (`responseType: 'stream'`) outlives the `request()` call that returned it. The call's
// deadline and the caller's abort were disposed as `request()` returned, so once the headers had arrived neither an
// abort nor `timeoutInMs` stopped the body: a server trickling an endless body held the call for ever. And a reader
// that stopped early (broke out of its loop, destroyed the stream) left the socket open and the response running
// (`close()` then waited for it for ever). A body cut by the network reached the reader as a raw undici error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isThGovError } from '../../src/index.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

/** A server whose response starts and then runs until told to end, or until the client goes away. */
async function endless(coding?: 'gzip') {
  const state = {
    closed: undefined as Promise<void> | undefined,
    res: undefined as ServerResponse | undefined,
  };
  let arrived: () => void = () => undefined;
  const started = new Promise<void>((r) => {
    arrived = r;
  });
  const s = await serve((_req: IncomingMessage, res: ServerResponse) => {
    state.res = res;
    state.closed = new Promise((r) => res.on('close', () => r()));
    res.writeHead(200, coding ? { 'content-encoding': coding } : {});
    const piece = coding ? gzipSync(Buffer.alloc(64 * 1024, 1)) : Buffer.alloc(64 * 1024, 1);
    // Each gzip piece is a whole member: a gzip decoder reads concatenated members as one stream.
    res.write(piece);
    const timer = setInterval(() => {
      if (!res.destroyed) res.write(piece);
    }, 20);
    res.on('close', () => clearInterval(timer));
    arrived();
  });
  return { url: s.url, state, started };
}

async function drain(body: Readable): Promise<number> {
  let n = 0;
  for await (const c of body) n += (c as Buffer).length;
  return n;
}

describe('a streamed body is still bound by the call', () => {
  it("the caller's abort stops a body that is still arriving (ERR_ABORTED), and frees the connection", async () => {
    const srv = await endless();
    const t = transport({ baseUrl: srv.url, retry: false });
    const ac = new AbortController();
    const res = await t.request<Readable>(
      { method: 'GET', path: '/f', responseType: 'stream' },
      { abortSignal: ac.signal },
    );
    await srv.started;
    const reading = caught(drain(res.body));
    ac.abort();
    // Before the fix the abort was no longer listened to: the body ran on until the server ended it.
    srv.state.res?.end();
    const err = await reading;
    expect(isThGovError(err)).toBe(true);
    expect(err.code).toBe('ERR_ABORTED');
    await srv.state.closed;
  });

  it('timeoutInMs covers the whole streamed body, not only the wait for its headers', async () => {
    const srv = await endless();
    const t = transport({
      baseUrl: srv.url,
      retry: false,
      timeouts: { bodyThroughput: false },
    });
    const res = await t.request<Readable>(
      { method: 'GET', path: '/f', responseType: 'stream' },
      { timeoutInMs: 150 },
    );
    const err = await caught(drain(res.body));
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total' });
    await srv.state.closed;
  }, 4_000);
});

describe('a reader that stops early lets the connection go', () => {
  it.each([undefined, 'gzip' as const])(
    'breaking out of the loop closes the response (coding %s), and close() returns',
    async (coding) => {
      const srv = await endless(coding);
      const t = transport({ baseUrl: srv.url, retry: false });
      const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
      for await (const _chunk of res.body) break;
      await srv.state.closed;
      await t.close();
      expect(srv.state.res?.destroyed || srv.state.res?.writableEnded).toBe(true);
    },
    4_000,
  );

  it('destroying the stream closes the response', async () => {
    const srv = await endless();
    const t = transport({ baseUrl: srv.url, retry: false });
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    res.body.destroy();
    await srv.state.closed;
    await t.close();
    expect(res.body.destroyed).toBe(true);
  }, 4_000);
});

describe('a streamed body cut by the network', () => {
  it('errors with a typed ERR_NETWORK, not a raw undici error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(1024 * 1024) });
      res.write(Buffer.alloc(64 * 1024, 1), () => res.socket?.destroy());
    });
    const t = transport({ baseUrl: s.url, retry: false });
    const res = await t.request<Readable>({ method: 'GET', path: '/f', responseType: 'stream' });
    const err = await caught(drain(res.body));
    expect(isThGovError(err)).toBe(true);
    expect(err.code).toBe('ERR_NETWORK');
    expect(err).toMatchObject({ requestId: res.requestId });
  });
});
