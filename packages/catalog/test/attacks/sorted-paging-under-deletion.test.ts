import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient, DataStoreSearchPage } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Offset paging of `datastore_search` sorted by a column other than `_id` while rows are deleted (a refresh
 * removing stale rows, a datastore_delete). A deletion before the cursor shifts every later row down; a plain
 * offset step then jumps over as many rows as went, and a reader that reads "absent" as "deleted" drops live
 * rows. Sorted by `_id` the reader anchors on the last row read; it must do so for any sort.
 */

describe('datastore_search with a sort other than _id while rows are deleted (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let packageId: string;
  let run = 0;

  beforeAll(async () => {
    catalog = await startCatalog('2.10', { datastoreRowsMax: 40 });
    editor = clientFor(catalog);
    packageId = (await editor.createDataset(validDataset())).id;
  });

  /** n rows: `code` unique, `zone` shared by groups of three (ties in the sort). */
  async function table(n: number): Promise<string> {
    const records = Array.from({ length: n }, (_, i) => ({
      code: `c${String(i + 1).padStart(3, '0')}`,
      zone: `z${Math.floor(i / 3)}`,
    }));
    const created = await editor.datastore.create(
      { packageId, name: `sorted-deleted-${++run}`, format: 'CSV' },
      {
        fields: [
          { id: 'code', type: 'text' },
          { id: 'zone', type: 'text' },
        ],
        primaryKey: 'code',
        records,
      },
    );
    return created.resourceId;
  }

  async function drop(rid: string, codes: string[]): Promise<void> {
    await editor.action('datastore_delete', { resource_id: rid, filters: { code: codes }, force: true });
  }

  async function survivors(rid: string): Promise<string[]> {
    const out: string[] = [];
    for await (const p of editor.datastore.search(rid)) out.push(...p.records.map((r) => String(r.code)));
    return out;
  }

  /** Reads `pagesFirst` pages, deletes what `victims` picks, reads the rest. */
  async function readWhileDeleting(
    rid: string,
    query: { sort: string; pageSize: number },
    pagesFirst: number,
    victims: (read: string[]) => string[],
  ): Promise<string[]> {
    const it = editor.datastore.search(rid, query);
    const seen: string[] = [];
    for (let i = 0; i < pagesFirst; i++)
      seen.push(...((await it.next()).value as DataStoreSearchPage).records.map((r) => String(r.code)));
    await drop(rid, victims(seen));
    for await (const p of it) seen.push(...p.records.map((r) => String(r.code)));
    return seen;
  }

  it.each(['code desc', 'zone'])(
    'sorted by %s, rows deleted on an earlier page make no later row go missing',
    async (sort) => {
      const rid = await table(14);
      const seen = await readWhileDeleting(rid, { sort, pageSize: 4 }, 1, (read) => read.slice(0, 2));
      const live = await survivors(rid);
      expect(live).toHaveLength(12);
      for (const c of live) expect(seen).toContain(c);
      expect(new Set(seen).size).toBe(seen.length);
    },
  );

  it('asked for columns without _id, the reader still anchors, and hands out only the columns asked', async () => {
    const rid = await table(14);
    const it = editor.datastore.search(rid, { sort: 'code desc', pageSize: 4, fields: ['code'] });
    const first = ((await it.next()).value as DataStoreSearchPage).records;
    expect(Object.keys(first[0] ?? {})).toEqual(['code']);
    const seen = first.map((r) => String(r.code));
    await drop(rid, seen.slice(0, 2));
    for await (const p of it) {
      for (const r of p.records) expect(Object.keys(r)).toEqual(['code']);
      seen.push(...p.records.map((r) => String(r.code)));
    }
    const live = await survivors(rid);
    for (const c of live) expect(seen).toContain(c);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('more rows deleted behind the reader than pages hold, sorted by a column, lose nothing', async () => {
    const rid = await table(60);
    const seen = await readWhileDeleting(rid, { sort: 'code desc', pageSize: 5 }, 6, (read) =>
      read.slice(0, 25),
    );
    const live = await survivors(rid);
    expect(live).toHaveLength(35);
    for (const c of live) expect(seen).toContain(c);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('sorted by a column with ties, every row comes once: ties do not move between pages', async () => {
    const rid = await table(30);
    const codes: string[] = [];
    for await (const p of editor.datastore.search(rid, { sort: 'zone desc', pageSize: 4 }))
      codes.push(...p.records.map((r) => String(r.code)));
    expect([...codes].sort()).toEqual(await survivors(rid));
  });

  it('without deletions, a sorted read returns every row once, in the order asked', async () => {
    const rid = await table(11);
    const pages: DataStoreSearchPage[] = [];
    for await (const p of editor.datastore.search(rid, { sort: 'code desc', pageSize: 3 })) pages.push(p);
    const codes = pages.flatMap((p) => p.records.map((r) => String(r.code)));
    expect(codes).toEqual([...(await survivors(rid))].reverse());
    expect(pages.map((p) => p.offset)).toEqual([0, 3, 6, 9]);
  });
});
