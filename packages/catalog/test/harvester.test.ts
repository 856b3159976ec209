import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

describe.each(FLAVORS)('the GD Catalog and CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
  });

  it('follows a dataset through harvest and governance', async () => {
    const ds = await editor.createDataset(validDataset());
    expect(await editor.publicationState(ds.name)).toMatchObject({
      published: false,
      governanceState: undefined,
    });
    const report = await catalog.harvester!.harvest();
    // Paged at 100 rows; the private register and allow_harvest "False" datasets are not taken.
    expect(report.harvested).toBeGreaterThanOrEqual(5);
    expect(catalog.harvester!.state('elderly-allowance-register')).toBeUndefined();
    expect(await editor.publicationState(ds.id)).toMatchObject({
      dataset: ds.name,
      published: false,
      governanceState: 'WAIT',
    });
    catalog.harvester!.setGovernanceState(ds.name, 'VALIDATE');
    const published = await editor.publicationState(ds.name);
    expect(published).toMatchObject({
      published: true,
      governanceState: 'VALIDATE',
      publishedUrl: `https://gdcatalog.go.th/dataset/gdpublish-${ds.name}`,
    });
    expect(published.validateTime).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(published.harvestedModified).toBe(ds.metadata_modified);
    await editor.updateDataset(ds.name, { notes: 'แก้ไขหลังเผยแพร่' });
    await catalog.harvester!.harvest();
    expect((await editor.publicationState(ds.name)).governanceState).toBe('VALIDATE_MODIFIED');
  });

  it('does not harvest a dataset with allow_harvest "False"', async () => {
    const ds = await editor.createDataset(validDataset({ allow_harvest: 'False' }));
    const report = await catalog.harvester!.harvest();
    expect(report.skipped).toBeGreaterThanOrEqual(1);
    expect(await editor.publicationState(ds.name)).toMatchObject({
      published: false,
      governanceState: undefined,
    });
  });

  it('refuses to delete a dataset published centrally, deletes one that is not', async () => {
    const published = await editor.createDataset(validDataset());
    const draft = await editor.createDataset(validDataset({ allow_harvest: 'False' }));
    await catalog.harvester!.harvest();
    catalog.harvester!.setGovernanceState(published.name, 'APPROVAL');
    await expect(editor.deleteDataset(published.name)).rejects.toMatchObject({
      code: 'ERR_CATALOG_PUBLISHED',
    });
    expect((await editor.getDataset(published.name)).state).toBe('active');
    await editor.deleteDataset(draft.name);
    await expect(editor.getDataset(draft.name)).rejects.toMatchObject({ code: 'ERR_CATALOG_NOT_FOUND' });
  });

  it('refuses to delete when the harvester cannot say (thai_gdc does the same)', async () => {
    const ds = await editor.createDataset(validDataset());
    catalog.harvester!.faults.setProfile({ rules: [{ unavailable: 1 }] });
    try {
      await expect(editor.deleteDataset(ds.name)).rejects.toMatchObject({ code: 'ERR_CATALOG_HARVESTER' });
      expect((await editor.getDataset(ds.name)).state).toBe('active');
    } finally {
      catalog.harvester!.faults.setProfile({ rules: [] });
    }
    const unknownSite = clientFor(catalog, 'editor', { siteUrl: 'https://other-agency.example.go.th' });
    await expect(unknownSite.publicationState(ds.name)).rejects.toMatchObject({
      code: 'ERR_CATALOG_HARVESTER',
    });
    const nowhere = clientFor(catalog, 'editor', { harvesterUrl: 'http://127.0.0.1:9', retry: false });
    await expect(nowhere.publicationState(ds.name)).rejects.toMatchObject({ code: 'ERR_CATALOG_HARVESTER' });
  });

  it('the catalog itself lets the API delete a published dataset: the client’s guard is what stops it', async () => {
    const ds = await editor.createDataset(validDataset());
    await catalog.harvester!.harvest();
    catalog.harvester!.setGovernanceState(ds.name, 'VALIDATE');
    await editor.action('package_delete', { id: ds.id });
    await expect(editor.getDataset(ds.name)).rejects.toMatchObject({ code: 'ERR_CATALOG_NOT_FOUND' });
    await catalog.harvester!.harvest();
    expect(catalog.harvester!.state(ds.name)?.governanceState).toBe('WAIT_REVOKE');
  });
});
