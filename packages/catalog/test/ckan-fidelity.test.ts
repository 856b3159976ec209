import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient, type DcatPage } from '../src/index.js';
import { parseCkanTimestamp } from '../src/timestamps.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

/** What real CKAN, ckanext-dcat and the DataStore do, where a client easily assumes otherwise. */

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Array<ReturnType<typeof createServer>> = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    handler(req, res, Buffer.concat(chunks).toString('utf8'));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const clients: CatalogClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

function plainClient(baseUrl: string, apiToken?: string): CatalogClient {
  const client = new CatalogClient({
    baseUrl,
    apiToken,
    retry: { maxRetries: 0, baseDelayInMs: 1, maxDelayInMs: 5, budget: false },
    politeness: { requestsPerSecond: false, maxConcurrency: 4 },
  });
  clients.push(client);
  return client;
}

async function collect(pages: AsyncIterable<DcatPage>): Promise<DcatPage[]> {
  const out: DcatPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

describe('ckanext-dcat /catalog.jsonld as rdflib writes it (no context: expanded JSON-LD)', () => {
  const TOTAL = 250;
  const PER = 100;
  const requests: string[] = [];
  let url: string;
  beforeAll(async () => {
    url = await serve((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      requests.push(u.search);
      const page = Number(u.searchParams.get('page') ?? 1);
      const last = Math.ceil(TOTAL / PER);
      const pageUrl = (n: number) => [{ '@value': `${url}/catalog.jsonld?page=${n}` }];
      // rdflib's g.serialize(format='json-ld') without a context: a list of nodes, full IRIs, list values.
      const collection: Record<string, unknown> = {
        '@id': `${url}/catalog.jsonld?page=${page}`,
        '@type': [`${HYDRA}PagedCollection`],
        [`${HYDRA}totalItems`]: [{ '@type': `${XSD}integer`, '@value': TOTAL }],
        [`${HYDRA}itemsPerPage`]: [{ '@type': `${XSD}integer`, '@value': PER }],
        [`${HYDRA}firstPage`]: pageUrl(1),
        [`${HYDRA}first`]: pageUrl(1),
        [`${HYDRA}lastPage`]: pageUrl(last),
        [`${HYDRA}last`]: pageUrl(last),
      };
      // Only the non-deprecated hydra:next on page 2: either form must be enough.
      if (page === 1) collection[`${HYDRA}nextPage`] = pageUrl(2);
      if (page < last) collection[`${HYDRA}next`] = pageUrl(page + 1);
      const nodes: unknown[] = [collection];
      for (let i = (page - 1) * PER; i < Math.min(TOTAL, page * PER); i++) {
        nodes.push({
          '@id': `${url}/dataset/ds-${i}`,
          '@type': [`${DCAT}Dataset`],
          [`${DCT}identifier`]: [{ '@value': `id-${i}` }],
          [`${DCT}title`]: [{ '@value': `ชุดข้อมูล ${i}`, '@language': 'th' }],
          [`${DCT}modified`]: [{ '@type': `${XSD}dateTime`, '@value': '2024-01-02T03:04:05.123456' }],
        });
      }
      res.setHeader('content-type', 'application/ld+json');
      res.end(JSON.stringify(nodes));
    });
  });

  it('follows hydra:nextPage / hydra:next written as full IRIs and reads every dataset', async () => {
    const pages = await collect(plainClient(url).readCatalogChanges());
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(pages.map((p) => p.totalItems)).toEqual([TOTAL, TOTAL, TOTAL]);
    const datasets = pages.flatMap((p) => p.datasets);
    expect(datasets).toHaveLength(TOTAL);
    expect(datasets[249]).toEqual({
      uri: `${url}/dataset/ds-249`,
      identifier: 'id-249',
      title: 'ชุดข้อมูล 249',
      modified: '2024-01-02T03:04:05.123456',
    });
  });

  it('reads a compacted page whatever prefixes its @context binds, and hydra:view PartialCollectionView', async () => {
    const compacted = await serve((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      res.setHeader('content-type', 'application/ld+json');
      res.end(
        JSON.stringify({
          '@context': { h: HYDRA, dcterms: DCT, d: DCAT, title: { '@id': `${DCT}title` } },
          '@graph': [
            {
              '@id': `x?page=${page}`,
              '@type': 'h:PartialCollectionView',
              'h:totalItems': { '@value': '2' },
              ...(page === 1 ? { 'h:next': { '@id': 'x?page=2' } } : {}),
            },
            {
              '@id': `ds-${page}`,
              '@type': ['d:Dataset'],
              'dcterms:identifier': `id-${page}`,
              title: [`T${page}`],
              'dcterms:modified': { '@value': '2024-01-02T03:04:05' },
            },
          ],
        }),
      );
    });
    const pages = await collect(plainClient(compacted).readCatalogChanges());
    expect(pages.flatMap((p) => p.datasets)).toEqual([
      { uri: 'ds-1', identifier: 'id-1', title: 'T1', modified: '2024-01-02T03:04:05' },
      { uri: 'ds-2', identifier: 'id-2', title: 'T2', modified: '2024-01-02T03:04:05' },
    ]);
    expect(pages[0]?.totalItems).toBe(2);
  });
});

describe('CKAN timestamps are naive UTC, whatever the local time zone', () => {
  const tz = process.env.TZ;
  beforeAll(() => {
    // Node re-reads TZ when it changes: Date now works in Bangkok time (UTC+7).
    process.env.TZ = 'Asia/Bangkok';
  });
  afterAll(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('reads a zone-less CKAN date-time as UTC, and one with a zone as that zone says', () => {
    expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(-420);
    expect(parseCkanTimestamp('2024-01-02T03:04:05.123456')?.toISOString()).toBe('2024-01-02T03:04:05.123Z');
    expect(parseCkanTimestamp('2024-01-02 03:04:05')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseCkanTimestamp('2024-01-02T03:04')?.toISOString()).toBe('2024-01-02T03:04:00.000Z');
    expect(parseCkanTimestamp('2024-01-02')?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(parseCkanTimestamp('2024')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseCkanTimestamp('2024-01-02T10:04:05+07:00')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseCkanTimestamp('2024-01-02T03:04:05Z')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseCkanTimestamp('2024-02-30T00:00:00')).toBeUndefined();
    expect(parseCkanTimestamp('yesterday')).toBeUndefined();
  });

  it('sends modified_since as naive UTC (ckanext-dcat appends "Z" itself), from a CKAN string or a Date', async () => {
    const sent: Array<string | null> = [];
    const url = await serve((req, res) => {
      sent.push(new URL(req.url ?? '/', 'http://x').searchParams.get('modified_since'));
      res.setHeader('content-type', 'application/ld+json');
      res.end('[]');
    });
    const client = plainClient(url);
    await collect(client.readCatalogChanges({ modifiedSince: '2024-01-02T03:04:05.123456' }));
    await collect(client.readCatalogChanges({ modifiedSince: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }));
    await collect(client.readCatalogChanges({ modifiedSince: '2024-01-02T10:04:05+07:00' }));
    expect(sent).toEqual(['2024-01-02T03:04:05.123', '2024-01-02T03:04:05.000', '2024-01-02T03:04:05.000']);
  });
});

describe('ckanext-dcat modified_since on the sandbox (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  beforeAll(async () => {
    catalog = await startCatalog('2.10');
  });

  it('the sandbox fails a zoned modified_since as ckanext-dcat does (Solr: "+00:00Z" is no date)', async () => {
    const zoned = await fetch(`${catalog.url}/catalog.jsonld?modified_since=2024-01-02T03:04:05Z`);
    expect(zoned.status).toBe(500);
    await zoned.body?.cancel();
    const naive = await fetch(`${catalog.url}/catalog.jsonld?modified_since=2024-01-02T03:04:05`);
    expect(naive.status).toBe(200);
    await naive.body?.cancel();
  });

  it('readCatalogChanges with a Date lists exactly the datasets changed since', async () => {
    const editor = clientFor(catalog);
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date();
    await new Promise((r) => setTimeout(r, 5));
    const fresh = await editor.createDataset(validDataset());
    const pages = await collect(clientFor(catalog, 'anonymous').readCatalogChanges({ modifiedSince: since }));
    expect(pages.flatMap((p) => p.datasets.map((d) => d.identifier))).toEqual([fresh.id]);
    // The dataset's own metadata_modified (naive UTC) as the bound: it is listed (inclusive, as Solr's [a TO NOW]).
    const again = await collect(
      clientFor(catalog, 'anonymous').readCatalogChanges({
        modifiedSince: fresh.metadata_modified as string,
      }),
    );
    expect(again.flatMap((p) => p.datasets.map((d) => d.identifier))).toEqual([fresh.id]);
  });
});

