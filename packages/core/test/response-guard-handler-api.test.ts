import { createServer, type Server, type Socket } from 'node:net';
import { prng } from '@thgov/testkit';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPT_DEADLINE, responseGuardInterceptor } from '../src/response-guard.js';

/**
 * The response guard speaks undici's legacy handler API to a `request` (a `WrapHandler` around a legacy
 * handler), so the raw headers pass through once instead of object → Buffers → parse again. These tests hold
 * that what a caller sees is the same as without the guard and as on the controller path, over many seeded
 * raw responses (header case, duplicates, obs-text bytes, chunked bodies with trailers), and that the deadline
 * and the throughput window still act on that path.
 */

/** A raw HTTP/1.1 response per request, from a seeded generator, keyed by the request path. */
const responses = new Map<string, Buffer>();
let server: Server;
let origin: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        if (path === '/silent') continue;
        if (path === '/trickle') {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nx');
          continue;
        }
        socket.write(
          responses.get(path) ?? Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NAMES = [
  'Set-Cookie',
  'set-cookie',
  'X-Request-Id',
  'Content-Type',
  'Vary',
  'Link',
  'constructor',
  '__proto__',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function headerName(random: () => number): string {
  if (random() < 0.3) return pick(random, NAMES);
  let name = '';
  const length = 1 + Math.floor(random() * 12);
  for (let i = 0; i < length; i++) name += pick(random, [...TOKEN_CHARS]);
  return name;
}

function headerValue(random: () => number): string {
  let value = '';
  const length = Math.floor(random() * 24);
  for (let i = 0; i < length; i++) {
    const r = random();
    // Visible ASCII, inner spaces and tabs, and obs-text (0x80-0xFF, latin1 on the wire).
    value += String.fromCharCode(
      r < 0.8 ? 0x21 + Math.floor(random() * 94) : r < 0.9 ? 0x20 : 0x80 + Math.floor(random() * 128),
    );
  }
  return value.trim();
}

/** One raw response: random headers (some names repeated in other cases), a body, chunked with trailers or not. */
function rawResponse(random: () => number): Buffer {
  const lines: string[] = [];
  const count = Math.floor(random() * 10);
  for (let i = 0; i < count; i++) {
    const name = headerName(random);
    lines.push(`${name}: ${headerValue(random)}`);
    if (random() < 0.2)
      lines.push(`${random() < 0.5 ? name.toUpperCase() : name.toLowerCase()}: ${headerValue(random)}`);
  }
  const body = Buffer.alloc(Math.floor(random() * 3000), 0x61 + Math.floor(random() * 26));
  const status = pick(random, [200, 201, 202, 203, 206, 400, 404, 409, 500, 503]);
  if (random() < 0.5) {
    const head = [`HTTP/1.1 ${status} X`, ...lines, `content-length: ${body.length}`, '', ''].join('\r\n');
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }
  const trailerLines: string[] = [];
  const trailers = Math.floor(random() * 3);
  for (let i = 0; i < trailers; i++) trailerLines.push(`${headerName(random)}: ${headerValue(random)}`);
  const head = [`HTTP/1.1 ${status} X`, ...lines, 'transfer-encoding: chunked', '', ''].join('\r\n');
  const chunk = body.length
    ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')])
    : Buffer.alloc(0);
  const tail = ['0', ...trailerLines, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), chunk, Buffer.from(tail, 'latin1')]);
}

interface Seen {
  statusCode: number;
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: string;
}

async function viaRequest(dispatcher: Dispatcher, path: string): Promise<Seen> {
  const res = await dispatcher.request({ origin, path, method: 'GET' });
  const body = Buffer.from(await res.body.arrayBuffer()).toString('latin1');
  return { statusCode: res.statusCode, headers: res.headers, trailers: { ...res.trailers }, body };
}

