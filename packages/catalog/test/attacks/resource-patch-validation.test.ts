import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * thai_gdc checks on the server only the multi-choice lists: what the client does not check offline is published
 * as it is, and the GD Catalog rejects it later (or a portal links a `javascript:` URL). createDataset and
 * uploadResource check offline; a resource patch (updateResource) must too — its own bounds only on the fields it
 * sends, so a resource another client wrote (a 2,000+ character API URL) can still be edited.
 */
describe.each(FLAVORS)('updateResource checks the resource offline (CKAN %s)', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let builtIn: CatalogClient;

  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    builtIn = clientFor(catalog, 'editor', { useServerSchema: false });
  });

  async function resource(extra: Record<string, unknown> = {}): Promise<{ id: string; datasetId: string }> {
    const ds = await editor.createDataset(validDataset());
    const res = await editor.uploadResource(ds.id, { content: 'a,b\n1,2\n', name: 'ตาราง', format: 'CSV' });
    const pkg = catalog.store.packages.get(ds.id) as unknown as { resources: Record<string, unknown>[] };
    Object.assign(pkg.resources.find((r) => r.id === res.id) as object, extra);
    return { id: res.id, datasetId: ds.id };
  }
  const stored = (datasetId: string, id: string) =>
    (
      catalog.store.packages.get(datasetId) as unknown as { resources: Record<string, unknown>[] }
    ).resources.find((r) => r.id === id);

  it('a javascript: URL is refused before anything is sent', async () => {
    const { id, datasetId } = await resource();
    await expect(
      builtIn.updateResource(id, { url: 'javascript:alert(document.cookie)' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'url', rule: 'url' })],
    });
    expect(stored(datasetId, id)?.url).not.toMatch(/^javascript:/);
  });

  it('a year that is not a year is refused (the standard’s rule; the server does not check it)', async () => {
    const { id, datasetId } = await resource();
    await expect(builtIn.updateResource(id, { resource_first_year_of_data: 'ปีที่แล้ว' })).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'resource_first_year_of_data', rule: 'year' })],
    });
    expect(stored(datasetId, id)?.resource_first_year_of_data).toBeUndefined();
  });

  it('skipValidation sends it anyway', async () => {
    const { id } = await resource();
    const r = await builtIn.updateResource(
      id,
      { resource_first_year_of_data: 'ปีที่แล้ว' },
      { skipValidation: true },
    );
    expect(r.resource_first_year_of_data).toBe('ปีที่แล้ว');
  });

  it('a 2,000+ character URL another client wrote does not block a patch of another field; one sent does', async () => {
    const longUrl = `https://api.agency.example.go.th/v1/query?${'field=population_by_age_group&'.repeat(100)}`;
    const { id } = await resource({ url: longUrl, url_type: null });
    const r = await builtIn.updateResource(id, { description: 'คำอธิบายใหม่' });
    expect(r).toMatchObject({ description: 'คำอธิบายใหม่', url: longUrl });
    await expect(builtIn.updateResource(id, { url: `${longUrl}&more=1` })).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'url', rule: 'too_long' })],
    });
  });
});

describe('replaceResource checks the resource offline too', () => {
  it('a new file with metadata off the standard is refused before the upload', async () => {
    const catalog = await startCatalog('2.10');
    const builtIn = clientFor(catalog, 'editor', { useServerSchema: false });
    const ds = await builtIn.createDataset(validDataset());
    const res = await builtIn.uploadResource(ds.id, { content: 'a,b\n1,2\n', name: 'ตาราง', format: 'CSV' });
    await expect(
      builtIn.replaceResource(res.id, {
        content: 'a,b\n3,4\n',
        format: 'CSV',
        metadata: { resource_last_year_of_data: 'ล่าสุด' },
      }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'resource_last_year_of_data', rule: 'year' })],
    });
    expect((await builtIn.getResource(res.id)).resource_last_year_of_data).toBeUndefined();
  });
});
