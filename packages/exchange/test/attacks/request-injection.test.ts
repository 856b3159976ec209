import { createServer, type IncomingMessage } from 'node:http';
import { loggableText } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../src/index.js';
import { RAW_CREDENTIALS, withRawClient } from '../helpers.js';

/**
 * Attack class: caller values the GDX client writes into the request line and headers. Before the fix:
 * - `call({ path })` accepted a dot segment (`/ws/dopa/../admin`, `%2e%2e`), a `#` or a backslash: the token was
 *   validated and the request went to the gateway, which normalises it to another service;
 * - a consumerKey with CR/LF (a key read from a file with its line end) passed the options and failed only at
 *   validate, in undici, as ERR_NETWORK.
 */

const AGENT = 'system-a';
let seen: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  seen = [];
});

async function gateway(): Promise<string> {
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/ws/auth/validate')) res.end(JSON.stringify({ Result: 'tok-abcdefgh12345' }));
    else res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('call({ path }) sends exactly the path asked for', () => {
  it.each([
    '/ws/dopa/../admin',
    '/ws/dopa/%2e%2e/admin',
    '/ws/dopa/.%2E',
    '/ws/./dopa',
    '/ws/dopa#frag',
    '/ws\\dopa',
  ])('%s is ERR_INVALID_ARG before anything is sent (not even validate)', async (path) => {
    const url = await gateway();
    const err = (await withRawClient(url, (c) => c.call({ path }, { agentId: AGENT })).catch(
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(seen).toEqual([]);
  });

  it('an encoded segment and dots inside a name go through as they are', async () => {
    const url = await gateway();
    const path = `/ws/svc/${encodeURIComponent('a/../b')}/v1.2/..x`;
    await withRawClient(url, (c) => c.call({ path }, { agentId: AGENT }));
    expect(seen.at(-1)).toBe(path);
  });
});

describe('credentials that end up in a header', () => {
  it.each([
    ['a trailing line end', `${RAW_CREDENTIALS.consumerKey}\n`],
    ['CRLF and a header', `${RAW_CREDENTIALS.consumerKey}\r\nx-injected: 1`],
    ['NUL', `${RAW_CREDENTIALS.consumerKey}\u0000`],
    ['Thai text', `${RAW_CREDENTIALS.consumerKey}ทดสอบ`],
  ])('a consumerKey with %s is refused when the client is built, not quoted', async (_n, consumerKey) => {
    const url = await gateway();
    let err: (Error & { code?: string }) | undefined;
    try {
      const c = new ExchangeClient({
        baseUrl: url,
        consumerKey,
        consumerSecret: RAW_CREDENTIALS.consumerSecret,
      });
      cleanups.push(() => c.close());
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.code).toBe('ERR_INVALID_ARG');
    expect(err?.message).toContain('consumerKey');
    expect(loggableText(err as Error)).not.toContain(RAW_CREDENTIALS.consumerKey);
    expect(seen).toEqual([]);
  });
});
