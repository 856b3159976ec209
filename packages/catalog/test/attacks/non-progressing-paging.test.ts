import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient } from '../../src/index.js';

/**
 * Attack class: paging without progress. A broken or hostile catalog answers every page with rows already
 * delivered and a count that never ends (package_search, datastore_search, the DCAT catalog). The client must
 * stop with a typed error naming the misbehaviour, not page until its safety cap (a hundred thousand requests).
 * Real HTTP on 127.0.0.1, scripted per path; `calls` counts the requests each path got.
 */

type Reply = (req: IncomingMessage, res: ServerResponse, page: number) => void;

const calls = new Map<string, number>();
const ok =
  (result: (page: number) => unknown): Reply =>
  (_req, res, page) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ help: 'h', success: true, result: result(page) }));
  };
const dataset = (id: string) => ({ id, name: id, title: id, resources: [] });
const dcat = (uris: string[]) => ({
  '@graph': [
    ...uris.map((u) => ({ '@type': 'dcat:Dataset', '@id': u, 'dct:title': u })),
    { '@type': 'hydra:PagedCollection', 'hydra:next': 'http://x/catalog.jsonld?page=2' },
  ],
});

let replies: Record<string, Reply> = {};
let url: string;
const server = createServer((req, res) => {
  req.resume();
  const path = (req.url ?? '').split('?')[0] ?? '';
  const n = (calls.get(path) ?? 0) + 1;
  calls.set(path, n);
  const reply = replies[path];
  if (reply) reply(req, res, n);
  else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: false, error: { __type: 'Not Found Error', message: 'no' } }));
  }
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function drain<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function client() {
  return new CatalogClient({
    baseUrl: url,
    retry: { maxRetries: 0 },
    politeness: { requestsPerSecond: false },
    schemaVersion: '2.2',
    useServerSchema: false,
  });
}

describe('paging a catalog that makes no progress', () => {
  it('package_search answering the same datasets with an endless count is ERR_CATALOG_PROTOCOL', async () => {
    calls.clear();
    replies = {
      '/api/3/action/package_search': ok((page) => ({
        count: 1e12,
        results: page === 1 ? [dataset('a'), dataset('b')] : [dataset('b'), dataset('a')],
      })),
    };
    const seen: string[] = [];
    const err = await (async () => {
      for await (const p of client().searchDatasets({ pageSize: 2 }))
        seen.push(...p.datasets.map((d) => d.id));
    })().catch((e) => e);
    expect(err).toMatchObject({
      code: 'ERR_CATALOG_PROTOCOL',
      message: expect.stringMatching(/package_search/),
    });
    expect(seen).toEqual(['a', 'b']);
    expect(calls.get('/api/3/action/package_search')).toBeLessThanOrEqual(3);
  });

  it('datastore_search answering the same rows forever is ERR_CATALOG_PROTOCOL', async () => {
    for (const sort of [undefined, 'name']) {
      calls.clear();
      replies = {
        '/api/3/action/datastore_search': ok(() => ({
          records: [{ _id: 1, name: 'x' }],
          limit: 1,
          total_was_estimated: true,
          fields: [],
        })),
      };
      const err = await drain(client().datastore.search('r1', { sort })).catch((e) => e);
      expect(err).toMatchObject({
        code: 'ERR_CATALOG_PROTOCOL',
        message: expect.stringMatching(/datastore_search/),
      });
      expect(calls.get('/api/3/action/datastore_search')).toBeLessThanOrEqual(3);
    }
  });

  it('datastore_search cycling between two pages by _id is stopped too', async () => {
    calls.clear();
    replies = {
      '/api/3/action/datastore_search': ok((page) => ({
        records: page % 2 ? [{ _id: 1 }, { _id: 2 }] : [{ _id: 3 }, { _id: 4 }],
        limit: 2,
        fields: [],
      })),
    };
    const err = await drain(client().datastore.search('r1')).catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PROTOCOL' });
    expect(calls.get('/api/3/action/datastore_search')).toBeLessThanOrEqual(4);
  });

  it('a DCAT catalog repeating its pages is de-duplicated by URI, then ERR_CATALOG_PROTOCOL', async () => {
    calls.clear();
    replies = {
      '/catalog.jsonld': (_req, res, page) => {
        res.writeHead(200, { 'content-type': 'application/ld+json' });
        res.end(JSON.stringify(dcat(page === 1 ? ['http://x/ds/a', 'http://x/ds/b'] : ['http://x/ds/b'])));
      },
    };
    const uris: string[] = [];
    const err = await (async () => {
      for await (const p of client().readCatalogChanges()) uris.push(...p.datasets.map((d) => d.uri));
    })().catch((e) => e);
    expect(err).toMatchObject({
      code: 'ERR_CATALOG_PROTOCOL',
      message: expect.stringMatching(/DCAT|catalog\.jsonld/),
    });
    expect(uris).toEqual(['http://x/ds/a', 'http://x/ds/b']);
    expect(calls.get('/catalog.jsonld')).toBeLessThanOrEqual(3);
  });

  it('a DCAT page with some new datasets yields only those', async () => {
    calls.clear();
    replies['/catalog.jsonld'] = (_req, res, page) => {
      res.writeHead(200, { 'content-type': 'application/ld+json' });
      const body =
        page === 1
          ? dcat(['http://x/ds/a', 'http://x/ds/b'])
          : {
              '@graph': [
                { '@type': 'dcat:Dataset', '@id': 'http://x/ds/b' },
                { '@type': 'dcat:Dataset', '@id': 'http://x/ds/c' },
              ],
            };
      res.end(JSON.stringify(body));
    };
    const pages = await drain(client().readCatalogChanges());
    expect(pages.map((p) => p.datasets.map((d) => d.uri))).toEqual([
      ['http://x/ds/a', 'http://x/ds/b'],
      ['http://x/ds/c'],
    ]);
  });

  it('organization_list answering every offset alike is ERR_CATALOG_PROTOCOL, not a silently short list', async () => {
    calls.clear();
    const org = (id: string) => ({ id, name: id, title: id });
    replies = { '/api/3/action/organization_list': ok(() => [org('a'), org('b')]) };
    const err = await client()
      .listOrganizations()
      .catch((e) => e);
    expect(err).toMatchObject({
      code: 'ERR_CATALOG_PROTOCOL',
      message: expect.stringMatching(/organization_list/),
    });
    expect(calls.get('/api/3/action/organization_list')).toBeLessThanOrEqual(80);
  });
});
