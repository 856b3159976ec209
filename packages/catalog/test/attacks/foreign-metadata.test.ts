import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Metadata other clients wrote (ckanapi scripts, the web form, harvesters, other extensions). CKAN stores titles,
 * resource URLs and formats as unbounded text: a title pasted with a whole abstract, an API URL with a long query,
 * a MIME type with parameters as format. One such dataset must not make it unreadable, stop a search over the
 * whole catalog, or block an update of another field; and an update must keep what this client does not model
 * (extras, other extensions' fields, resources' unknown keys, HTML/markdown/bidi text) exactly as it was.
 */

describe('reading and updating what other clients wrote (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;

  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog);
  });

  /** A dataset of this client, then changed in the catalog's store as another client would have written it. */
  async function foreign(change: (pkg: Record<string, unknown>) => void): Promise<string> {
    const d = await editor.createDataset(validDataset({ tag_string: 'foreign-metadata' }));
    change(catalog.store.packages.get(d.id) as unknown as Record<string, unknown>);
    return d.id;
  }

  const longTitle = `สถิติ ${'ประชากรจำแนกตามอายุ '.repeat(700)}`;
  const longUrl = `https://api.agency.example.go.th/v1/query?${'field=population_by_age_group&'.repeat(400)}`;
  const longFormat =
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; charset=binary'.repeat(3);

  it('a very long title, resource URL and format are read as they are, alone and in a search', async () => {
    const id = await foreign((pkg) => {
      pkg.title = longTitle;
      (pkg.resources as unknown[]).push({
        id: `r-${pkg.id}`,
        package_id: pkg.id,
        name: longTitle,
        url: longUrl,
        format: longFormat,
      });
    });
    const d = await editor.getDataset(id);
    expect(d.title).toBe(longTitle);
    expect(d.resources[0]).toMatchObject({ name: longTitle, url: longUrl, format: longFormat });
    const found: string[] = [];
    for await (const p of editor.searchDatasets({ fq: 'tags:foreign-metadata' }))
      found.push(...p.datasets.map((x) => x.id));
    expect(found).toContain(id);
  });

  it('an update of one field keeps a long title, extras, unknown fields and resources’ unknown keys', async () => {
    // Titles are unique in a thai_gdc catalog: another long one.
    const otherTitle = `${longTitle} ฉบับที่สอง`;
    const notes = '<p dir="rtl">\u202Eรายละเอียด</p>\n\n**markdown** [ลิงก์](https://example.go.th)';
    const id = await foreign((pkg) => {
      pkg.title = otherTitle;
      pkg.notes = notes;
      pkg.extras = [{ key: 'legacy_id', value: 'NSO-1999-0042' }];
      pkg.other_extension_field = { th: 'ไทย', en: 'English' };
      (pkg.resources as unknown[]).push({
        id: `r-${pkg.id}`,
        package_id: pkg.id,
        name: 'ตาราง',
        url: longUrl,
        format: 'CSV',
        harvest_source_hash: 'abc123',
      });
    });
    const updated = await editor.updateDataset(id, { maintainer: 'กลุ่มงานสถิติใหม่' });
    expect(updated.maintainer).toBe('กลุ่มงานสถิติใหม่');
    const stored = catalog.store.packages.get(id) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({
      title: otherTitle,
      notes,
      extras: [{ key: 'legacy_id', value: 'NSO-1999-0042' }],
      other_extension_field: { th: 'ไทย', en: 'English' },
    });
    expect((stored.resources as unknown[])[0]).toMatchObject({
      url: longUrl,
      format: 'CSV',
      harvest_source_hash: 'abc123',
    });
  });

  it('a title this client sends is still held to its length limit, on create and on update', async () => {
    const id = await foreign(() => undefined);
    await expect(editor.updateDataset(id, { title: longTitle })).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'title', rule: 'too_long' })],
    });
    await expect(editor.createDataset(validDataset({ title: longTitle }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
  });

  it('an organization with a very long title is listed', async () => {
    const id = 'org-long-title';
    catalog.store.orgs.set(id, {
      id,
      name: 'long-title-division',
      title: longTitle,
      description: '',
      created: '',
      roles: new Map(),
    });
    const orgs = await editor.listOrganizations();
    expect(orgs.find((o) => o.id === id)?.title).toBe(longTitle);
  });
});
