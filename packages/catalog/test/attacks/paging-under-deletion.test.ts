import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient, type DataStoreSearchPage, type SearchPage } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Offset paging over a catalog that changes underneath. Additions are handled by de-duplication; a deletion
 * before the current offset shifts every later dataset one place down, so a plain offset step jumps over one.
 * A harvester or sync tool that reads "absent from the listing" as "deleted" then drops a live dataset.
 */

async function rest(it: AsyncGenerator<SearchPage>, first: SearchPage): Promise<string[]> {
  const names = first.datasets.map((d) => d.name);
  for await (const p of it) names.push(...p.datasets.map((d) => d.name));
  return names;
}

describe('package_search paging while datasets are deleted', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let fq = '';
  let run = 0;

  beforeAll(async () => {
    catalog = await startCatalog('2.10', { rowsMax: 3 });
    editor = clientFor(catalog);
  });

  /** n new datasets under a tag of their own, so each test pages only its own. */
  async function seed(n: number): Promise<void> {
    const tag = `paging-under-deletion-${++run}`;
    fq = `tags:${tag}`;
    for (let i = 0; i < n; i++) await editor.createDataset(validDataset({ tag_string: tag }));
  }

  async function live(): Promise<string[]> {
    const names: string[] = [];
    for await (const p of editor.searchDatasets({ fq })) names.push(...p.datasets.map((d) => d.name));
    return names;
  }

  it('a dataset deleted on an earlier page makes no later dataset go missing', async () => {
    await seed(7);
    const it = editor.searchDatasets({ fq, pageSize: 3 });
    const first = (await it.next()).value as SearchPage;
    await editor.deleteDataset(first.datasets[0]?.name as string);
    const seen = await rest(it, first);
    const survivors = await live();
    expect(survivors).toHaveLength(6);
    for (const n of survivors) expect(seen).toContain(n);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('the last dataset read being deleted loses nothing either', async () => {
    await seed(7);
    const it = editor.searchDatasets({ fq, pageSize: 3 });
    const first = (await it.next()).value as SearchPage;
    await editor.deleteDataset(first.datasets.at(-1)?.name as string);
    const seen = await rest(it, first);
    const survivors = await live();
    for (const n of survivors) expect(seen).toContain(n);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('more deletions than a page hold, behind the reader, still lose nothing', async () => {
    await seed(12);
    const it = editor.searchDatasets({ fq, pageSize: 3 });
    const first = (await it.next()).value as SearchPage;
    const second = (await it.next()).value as SearchPage;
    const read = [...first.datasets, ...second.datasets].map((d) => d.name);
    for (const n of read.slice(0, 5)) await editor.deleteDataset(n);
    const seen = [...first.datasets.map((d) => d.name), ...(await rest(it, second))];
    const survivors = await live();
    expect(survivors).toHaveLength(7);
    for (const n of survivors) expect(seen).toContain(n);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages of one dataset each still move on to the end (the overlap asks one row more)', async () => {
    await seed(4);
    const pages: SearchPage[] = [];
    for await (const p of editor.searchDatasets({ fq, pageSize: 1 })) pages.push(p);
    expect(pages.map((p) => p.datasets.length)).toEqual([1, 1, 1, 1]);
    expect(pages.map((p) => p.start)).toEqual([0, 1, 2, 3]);
    expect(new Set(pages.map((p) => p.datasets[0]?.name)).size).toBe(4);
  });

  it('many deletions behind the reader, and the list shrinking below the cursor, lose nothing', async () => {
    await seed(30);
    const it = editor.searchDatasets({ fq, pageSize: 3 });
    const read: string[] = [];
    for (let i = 0; i < 8; i++)
      read.push(...((await it.next()).value as SearchPage).datasets.map((d) => d.name));
    // 17 read, 13 not: delete 16 of the read ones, so the cursor (at 16) is past the 14 left.
    for (const n of read.slice(0, 16)) await editor.deleteDataset(n);
    const seen = [...read];
    for await (const p of it) seen.push(...p.datasets.map((d) => d.name));
    const survivors = await live();
    expect(survivors).toHaveLength(14);
    for (const n of survivors) expect(seen).toContain(n);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('datastore_search paging while rows are deleted (a refresh deleting stale rows, a datastore_delete)', () => {
  let editor: CatalogClient;
  let packageId: string;
  let run = 0;

  beforeAll(async () => {
    const catalog = await startCatalog('2.10', { datastoreRowsMax: 40 });
    editor = clientFor(catalog);
    packageId = (await editor.createDataset(validDataset())).id;
  });

  async function table(n: number): Promise<string> {
    const records = Array.from({ length: n }, (_, i) => ({ code: `c${String(i + 1).padStart(3, '0')}` }));
    const created = await editor.datastore.create(
      { packageId, name: `deleted-underneath-${++run}`, format: 'CSV' },
      { fields: [{ id: 'code', type: 'text' }], primaryKey: 'code', records },
    );
    return created.resourceId;
  }

  async function drop(rid: string, codes: string[]): Promise<void> {
    await editor.action('datastore_delete', { resource_id: rid, filters: { code: codes }, force: true });
  }

  async function readAll(rid: string): Promise<string[]> {
    const out: string[] = [];
    for await (const p of editor.datastore.search(rid)) out.push(...p.records.map((r) => String(r.code)));
    return out;
  }

  async function readWhileDeleting(rid: string, pageSize: number, victims: (first: string[]) => string[]) {
    const it = editor.datastore.search(rid, { pageSize });
    const first = ((await it.next()).value as DataStoreSearchPage).records.map((r) => String(r.code));
    await drop(rid, victims(first));
    const seen = [...first];
    for await (const p of it) seen.push(...p.records.map((r) => String(r.code)));
    return seen;
  }

  it('a row deleted on an earlier page makes no later row go missing', async () => {
    const rid = await table(12);
    const seen = await readWhileDeleting(rid, 5, (first) => [first[1] as string]);
    const survivors = await readAll(rid);
    expect(survivors).toHaveLength(11);
    for (const c of survivors) expect(seen).toContain(c);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('more rows deleted than a page holds, the last one read included, still lose nothing', async () => {
    const rid = await table(20);
    const seen = await readWhileDeleting(rid, 4, (first) => first);
    const survivors = await readAll(rid);
    expect(survivors).toHaveLength(16);
    for (const c of survivors) expect(seen).toContain(c);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('hundreds of rows deleted behind the reader make none go missing', async () => {
    const rid = await table(300);
    const it = editor.datastore.search(rid, { pageSize: 10 });
    const seen: string[] = [];
    for (let i = 0; i < 12; i++)
      seen.push(...((await it.next()).value as DataStoreSearchPage).records.map((r) => String(r.code)));
    await drop(rid, seen.slice(0, 100));
    for await (const p of it) seen.push(...p.records.map((r) => String(r.code)));
    const survivors = await readAll(rid);
    expect(survivors).toHaveLength(200);
    for (const c of survivors) expect(seen).toContain(c);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages of one row each still move on to the end', async () => {
    const rid = await table(4);
    const pages: DataStoreSearchPage[] = [];
    for await (const p of editor.datastore.search(rid, { pageSize: 1 })) pages.push(p);
    expect(pages.map((p) => p.records.map((r) => r.code))).toEqual([['c001'], ['c002'], ['c003'], ['c004']]);
    expect(pages.map((p) => p.offset)).toEqual([0, 1, 2, 3]);
  });

  it('a limit counts each row once although pages overlap', async () => {
    const rid = await table(12);
    const rows: string[] = [];
    for await (const p of editor.datastore.search(rid, { pageSize: 5, limit: 9 }))
      rows.push(...p.records.map((r) => String(r.code)));
    expect(rows).toEqual(Array.from({ length: 9 }, (_, i) => `c${String(i + 1).padStart(3, '0')}`));
  });
});

describe('a catalog whose pages contradict each other while the reader looks past deletions', () => {
  // Offset 0 always holds a, b, c; any other offset a dataset never seen before; the count never ends.
  let calls = 0;
  let created = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls++;
      const start = (JSON.parse(body) as { start: number }).start;
      const ids = start === 0 ? ['a', 'b', 'c'] : [`new-${++created}`];
      const results = ids.map((id) => ({ id, name: id, resources: [] }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ help: 'h', success: true, result: { count: 1_000_000, results } }));
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('stops with ERR_CATALOG_PROTOCOL after a bounded number of requests', async () => {
    const client = new CatalogClient({
      baseUrl: url,
      retry: { maxRetries: 0 },
      politeness: { requestsPerSecond: false },
    });
    const names: string[] = [];
    const err = await (async () => {
      for await (const p of client.searchDatasets({ pageSize: 3 }))
        names.push(...p.datasets.map((d) => d.name));
    })().catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PROTOCOL', action: 'package_search' });
    expect(names.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(calls).toBeLessThanOrEqual(70);
  });
});
