import type { AgencyCatalog } from '@thgov/sandbox';
import { FIXTURE_POPULATION } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient, DataStoreProgress, DataStoreRecord, DataStoreSearchPage } from '../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

async function pages(it: AsyncIterable<DataStoreSearchPage>): Promise<DataStoreSearchPage[]> {
  const out: DataStoreSearchPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

function* schools(n: number, version = 1): Generator<DataStoreRecord> {
  for (let i = 1; i <= n; i++) {
    yield {
      school_code: `10${String(i).padStart(6, '0')}`,
      name: `โรงเรียนบ้านตัวอย่าง ${i}`,
      students: (i * 7 + version) % 900,
    };
  }
}

const FIELDS = [
  { id: 'school_code', type: 'text' },
  { id: 'name', type: 'text' },
  { id: 'students', type: 'int' },
];

describe.each(FLAVORS)('DataStore of CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let packageId: string;
  beforeAll(async () => {
    // A small rows_max makes the cap visible: thai_gdc's is 10,000.
    catalog = await startCatalog(flavor, { datastoreRowsMax: 40 });
    editor = clientFor(catalog);
    packageId = (await editor.createDataset(validDataset())).id;
  });

  it('creates a table on a new resource and loads records in batches with progress', async () => {
    const progress: DataStoreProgress[] = [];
    const created = await editor.datastore.create(
      { packageId, name: 'ทำเนียบโรงเรียน', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'school_code', records: schools(250) },
      { batchRows: 60, onProgress: (p) => progress.push(p) },
    );
    expect(created).toMatchObject({ rows: 250, batches: 5 });
    expect(progress.map((p) => p.rowsDone)).toEqual([60, 120, 180, 240, 250]);
    const info = await editor.datastore.info(created.resourceId);
    expect((info.meta as { count: number }).count).toBe(250);
  });

  it('reads offset pages under the catalog’s cap, in a stable order, to the last row', async () => {
    const rid = (
      await editor.datastore.create(
        { packageId, name: 'อ่านทีละหน้า', format: 'CSV' },
        { fields: FIELDS, primaryKey: 'school_code', records: schools(130) },
      )
    ).resourceId;
    const all = await pages(editor.datastore.search(rid, { pageSize: 1000 }));
    // Each page after the first opens on the last row read (so a deletion meanwhile is noticed): 40 + 39 + 39 + 12.
    expect(all.map((p) => p.records.length)).toEqual([40, 39, 39, 12]);
    expect(all[0]).toMatchObject({ appliedLimit: 40, total: 130 });
    expect(all.flatMap((p) => p.records.map((r) => r._id))).toEqual(
      Array.from({ length: 130 }, (_, i) => i + 1),
    );
    const filtered = await pages(
      editor.datastore.search(rid, { filters: { students: [8, 15] }, fields: ['school_code'] }),
    );
    expect(filtered.flatMap((p) => p.records)).toEqual([
      { school_code: '10000001' },
      { school_code: '10000002' },
    ]);
    const limited = await pages(editor.datastore.search(rid, { limit: 45, pageSize: 30 }));
    expect(limited.flatMap((p) => p.records)).toHaveLength(45);
  });

  it('reads the fixture table anonymously and exports it as CSV and JSON streams', async () => {
    const dataset = await clientFor(catalog, 'anonymous').getDataset('population-by-province-2566');
    const rid = dataset.resources[0]?.id as string;
    const rows = (await pages(clientFor(catalog, 'anonymous').datastore.search(rid))).flatMap(
      (p) => p.records,
    );
    expect(rows.map((r) => r.province)).toEqual(FIXTURE_POPULATION.map((r) => r.province));
    let text = '';
    for await (const chunk of await editor.datastore.export(rid, { format: 'csv', bom: true })) text += chunk;
    expect(text.startsWith('\ufeff_id,province,population,male,female\n1,กรุงเทพมหานคร,5471588,')).toBe(true);
    let json = '';
    for await (const chunk of await editor.datastore.export(rid, { format: 'json' })) json += chunk;
    expect((JSON.parse(json) as { records: unknown[][] }).records[1]).toEqual([
      2,
      'นครราชสีมา',
      2628818,
      1296302,
      1332516,
    ]);
  });

  it('refreshes a table without a moment where readers see it empty', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'รีเฟรช', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'school_code', records: schools(120, 1) },
    );
    const reader = clientFor(catalog, 'anonymous');
    const seenCounts: number[] = [];
    let done = false;
    const watch = (async () => {
      while (!done) {
        const first = await reader.datastore.search(resourceId, { pageSize: 1 }).next();
        seenCounts.push((first.value as DataStoreSearchPage).total ?? 0);
      }
    })();
    // The new data: 20 schools closed (1–20), 30 opened (121–150), figures changed.
    const next = [...schools(150, 2)].slice(20);
    const result = await editor.datastore.refresh(resourceId, next, {
      primaryKey: 'school_code',
      batchRows: 10,
    });
    done = true;
    await watch;
    expect(result).toEqual({ upserted: 130, deleted: 20 });
    expect(seenCounts.length).toBeGreaterThan(3);
    expect(Math.min(...seenCounts)).toBeGreaterThanOrEqual(120);
    const after = (await pages(editor.datastore.search(resourceId))).flatMap((p) => p.records);
    expect(after.map((r) => r.school_code)).toEqual(next.map((r) => r.school_code));
    expect(after.find((r) => r.school_code === '10000150')?.students).toBe((150 * 7 + 2) % 900);
  });

  it('reports the DataStore’s errors as typed errors', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'ผิดพลาด', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'school_code' },
    );
    await expect(
      editor.datastore.upsert(resourceId, [{ school_code: 'x', students: 'หลายคน' }]),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'records', en: expect.stringMatching(/integer/) })],
    });
    await expect(
      editor.datastore.upsert(resourceId, [{ school_code: 'x', principal: 'นาย ก' }]),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
    await expect(
      editor.datastore.upsert(resourceId, [{ school_code: 'a' }, { school_code: 'a' }], { method: 'insert' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
    await expect(pages(editor.datastore.search('no-such-resource'))).rejects.toMatchObject({
      code: 'ERR_CATALOG_NOT_FOUND',
    });
    await expect(pages(editor.datastore.search(resourceId, { sort: 'nope' }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
    await expect(
      clientFor(catalog, 'member').datastore.upsert(resourceId, [{ school_code: 'z' }]),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
    });
    // thai_gdc turns datastore_search_sql off: the action does not exist there.
    await expect(
      editor.action('datastore_search_sql', { sql: 'SELECT 1' }, { read: true }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_BAD_REQUEST',
      statusCode: 400,
    });
  });

  it('needs force=True to load the table of an uploaded file (CKAN’s read-only rule)', async () => {
    const res = await editor.uploadResource(packageId, {
      content: 'school_code,name,students\n',
      name: 'ไฟล์',
      format: 'CSV',
    });
    await expect(editor.datastore.create(res.id, { fields: FIELDS })).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'read-only' })],
    });
    const loaded = await editor.datastore.create(
      res.id,
      { fields: FIELDS, primaryKey: 'school_code', records: schools(5) },
      { force: true },
    );
    expect(loaded.rows).toBe(5);
    await editor.datastore.delete(res.id, { filters: { school_code: '10000001' }, force: true });
    expect((await pages(editor.datastore.search(res.id))).flatMap((p) => p.records)).toHaveLength(4);
    await editor.datastore.delete(res.id, { force: true });
    await expect(pages(editor.datastore.search(res.id))).rejects.toMatchObject({
      code: 'ERR_CATALOG_NOT_FOUND',
    });
  });

  it('refuses bad arguments before any call', async () => {
    await expect(editor.datastore.create('abc', { fields: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.datastore.upsert('abc', [42 as never])).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.datastore.upsert('abc', [], { batchRows: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.datastore.refresh('abc', [], { primaryKey: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.datastore.export('abc', { format: 'xlsx' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(pages(editor.datastore.search('abc', { pageSize: -1 }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });
});
