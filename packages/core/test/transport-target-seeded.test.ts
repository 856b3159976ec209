import { httpServer, prng, type TestServer } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Transport } from '../src/index.js';

/**
 * The request target (base path, path, query) is built without an array per call, and a path's checks run once
 * for a path sent again. These hold it to the rule it had: the query exactly as `URLSearchParams` serialises it
 * (appended with `&` to a path that has a query already), null/undefined left out, arrays repeated, and every
 * path checked — a refused path stays refused right after an accepted one and the other way round.
 */

let server: TestServer;
beforeAll(async () => {
  server = await httpServer((req, res) => res.end(req.url));
});
afterAll(() => server.close());

const PKG = { name: '@thgov/test', version: '0.0.0' };
const ALPHABET = [
  'a',
  'Z',
  '0',
  '9',
  '-',
  '_',
  '.',
  '*',
  '~',
  ' ',
  '+',
  '&',
  '=',
  '?',
  '/',
  '%',
  '#',
  "'",
  '(',
  '!',
  'ก',
  'é',
  '😀',
  '"',
  ',',
];

function text(random: () => number, max: number): string {
  let out = '';
  const length = Math.floor(random() * max);
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

type Query = Record<string, string | number | boolean | null | undefined | Array<string | number>>;

function query(random: () => number): Query | undefined {
  if (random() < 0.15) return undefined;
  const q: Query = {};
  const count = Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    const r = random();
    const key = text(random, 6) || 'k';
    q[key] =
      r < 0.1
        ? undefined
        : r < 0.2
          ? null
          : r < 0.3
            ? Math.floor(random() * 1e6)
            : r < 0.35
              ? random() < 0.5
              : r < 0.5
                ? [text(random, 5), Math.floor(random() * 99)]
                : text(random, 10);
  }
  return q;
}

/** The target as the transport always built it: `URLSearchParams` for the query. */
function expected(basePath: string, path: string, q: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  const pairs = params.toString();
  const target = basePath + path;
  return pairs ? target + (target.includes('?') ? '&' : '?') + pairs : target;
}

const PATHS = ['/a', '/a/b', '/ws/dopa/linkage/v1/link', '/a?x=1', '/a%20b', '/a/'];
const REFUSED = ['a', '//a', '/a/../b', '/a/%2e%2e/b', '/a b', '/a#b', '/a\\b', '/ก', '/./a'];

describe('request target', () => {
  it('is the path and the URLSearchParams query, over 400 seeded calls, with the base path or without', async () => {
    const random = prng(0x7a46_e7);
    for (const base of ['', '/gw/v2']) {
      const t = new Transport({ baseUrl: server.url + base, retry: false }, PKG);
      for (let i = 0; i < 200; i++) {
        const path = PATHS[Math.floor(random() * PATHS.length)] as string;
        const q = query(random);
        const res = await t.request({ method: 'GET', path, query: q, responseType: 'text' });
        expect(res.body, JSON.stringify({ path, q })).toBe(expected(base, path, q));
      }
      await t.close();
    }
  });

  it('checks every path: a refused one stays refused between accepted ones, in any order', async () => {
    const random = prng(0x9a7d);
    const t = new Transport({ baseUrl: server.url, retry: false }, PKG);
    for (let i = 0; i < 120; i++) {
      if (random() < 0.5) {
        const path = REFUSED[Math.floor(random() * REFUSED.length)] as string;
        await expect(t.request({ method: 'GET', path }), path).rejects.toMatchObject({
          code: 'ERR_INVALID_ARG',
        });
      } else {
        const path = PATHS[Math.floor(random() * PATHS.length)] as string;
        const res = await t.request({ method: 'GET', path, responseType: 'text' });
        expect(res.body, path).toBe(path);
      }
    }
    await t.close();
  });
});
