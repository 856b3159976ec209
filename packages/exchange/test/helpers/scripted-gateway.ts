import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** One answer of a {@link useGateway} data call. */
export interface GatewayReply {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

/** What a data call of a {@link useGateway} sees: method, path, headers, and whether its token is live. */
export interface GatewayRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  tokenLive: boolean;
}

/** The state of a {@link useGateway}, reset before each test. */
export interface Gateway {
  /** Base URL once started. */
  url(): string;
  /** Answers each data call (default: 200 `{}`); undefined = never answers (a hung upstream). */
  reply: (req: GatewayRequest) => GatewayReply | undefined;
  /** Tokens issued by validate and not yet forgotten. */
  live: Set<string>;
  validations: number;
  dataCalls: number;
  /** Forgets every issued token (GDX's idle expiry or a restart). */
  forgetTokens(): void;
}

/**
 * A raw GDX-like gateway on 127.0.0.1 for one test file (started before its tests, closed after, reset before
 * each): validate issues a fresh UUID-like token per call and remembers it; every other path is answered by
 * `reply`, which sees whether the call's `Token` is one the gateway still knows.
 */
export function useGateway(): Gateway {
  const g: Gateway = {
    url: () => url,
    reply: () => ({ status: 200, body: '{}' }),
    live: new Set(),
    validations: 0,
    dataCalls: 0,
    forgetTokens: () => g.live.clear(),
  };
  let url = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    req.resume();
    req.on('end', () => {
      if (path === '/ws/auth/validate') {
        const token = `6f1c2b8e-0000-4000-8000-${String(++g.validations).padStart(12, '0')}`;
        g.live.add(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ Result: token }));
      }
      g.dataCalls++;
      const tokenLive = g.live.has(String(req.headers.token ?? ''));
      const r = g.reply({ method: req.method ?? 'GET', path, headers: req.headers, tokenLive });
      if (!r) return;
      res.writeHead(r.status, r.headers ?? { 'content-type': 'application/json; charset=utf-8' });
      res.end(r.body);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    g.reply = () => ({ status: 200, body: '{}' });
    g.live.clear();
    g.validations = 0;
    g.dataCalls = 0;
  });
  return g;
}

/** Thai text in TIS-620 (windows-874): U+0E01..U+0E5B are the bytes 0xA1..0xFB; ASCII stays itself. */
export function tis620(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0) as number;
      if (c < 0x80) return c;
      if (c >= 0x0e01 && c <= 0x0e5b) return c - 0x0e00 + 0xa0;
      throw new Error(`not TIS-620: ${ch}`);
    }),
  );
}