describe.each(FLAVORS)('CKAN %s reads DataStore keys back normalised', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let packageId: string;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    packageId = (await editor.createDataset(validDataset())).id;
  });

  const rows = async (resourceId: string) => {
    const out: Array<Record<string, unknown>> = [];
    for await (const p of editor.datastore.search(resourceId)) out.push(...p.records);
    return out;
  };

  it('refresh keeps every row it upserted by a timestamp key, and deletes only the stale ones', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'รายวัน', format: 'CSV' },
      {
        fields: [
          { id: 'day', type: 'timestamp' },
          { id: 'v', type: 'int' },
        ],
        primaryKey: 'day',
        records: ['2023-12-31', '2024-01-01', '2024-01-02', '2024-01-03'].map((day) => ({ day, v: 1 })),
      },
    );
    // The sandbox stores what PostgreSQL stores: a timestamp read back as "2024-01-01T00:00:00".
    expect((await rows(resourceId))[1]?.day).toBe('2024-01-01T00:00:00');
    const next = [
      { day: '2024-01-01T00:00:00.000Z', v: 2 },
      { day: '2024-01-02', v: 2 },
      { day: '2024-01-03 00:00:00', v: 2 },
      { day: new Date(Date.UTC(2024, 0, 4)), v: 2 },
      { day: '2024-01-05T06:07:08.500000', v: 2 },
    ];
    const result = await editor.datastore.refresh(resourceId, next, { primaryKey: 'day', batchRows: 2 });
    expect(result).toEqual({ upserted: 5, deleted: 1 });
    expect((await rows(resourceId)).map((r) => [r.day, r.v])).toEqual([
      ['2024-01-01T00:00:00', 2],
      ['2024-01-02T00:00:00', 2],
      ['2024-01-03T00:00:00', 2],
      ['2024-01-04T00:00:00', 2],
      ['2024-01-05T06:07:08.5', 2],
    ]);
  });

  it('refresh keeps every row it upserted by numeric keys (one column and two), and deletes only the stale ones', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'รหัสโรงเรียน', format: 'CSV' },
      {
        fields: [
          { id: 'code', type: 'int' },
          { id: 'name', type: 'text' },
        ],
        primaryKey: 'code',
        records: [
          { code: 1, name: 'ก' },
          { code: 7, name: 'ข' },
          { code: 9, name: 'ค' },
        ],
      },
    );
    const result = await editor.datastore.refresh(
      resourceId,
      [
        { code: '007', name: 'ข ใหม่' },
        { code: ' 9', name: 'ค ใหม่' },
        { code: '0010', name: 'ง' },
      ],
      { primaryKey: 'code' },
    );
    expect(result).toEqual({ upserted: 3, deleted: 1 });
    expect((await rows(resourceId)).map((r) => [r.code, r.name])).toEqual([
      [7, 'ข ใหม่'],
      [9, 'ค ใหม่'],
      [10, 'ง'],
    ]);

    const two = await editor.datastore.create(
      { packageId, name: 'สองคีย์', format: 'CSV' },
      {
        fields: [
          { id: 'year', type: 'int' },
          { id: 'rate', type: 'numeric' },
          { id: 'label', type: 'text' },
        ],
        primaryKey: ['year', 'rate'],
        records: [
          { year: 2566, rate: 1.5, label: 'เก่า' },
          { year: 2567, rate: 2, label: 'ลบ' },
        ],
      },
    );
    const r2 = await editor.datastore.refresh(
      two.resourceId,
      [
        { year: '02566', rate: '1.50', label: 'ใหม่' },
        { year: 2568, rate: '0.250', label: 'เพิ่ม' },
      ],
      { primaryKey: ['year', 'rate'] },
    );
    expect(r2).toEqual({ upserted: 2, deleted: 1 });
    expect((await rows(two.resourceId)).map((r) => r.label)).toEqual(['ใหม่', 'เพิ่ม']);
  });
});

