import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogClient, isCatalogError } from '@thgov/catalog';
import { type AgencyCatalog, startAgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { publishCsvDataset, readCsv } from '../src/publish.js';

const data = new URL('../data/', import.meta.url);
const csvPath = fileURLToPath(new URL('population-by-province.csv', data));
const metadata = () =>
  JSON.parse(readFileSync(new URL('dataset.json', data), 'utf8')) as Record<string, unknown>;
const fields = [
  { id: 'province', type: 'text' },
  { id: 'population', type: 'int' },
  { id: 'male', type: 'int' },
  { id: 'female', type: 'int' },
];

describe.each(['2.10', '2.9'] as const)('catalog-publish example against CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let client: CatalogClient;
  beforeAll(async () => {
    catalog = await startAgencyCatalog({ flavor });
    client = new CatalogClient({
      baseUrl: catalog.url,
      apiToken: catalog.accounts.editor.token,
      harvesterUrl: catalog.harvester?.url,
    });
  });
  afterAll(async () => {
    await client.close();
    await catalog.close();
  });

  it('publishes, loads the DataStore, reads it back page by page and follows the GD Catalog state', async () => {
    const uploads: number[] = [];
    const loads: number[] = [];
    const request = {
      metadata: metadata(),
      csvPath,
      resourceName: 'ประชากรรายจังหวัด',
      fields,
      primaryKey: 'province',
      onUploadProgress: (p: { bytesSent: number }) => uploads.push(p.bytesSent),
      onLoadProgress: (p: { rowsDone: number }) => loads.push(p.rowsDone),
    };
    const report = await publishCsvDataset(client, request);
    expect(report).toMatchObject({
      datasetName: 'registered-population-by-province-example',
      rowsLoaded: 25,
      rowsRead: 25,
      pages: 3,
    });
    expect(loads).toEqual([10, 20, 25]);
    expect(uploads.at(-1)).toBe(readFileSync(csvPath).length);
    expect(report.state).toMatchObject({ published: false, governanceState: undefined });

    await catalog.harvester!.harvest();
    catalog.harvester!.setGovernanceState(report.datasetName, 'VALIDATE');
    const again = await publishCsvDataset(client, request);
    expect(again.datasetId).toBe(report.datasetId);
    expect(again.state).toMatchObject({ published: true, governanceState: 'VALIDATE' });
    const rows = [];
    for await (const page of client.datastore.search(again.resourceId, { filters: { province: 'เชียงใหม่' } }))
      rows.push(...page.records);
    expect(rows).toEqual([
      { _id: 4, province: 'เชียงใหม่', population: 1797075, male: 873316, female: 923759 },
    ]);
  });

  it('stops incomplete metadata with Thai and English messages before anything is sent', async () => {
    const broken = { ...metadata(), name: 'broken-example', geo_coverage: 'ทั้งประเทศ', objective: ['อื่นๆ'] };
    const failure: Error = await publishCsvDataset(client, {
      metadata: broken,
      csvPath,
      resourceName: 'x',
      fields,
      primaryKey: 'province',
    }).then(
      () => new Error('published?!'),
      (e: Error) => e,
    );
    expect(failure.message).toMatch(/geo_coverage: .*ตัวเลือก.* \/ .*allowed values/);
    expect(failure.message).toMatch(/objective_other: .*อื่นๆ/);
    const err = await client.getDataset('broken-example').catch((e) => e);
    expect(isCatalogError(err, 'ERR_CATALOG_NOT_FOUND')).toBe(true);
  });
});

describe('configuration and CSV reading', () => {
  it('needs a token with a base URL and never echoes values', () => {
    expect(() => loadConfig({ CATALOG_BASE_URL: 'https://data.agency.go.th' })).toThrow(
      /CATALOG_API_TOKEN is required/,
    );
    expect(() => loadConfig({ CATALOG_BASE_URL: 'not a url', CATALOG_API_TOKEN: 'secret-value' })).toThrow(
      /must be a URL/,
    );
    expect(loadConfig({})).toEqual({ baseUrl: undefined, apiToken: undefined, harvesterUrl: undefined });
  });

  it('reads the CSV as typed records', async () => {
    const rows = [];
    for await (const r of readCsv(csvPath, { population: 'int', male: 'int', female: 'int' })) rows.push(r);
    expect(rows).toHaveLength(25);
    expect(rows[0]).toEqual({
      province: 'กรุงเทพมหานคร',
      population: 5471588,
      male: 2578916,
      female: 2892672,
    });
  });
});
