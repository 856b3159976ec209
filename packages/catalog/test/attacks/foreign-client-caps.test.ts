import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * The client's own bounds (a URL's 2,000 characters, how deep an unknown field nests, how many tags) are not
 * thai_gdc rules: CKAN stores what another client wrote beyond them. They bound what an update sends; a field the
 * update leaves alone must not block it, whichever spec is applied (the built-in one here: no server schema).
 */
describe.each(FLAVORS)(
  'bounds of this client on what another client wrote (CKAN %s, built-in spec)',
  (flavor) => {
    let catalog: AgencyCatalog;
    let editor: CatalogClient;

    beforeAll(async () => {
      catalog = await startCatalog(flavor);
      editor = clientFor(catalog, 'editor', { useServerSchema: false });
    });

    async function foreign(change: (pkg: Record<string, unknown>) => void): Promise<string> {
      const d = await editor.createDataset(validDataset());
      change(catalog.store.packages.get(d.id) as unknown as Record<string, unknown>);
      return d.id;
    }

    const longUrl = `https://api.agency.example.go.th/v1/query?${'field=population_by_age_group&'.repeat(100)}`;
    const nested = (depth: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < depth; i++) v = { level: v };
      return v;
    };

    it('a dataset URL longer than 2,000 characters does not block an update of another field', async () => {
      expect(longUrl.length).toBeGreaterThan(2000);
      const id = await foreign((pkg) => {
        pkg.url = longUrl;
        pkg.reference_url_catalog = longUrl;
      });
      const updated = await editor.updateDataset(id, { maintainer: 'กลุ่มงานสถิติใหม่' });
      expect(updated).toMatchObject({
        maintainer: 'กลุ่มงานสถิติใหม่',
        url: longUrl,
        reference_url_catalog: longUrl,
      });
    });

    it('a URL this client sends is still held to 2,000 characters, as too_long', async () => {
      const id = await foreign(() => undefined);
      await expect(editor.updateDataset(id, { url: longUrl })).rejects.toMatchObject({
        code: 'ERR_CATALOG_VALIDATION',
        fieldErrors: [expect.objectContaining({ field: 'url', rule: 'too_long' })],
      });
      expect(catalog.store.packages.get(id)?.url).not.toBe(longUrl);
    });

    it('a deeply nested field of another extension does not block an update; one sent is refused', async () => {
      const id = await foreign((pkg) => {
        pkg.other_extension_tree = nested(40);
      });
      const updated = await editor.updateDataset(id, { maintainer: 'กลุ่มงานสถิติใหม่' });
      expect(updated.maintainer).toBe('กลุ่มงานสถิติใหม่');
      await expect(editor.updateDataset(id, { sent_tree: nested(40) })).rejects.toMatchObject({
        code: 'ERR_CATALOG_VALIDATION',
        fieldErrors: [expect.objectContaining({ field: 'sent_tree', rule: 'too_deep' })],
      });
    });

    it('more tags than this client sends at once do not block an update of another field', async () => {
      const tags = Array.from({ length: 250 }, (_, i) => ({ name: `tag-${i}` }));
      const id = await foreign((pkg) => {
        pkg.tags = tags;
        delete pkg.tag_string;
      });
      const updated = await editor.updateDataset(id, { maintainer: 'กลุ่มงานสถิติใหม่' });
      expect(updated.maintainer).toBe('กลุ่มงานสถิติใหม่');
      expect(catalog.store.packages.get(id)?.tags).toHaveLength(250);
    });
  },
);