/** Through a handler written for the controller API: the guard's controller path, as every call took before. */
function viaControllerApi(dispatcher: Dispatcher, path: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let statusCode = 0;
    let headers: Record<string, unknown> = {};
    dispatcher.dispatch(
      { origin, path, method: 'GET' },
      {
        onRequestStart() {},
        onResponseStart(_controller, status, h) {
          statusCode = status;
          headers = h;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd(_controller, trailers) {
          resolve({
            statusCode,
            headers,
            trailers: { ...trailers },
            body: Buffer.concat(chunks).toString('latin1'),
          });
        },
        onResponseError(_controller, err) {
          reject(err);
        },
      },
    );
  });
}

describe('response guard on the legacy handler API', () => {
  it('hands a request() call on as a legacy handler (no controller-API round trip of the headers)', async () => {
    const agent = new Agent();
    let below = '';
    const spy: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
      below = handler.constructor.name;
      return dispatch(opts, handler);
    };
    const guarded = agent.compose(spy, responseGuardInterceptor({ minBytes: 1024, windowInMs: 10_000 }));
    responses.set('/spy', Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    expect((await viaRequest(guarded, '/spy')).body).toBe('ok');
    // undici wraps the guard's handler for the interceptor below only when it is a legacy one.
    expect(below).toBe('WrapHandler');
    await agent.close();
  });

  it('gives the same status, headers, trailers and body as no guard and as the controller path, over 300 seeded responses', async () => {
    const random = prng(0x6a7d_0016);
    const bare = new Agent({ connections: 4 });
    const guarded = bare.compose(responseGuardInterceptor({ minBytes: 1024, windowInMs: 10_000 }));
    for (let i = 0; i < 300; i++) {
      const path = `/r${i}`;
      responses.set(path, rawResponse(random));
      const expected = await viaRequest(bare, path);
      // Also with an attempt deadline, which turns the guard on even with the throughput window off.
      const withDeadline = bare.compose(responseGuardInterceptor(false));
      const deadline = { at: performance.now() + 60_000, error: () => new Error('late') };
      const res = await withDeadline.request({
        origin,
        path,
        method: 'GET',
        [ATTEMPT_DEADLINE]: deadline,
      } as Dispatcher.RequestOptions);
      const deadlineBody = Buffer.from(await res.body.arrayBuffer()).toString('latin1');
      expect(await viaRequest(guarded, path), path).toEqual(expected);
      expect(
        {
          statusCode: res.statusCode,
          headers: res.headers,
          trailers: { ...res.trailers },
          body: deadlineBody,
        },
        path,
      ).toEqual(expected);
      const controller = await viaControllerApi(guarded, path);
      expect(controller.statusCode, path).toBe(expected.statusCode);
      expect(controller.headers, path).toEqual(expected.headers);
      expect(controller.trailers, path).toEqual(expected.trailers);
      expect(controller.body, path).toBe(expected.body);
      responses.delete(path);
    }
    await bare.close();
  });

  it('still fails a request past its attempt deadline with the deadline error', async () => {
    const agent = new Agent();
    const guarded = agent.compose(responseGuardInterceptor(false));
    const deadline = { at: performance.now() + 50, error: () => new Error('attempt deadline passed') };
    await expect(
      guarded.request({
        origin,
        path: '/silent',
        method: 'GET',
        [ATTEMPT_DEADLINE]: deadline,
      } as Dispatcher.RequestOptions),
    ).rejects.toThrow('attempt deadline passed');
    const past = { at: performance.now() - 1, error: () => new Error('already late') };
    await expect(
      guarded.request({
        origin,
        path: '/silent',
        method: 'GET',
        [ATTEMPT_DEADLINE]: past,
      } as Dispatcher.RequestOptions),
    ).rejects.toThrow('already late');
    await agent.destroy();
  });

  it('still fails a body below the minimum throughput', async () => {
    const agent = new Agent();
    const guarded = agent.compose(responseGuardInterceptor({ minBytes: 1024, windowInMs: 100 }));
    const res = await guarded.request({ origin, path: '/trickle', method: 'GET' });
    await expect(res.body.text()).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await agent.destroy();
  });
});