describe('refresh never deletes a row it has just upserted', () => {
  it('deletes nothing, typed, when the keys read back do not match the keys sent', async () => {
    const calls: string[] = [];
    const url = await serve((req, res, body) => {
      const action = (req.url ?? '').split('/').pop() as string;
      calls.push(action);
      const p = JSON.parse(body || '{}');
      const result =
        action === 'datastore_search'
          ? {
              // A column type the client cannot normalise, and a server that writes keys its own way.
              records: [{ code: 'A-1' }, { code: 'A-2' }, { code: 'OLD' }],
              fields: [{ id: 'code', type: 'citext' }],
              limit: p.limit,
              total: 3,
            }
          : { resource_id: 'r1', method: 'upsert' };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, result }));
    });
    const client = plainClient(url, 'tok-12345678');
    const err = await client.datastore
      .refresh('r1', [{ code: 'a-1' }, { code: 'a-2' }], { primaryKey: 'code' })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PROTOCOL', action: 'datastore.refresh' });
    expect(calls).toEqual(['datastore_upsert', 'datastore_search']);
  });
});

describe.each(FLAVORS)(
  'package_revise on CKAN %s: tag_string appends to the tags it starts from',
  (flavor) => {
    let catalog: AgencyCatalog;
    let editor: CatalogClient;
    beforeAll(async () => {
      catalog = await startCatalog(flavor);
      editor = clientFor(catalog);
    });

    const names = (d: unknown) =>
      (((d as { tags?: unknown }).tags as Array<{ name: string }> | undefined) ?? []).map((t) => t.name);

    it('the sandbox appends as CKAN does: a raw package_revise with tag_string keeps the old tags', async () => {
      const created = await editor.createDataset(validDataset({ tag_string: 'เก่า,สถิติ' }));
      const raw = (await editor.action('package_revise', {
        match: { id: created.id },
        update: { tag_string: 'ใหม่' },
      })) as { package: { tags: unknown } };
      expect(names(raw.package)).toEqual(['เก่า', 'สถิติ', 'ใหม่']);
    });

    it('updateDataset replaces the tags given as tag_string (a string or a list) or as tags', async () => {
      const created = await editor.createDataset(validDataset({ tag_string: 'เก่า,สถิติ' }));
      expect(names(await editor.updateDataset(created.id, { tag_string: 'ใหม่' }))).toEqual(['ใหม่']);
      expect(names(await editor.updateDataset(created.id, { tag_string: ['หนึ่ง', 'สอง'] }))).toEqual([
        'หนึ่ง',
        'สอง',
      ]);
      expect(names(await editor.updateDataset(created.id, { tags: [{ name: 'สาม' }] }))).toEqual(['สาม']);
      // A patch without tags leaves them alone.
      expect(names(await editor.updateDataset(created.id, { notes: 'แก้ไข' }))).toEqual(['สาม']);
    });
  },
);

