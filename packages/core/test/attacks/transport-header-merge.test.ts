// Attack: the headers of a request come from three places (the client's `headers`, the transport's own, the call's
// `headers`), merged by exact name. HTTP header names are case-insensitive, so `Authorization` from the client and
// `authorization` from the call were both sent: two credentials, of which many servers take the first (the stale
// one), and two Content-Types or User-Agents a strict gateway refuses. One name is sent once; the later source wins.
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

async function echo() {
  const seen: { raw: string[]; headers: IncomingHttpHeaders }[] = [];
  const s = await serve((req, res) => {
    seen.push({ raw: req.rawHeaders, headers: req.headers });
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  return { url: s.url, seen };
}

/** How many times `name` was sent, whatever its case. */
function count(raw: string[], name: string): number {
  return raw.filter((v, i) => i % 2 === 0 && v.toLowerCase() === name).length;
}

describe('header names differing only in case', () => {
  it("the call's Authorization replaces the client's, sent once", async () => {
    const srv = await echo();
    const t = transport({ baseUrl: srv.url, headers: { Authorization: 'Bearer client-wide' } });
    await t.request({ method: 'GET', path: '/x', headers: { authorization: 'Bearer this-call' } });
    const [first] = srv.seen;
    expect(count(first?.raw ?? [], 'authorization')).toBe(1);
    expect(first?.headers.authorization).toBe('Bearer this-call');
  });

  it("the call's Content-Type and User-Agent replace the transport's own, sent once", async () => {
    const srv = await echo();
    const t = transport({ baseUrl: srv.url });
    await t.request({
      method: 'POST',
      path: '/x',
      idempotent: true,
      body: { json: { a: 1 } },
      headers: { 'Content-Type': 'application/vnd.example+json', 'User-Agent': 'agency-app/1.0' },
    });
    const [first] = srv.seen;
    for (const name of ['content-type', 'user-agent']) expect(count(first?.raw ?? [], name)).toBe(1);
    expect(first?.headers['content-type']).toBe('application/vnd.example+json');
    expect(first?.headers['user-agent']).toBe('agency-app/1.0');
  });

  it('a caller-set Accept-Encoding in any case is kept and not doubled', async () => {
    const srv = await echo();
    const t = transport({ baseUrl: srv.url, headers: { 'ACCEPT-ENCODING': 'identity' } });
    await t.request({ method: 'GET', path: '/x' });
    const [first] = srv.seen;
    expect(count(first?.raw ?? [], 'accept-encoding')).toBe(1);
    expect(first?.headers['accept-encoding']).toBe('identity');
  });
});
