// Attack: a response names its content coding hundreds of times (`Content-Encoding: gzip, gzip, gzip, …`, a header
// of a few kilobytes). Each layer's output is bounded by maxResponseBytes, but every layer is decoded in turn, so a
// server multiplied the decoding work by the length of its header (undici's fetch refuses more than five codings
// for that reason). More than five codings is refused before any is decoded: ERR_RESPONSE_PARSE, buffered and
// streamed alike; a stack of up to five is still undone.
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { codingsOf } from '../../src/content-coding.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

function layered(layers: number): Buffer {
  let body = Buffer.from('{"ok":true}');
  for (let i = 0; i < layers; i++) body = gzipSync(body);
  return body;
}

async function stacked(layers: number) {
  const body = layered(layers);
  const s = await serve((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': Array(layers).fill('gzip').join(', '),
    });
    res.end(body);
  });
  return transport({ baseUrl: s.url, retry: false });
}

describe('stacked content codings', () => {
  it('five gzip layers are undone', async () => {
    const t = await stacked(5);
    const res = await t.request({ method: 'GET', path: '/x' });
    expect(res.body).toEqual({ ok: true });
  });

  it('more than five codings is ERR_RESPONSE_PARSE, buffered', async () => {
    const t = await stacked(64);
    const err = await caught(t.request({ method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE', retryable: false, statusCode: 200 });
    expect(err.message).toContain('64 content codings');
  });

  it('more than five codings is refused before a streamed body is handed over', async () => {
    const t = await stacked(6);
    const err = await caught(t.request<Readable>({ method: 'GET', path: '/x', responseType: 'stream' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_PARSE' });
  });

  it('identity and empty entries do not count as codings', () => {
    expect(codingsOf('identity, gzip, , identity, gzip')).toEqual(['gzip', 'gzip']);
    expect(() => codingsOf('gzip, br, deflate, gzip, br, deflate')).toThrow(/6 content codings/);
  });
});
