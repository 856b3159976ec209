import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * ckanext-fluent (with scheming) stores a translated title, resource name or organization title as an object of
 * language → text ({"th": "…", "en": "…"}), and package_show returns it so. A catalog with one such dataset must
 * stay readable: the value is read as it came, not refused as a malformed response, and one such dataset must not
 * stop a search over the whole catalog.
 */
const title = { th: 'สถิติประชากร รายจังหวัด', en: 'Population statistics by province' };

describe('translated text that ckanext-fluent stores as an object (thai_gdc schema)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;

  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog);
  });

  it('a dataset with a translated title and resource name is read as it is, alone and in a search', async () => {
    const d = await editor.createDataset(validDataset({ tag_string: 'fluent-text' }));
    const pkg = catalog.store.packages.get(d.id) as unknown as Record<string, unknown>;
    pkg.title = title;
    pkg.title_translated = title;
    (pkg.resources as unknown[]).push({
      id: `r-${d.id}`,
      package_id: d.id,
      name: title,
      url: '',
      format: 'CSV',
    });
    const read = await editor.getDataset(d.id);
    expect(read.title).toEqual(title);
    expect(read.resources[0]?.name).toEqual(title);
    expect((await editor.getResource(`r-${d.id}`)).name).toEqual(title);
    const found: unknown[] = [];
    for await (const page of editor.searchDatasets({ fq: 'tags:fluent-text' }))
      found.push(...page.datasets.map((x) => x.title));
    expect(found).toEqual([title]);
  });

  it('an organization with a translated title is listed', async () => {
    catalog.store.orgs.set('org-fluent', {
      id: 'org-fluent',
      name: 'fluent-division',
      title: title as unknown as string,
      description: '',
      created: '',
      roles: new Map(),
    });
    const orgs = await editor.listOrganizations();
    expect(orgs.find((o) => o.id === 'org-fluent')?.title).toEqual(title);
  });
});

describe('a catalog whose schema makes the title a fluent_text field', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;

  beforeAll(async () => {
    catalog = await startCatalog('2.10', {
      adjustSchema: (s) => ({
        ...s,
        dataset_fields: s.dataset_fields.map((f) =>
          f.field_name === 'title' ? { ...f, preset: 'fluent_text', validators: 'fluent_text' } : f,
        ),
      }),
    });
    editor = clientFor(catalog);
  });

  it('a translated title is created, kept by an update of another field, and replaced', async () => {
    const d = await editor.createDataset(validDataset({ title }));
    expect(d.title).toEqual(title);
    const updated = await editor.updateDataset(d.id, { maintainer: 'กลุ่มงานสถิติใหม่' });
    expect(updated).toMatchObject({ title, maintainer: 'กลุ่มงานสถิติใหม่' });
    const retitled = { th: 'สถิติประชากร รายอำเภอ', en: 'Population statistics by district' };
    expect((await editor.updateDataset(d.id, { title: retitled })).title).toEqual(retitled);
  });

  it('a translation that is not text, or is too long, is refused offline', async () => {
    for (const bad of [{ th: 42 }, { th: 'ก'.repeat(10_001) }, ['th', 'en']]) {
      await expect(editor.createDataset(validDataset({ title: bad }))).rejects.toMatchObject({
        code: 'ERR_CATALOG_VALIDATION',
        fieldErrors: [expect.objectContaining({ field: expect.stringMatching(/^title/) })],
      });
    }
  });
});
