// A streamed upload whose source cannot give the body a second time: `stream` returns the same stream on every call
// (one opened up front and captured), or a stream already read. Before the fix a retry after a 503 sent that spent
// stream, an empty body with no Content-Length, and the server's 200 made the call succeed: the upload was lost
// without an error. Such a source is now refused (ERR_INVALID_ARG) and the empty body is never sent.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { caught, fastRetry, transportHarness } from '../helpers/transport-harness.js';

const { cleanups, transport } = transportHarness();

/** A server that records each request body and answers 503 to the first request, 200 after. */
async function flakyUploadSink() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(bodies.length === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bodies };
}

const upload = (stream: () => Readable | AsyncIterable<Uint8Array>) => ({
  method: 'PUT' as const,
  path: '/files/report.pdf',
  body: { stream, contentType: 'application/pdf' },
});

describe('a streamed body whose source cannot be read again', () => {
  it('the same Readable returned for the retry is refused, not sent empty', async () => {
    const s = await flakyUploadSink();
    const once = Readable.from([Buffer.from('the whole report')]);
    const err = await caught(transport({ baseUrl: s.url, retry: fastRetry }).request(upload(() => once)));
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(String(err.message)).toMatch(/new stream/);
    expect(s.bodies).toEqual(['the whole report']);
  });

  it('the same async iterable returned for the retry is refused, not sent empty', async () => {
    const s = await flakyUploadSink();
    async function* chunks() {
      yield new TextEncoder().encode('the whole report');
    }
    const once = chunks();
    const err = await caught(transport({ baseUrl: s.url, retry: fastRetry }).request(upload(() => once)));
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(s.bodies).toEqual(['the whole report']);
  });

  it('a Readable already read is refused before anything is sent', async () => {
    const s = await flakyUploadSink();
    const spent = Readable.from([Buffer.from('the whole report')]);
    for await (const _ of spent) {
      // read by something else first
    }
    const err = await caught(transport({ baseUrl: s.url, retry: fastRetry }).request(upload(() => spent)));
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(s.bodies).toEqual([]);
  });

  it('guard: a fresh stream per attempt is still retried and arrives whole', async () => {
    const s = await flakyUploadSink();
    const res = await transport({ baseUrl: s.url, retry: fastRetry }).request(
      upload(() => Readable.from([Buffer.from('the whole report')])),
    );
    expect(res.statusCode).toBe(200);
    expect(s.bodies).toEqual(['the whole report', 'the whole report']);
  });
});
