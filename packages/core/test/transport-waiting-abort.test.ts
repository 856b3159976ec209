// A call that waits for a connection: every connection of the client is busy (here its only one, held by a slow
// call). undici applies an abort to such a request only once it has a connection, so before the fix the caller's
// abort and the call's deadline waited for the slow call to end, however long that took.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { caught, transportHarness } from './helpers/transport-harness.js';

const { serve, transport } = transportHarness();

/** A server that holds `/slow` until `release()`, answers the rest at once, and says when `/slow` arrived. */
async function busyServer() {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => undefined;
  const slowArrived = new Promise<void>((r) => {
    arrived = r;
  });
  const s = await serve((req, res) => {
    if (req.url !== '/slow') return void res.end('{"fast":true}');
    held.push(res);
    arrived();
  });
  const release = () => {
    for (const res of held) res.end('{"slow":true}');
  };
  return { url: s.url, slowArrived, release };
}

describe('a call waiting for a busy connection', () => {
  it("ends at the caller's abort, and the slow call and the connection stay usable", async () => {
    const s = await busyServer();
    const t = transport({ baseUrl: s.url, connections: 1, retry: false });
    const slow = t.request({ method: 'GET', path: '/slow' });
    await s.slowArrived;
    const controller = new AbortController();
    const waiting = caught(t.request({ method: 'GET', path: '/fast' }, { abortSignal: controller.signal }));
    controller.abort();
    expect(await waiting).toMatchObject({ code: 'ERR_ABORTED' });
    s.release();
    expect((await slow).body).toEqual({ slow: true });
    expect((await t.request({ method: 'GET', path: '/fast' })).body).toEqual({ fast: true });
  });

  it("ends at the call's own deadline (ERR_TIMEOUT, phase total)", async () => {
    const s = await busyServer();
    const t = transport({ baseUrl: s.url, connections: 1, retry: false });
    const slow = t.request({ method: 'GET', path: '/slow' });
    await s.slowArrived;
    const err = await caught(t.request({ method: 'GET', path: '/fast' }, { timeoutInMs: 100 }));
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'total' });
    s.release();
    expect((await slow).body).toEqual({ slow: true });
  });
});
