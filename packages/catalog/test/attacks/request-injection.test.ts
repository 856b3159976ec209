import { createServer } from 'node:net';
import { loggableText } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogClient } from '../../src/index.js';

/**
 * Attack class: caller values the catalog client writes into a request itself. Before the fix:
 * - the client serialises action params and DataStore batches to JSON itself (a raw body, which the transport
 *   sends as it is), so a record with a lone surrogate went out as a `\ud800` escape and one with U+0000 as
 *   `\u0000`: CKAN's PostgreSQL refuses the NUL and stores the surrogate as U+FFFD (a citizen's name changed);
 * - an apiToken with CR/LF (read from a file with its line end, or a hostile config source) was accepted by the
 *   options and only failed in undici, as ERR_NETWORK.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A 127.0.0.1 server that records the bytes it receives and answers every request with a CKAN success. */
async function rawCatalog(): Promise<{ url: string; bytes: () => string }> {
  const chunks: Buffer[] = [];
  const server = createServer((socket) => {
    socket.on('data', (c) => {
      chunks.push(c);
      const body = '{"success":true,"result":{}}';
      if (c.includes('\r\n\r\n'))
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${port}`, bytes: () => Buffer.concat(chunks).toString('latin1') };
}

function client(url: string, apiToken = 'tok-0123456789abcdef'): CatalogClient {
  const c = new CatalogClient({
    baseUrl: url,
    apiToken,
    retry: false,
    politeness: { requestsPerSecond: false, maxConcurrency: 4 },
  });
  cleanups.push(() => c.close());
  return c;
}

describe('DataStore records keep the caller data exactly or are refused', () => {
  it.each([
    ['a lone surrogate', { id: 1, first_name: 'สม\ud800ชาย' }, 'first_name'],
    ['U+0000', { id: 1, address: 'บ้าน\u0000เลขที่ 9' }, 'address'],
  ])('a record with %s is ERR_INVALID_ARG naming the column, nothing sent', async (_n, record, column) => {
    const s = await rawCatalog();
    const c = client(s.url);
    const err = (await c.datastore
      .upsert('res-1', [{ id: 0, first_name: 'ok' }, record])
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(err.message).toContain(column);
    expect(loggableText(err)).not.toContain('สม');
    expect(loggableText(err)).not.toContain('บ้าน');
    expect(s.bytes()).toBe('');
  });

  it('a record whose text spells out a backslash-u is sent unchanged', async () => {
    const s = await rawCatalog();
    const c = client(s.url);
    await c.datastore.upsert('res-1', [{ id: 1, note: 'C:\\u0000\\ud800 ok 😀' }]);
    expect(s.bytes()).toContain('C:\\\\u0000\\\\ud800 ok');
  });
});

describe('action params', () => {
  it('a search query with a lone surrogate is refused naming the param, nothing sent', async () => {
    const s = await rawCatalog();
    const c = client(s.url);
    const err = (await (async () => {
      for await (const _ of c.searchDatasets({ q: 'สมชาย\udc00' })) break;
    })().catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG');
    expect(err.message).toContain('q');
    expect(loggableText(err)).not.toContain('สมชาย');
    expect(s.bytes()).toBe('');
  });
});

describe('the API token', () => {
  it.each([
    ['a trailing line end', 'tok-0123456789abcdef\n'],
    ['CRLF and a header', 'tok-0123456789abcdef\r\nx-injected: 1'],
    ['Thai text', 'tok-0123456789abcdefทดสอบ'],
  ])('with %s is refused when the client is built, without quoting it', async (_n, token) => {
    const s = await rawCatalog();
    let err: (Error & { code?: string }) | undefined;
    try {
      client(s.url, token);
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.code).toBe('ERR_INVALID_ARG');
    expect(err?.message).toContain('apiToken');
    expect(loggableText(err as Error)).not.toContain('tok-0123456789abcdef');
    expect(s.bytes()).toBe('');
  });
});