describe('package_patch (CKAN < 2.9) starts from package_show too', () => {
  it('updateDataset sends tags: [] with a tag_string, so the new tags replace the old', async () => {
    const sent: Record<string, unknown>[] = [];
    const dataset = { id: 'd1', name: 'marriage-stats', tags: [{ name: 'เก่า' }], resources: [] };
    const url = await serve((req, res, body) => {
      const action = (req.url ?? '').split('?')[0]?.split('/').pop() as string;
      const p = JSON.parse(body || '{}');
      let result: unknown = dataset;
      if (action === 'status_show') result = { ckan_version: '2.8.12', extensions: ['scheming_datasets'] };
      if (action === 'package_patch') {
        sent.push(p);
        result = { ...dataset, ...p };
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, result }));
    });
    const client = plainClient(url, 'tok-12345678');
    await client.updateDataset('marriage-stats', { tag_string: 'ใหม่' }, { skipValidation: true });
    await client.updateDataset('marriage-stats', { notes: 'แก้ไข' }, { skipValidation: true });
    expect(sent).toEqual([
      { id: 'd1', tags: [], tag_string: 'ใหม่' },
      { id: 'd1', notes: 'แก้ไข' },
    ]);
  });
});

describe('batchBytes counts UTF-8 bytes', () => {
  it('no datastore_upsert body of Thai records exceeds batchBytes', async () => {
    const sizes: number[] = [];
    const url = await serve((_req, res, body) => {
      sizes.push(Buffer.byteLength(body));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, result: { resource_id: 'r1', method: 'upsert' } }));
    });
    const client = plainClient(url, 'tok-12345678');
    const limit = 64 * 1024;
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: i,
      name: 'โรงเรียนบ้านหนองบัววิทยาคม'.repeat(8),
    }));
    const result = await client.datastore.upsert('r1', rows, { batchBytes: limit, batchRows: 100_000 });
    expect(result.rows).toBe(300);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
  });
});
