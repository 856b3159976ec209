import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient, SearchPage } from '../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

async function collect(pages: AsyncIterable<SearchPage>): Promise<SearchPage[]> {
  const out: SearchPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe.each(FLAVORS)('reading CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  beforeAll(async () => {
    // A small rows_max and organization cap make paging visible with a few datasets.
    catalog = await startCatalog(flavor, { rowsMax: 3, orgListMax: 2 });
    editor = clientFor(catalog);
    for (let i = 0; i < 5; i++) await editor.createDataset(validDataset());
  });

  it('pages package_search by what each page held, honouring a silent rows_max cap', async () => {
    const pages = await collect(clientFor(catalog, 'anonymous').searchDatasets({ pageSize: 1000 }));
    // 4 public fixtures + 5 new ones (the private register is not listed for anonymous callers).
    // Each page after the first opens on the last dataset read (so a deletion meanwhile is noticed): 3 + 2 + 2 + 2.
    expect(pages.map((p) => p.datasets.length)).toEqual([3, 2, 2, 2]);
    expect(pages.map((p) => p.start)).toEqual([0, 3, 5, 7]);
    expect(pages.map((p) => p.duplicatesSkipped)).toEqual([0, 0, 0, 0]);
    const names = pages.flatMap((p) => p.datasets.map((d) => d.name));
    expect(new Set(names).size).toBe(9);
    expect(names).not.toContain('elderly-allowance-register');
  });

  it('skips datasets seen on an earlier page when datasets are added while paging', async () => {
    const it = editor.searchDatasets({ sort: 'metadata_created desc', pageSize: 3 });
    const first = await it.next();
    // A new dataset sorts first and pushes everything one place down: page 2 starts with a repeat.
    await editor.createDataset(validDataset());
    const rest = await collect(it);
    const all = [first.value as SearchPage, ...rest];
    const names = all.flatMap((p) => p.datasets.map((d) => d.name));
    expect(new Set(names).size).toBe(names.length);
    expect(all.reduce((n, p) => n + p.duplicatesSkipped, 0)).toBeGreaterThanOrEqual(1);
  });

  it('stops at a limit, filters with fq, and sees private datasets only with a token that may', async () => {
    const limited = await collect(editor.searchDatasets({ limit: 4 }));
    expect(limited.flatMap((p) => p.datasets)).toHaveLength(4);
    const stats = await collect(
      editor.searchDatasets({ fq: 'data_type:"ข้อมูลสถิติ" organization:strategy-division' }),
    );
    expect(stats.flatMap((p) => p.datasets).every((d) => d.data_type === 'ข้อมูลสถิติ')).toBe(true);
    const member = await collect(
      clientFor(catalog, 'member').searchDatasets({ includePrivate: true, q: 'เบี้ยยังชีพ' }),
    );
    expect(member.flatMap((p) => p.datasets.map((d) => d.name))).toEqual(['elderly-allowance-register']);
    const editorView = await collect(editor.searchDatasets({ includePrivate: true, q: 'เบี้ยยังชีพ' }));
    expect(editorView).toEqual([]);
  });

  it('reports a malformed query or an unknown sort field as ERR_CATALOG_SEARCH', async () => {
    await expect(collect(editor.searchDatasets({ q: 'title:"unbalanced' }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_SEARCH',
      statusCode: 400,
      ckanType: 'Search Query Error',
    });
    await expect(collect(editor.searchDatasets({ sort: 'no_such_field asc' }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_SEARCH',
      statusCode: 409,
      ckanType: 'Search Error',
    });
  });

  it('gets a dataset, 404s an unknown one, and answers 403 for a private one to anonymous callers', async () => {
    const anonymous = clientFor(catalog, 'anonymous');
    const d = await anonymous.getDataset('population-by-province-2566');
    expect(d.title).toBe('จำนวนประชากรจากการทะเบียน จำแนกรายจังหวัด พ.ศ. 2566');
    expect(d.resources[0]?.datastore_active).toBe(true);
    await expect(anonymous.getDataset('no-such-dataset')).rejects.toMatchObject({
      code: 'ERR_CATALOG_NOT_FOUND',
      statusCode: 404,
    });
    await expect(anonymous.getDataset('elderly-allowance-register')).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
      statusCode: 403,
    });
  });

  it('lists every organization although the catalog caps each page', async () => {
    const orgs = await clientFor(catalog, 'anonymous').listOrganizations();
    expect(orgs.map((o) => o.name).sort()).toEqual(['ict-center', 'strategy-division', 'welfare-division']);
    expect(orgs.find((o) => o.name === 'welfare-division')?.title).toBe('กองสวัสดิการสังคม');
  });

  it(`${flavor === '2.10' ? 'reads DCAT changes since a moment' : 'says DCAT is unsupported on 2.9'}`, async () => {
    const client = clientFor(catalog, 'anonymous');
    if (flavor === '2.9') {
      await expect(collect(client.readCatalogChanges() as never)).rejects.toMatchObject({
        code: 'ERR_CATALOG_UNSUPPORTED',
      });
      return;
    }
    const before = new Date(Date.now() - 1000);
    const since = new Date();
    const fresh = await editor.createDataset(validDataset());
    const changes: string[] = [];
    for await (const page of client.readCatalogChanges({ modifiedSince: since })) {
      for (const d of page.datasets) changes.push(String(d.identifier));
    }
    expect(changes).toContain(fresh.id);
    let all = 0;
    for await (const page of client.readCatalogChanges({ modifiedSince: before.toISOString().slice(0, 4) })) {
      all += page.datasets.length;
    }
    expect(all).toBeGreaterThan(changes.length);
  });
});
