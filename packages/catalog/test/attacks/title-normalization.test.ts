import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Unicode trick: one title, two spellings. thai_gdc's package_title_validator compares titles byte for byte
 * (`filter_by(title=…)` in PostgreSQL), so "Café" with a precomposed é and "Cafe\u0301", or Thai marks typed
 * in another order (ผ + ้ + ู instead of ผ + ู + ้), pass as different titles: the catalog then lists two datasets
 * whose titles the reader cannot tell apart, which the uniqueness rule is there to prevent. The client writes
 * titles in NFC, the canonical spelling (what most keyboards produce).
 */

let n = 0;
/** A fresh title in its canonical (NFC) spelling, and the same title spelled otherwise. */
function spellings(): { nfc: string; other: string } {
  n++;
  const nfc = `Caf\u00e9 สถิติผ\u0e39\u0e49สูงอายุ ${n}-${process.pid}`.normalize('NFC');
  // Latin decomposed, and the Thai tone mark typed before the vowel below it.
  const other = nfc.replace('\u00e9', 'e\u0301').replace('\u0e39\u0e49', '\u0e49\u0e39');
  return { nfc, other };
}

describe('dataset titles equal after NFC are one title (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog);
  });

  it('the test spellings differ as strings but not after NFC', () => {
    const { nfc, other } = spellings();
    expect(other).not.toBe(nfc);
    expect(other.normalize('NFC')).toBe(nfc);
  });

  it('a second dataset whose title differs only in its Unicode spelling is refused', async () => {
    const { nfc, other } = spellings();
    await editor.createDataset(validDataset({ title: nfc }));
    const before = catalog.store.packages.size;
    const err = await editor.createDataset(validDataset({ title: other })).catch((e) => e);
    expect(err).toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'title', rule: 'title_in_use' })],
    });
    expect(catalog.store.packages.size).toBe(before);
  });

  it('a title written in another spelling is stored in NFC, and clashes with the NFC one', async () => {
    const { nfc, other } = spellings();
    const first = await editor.createDataset(validDataset({ title: other }));
    expect(first.title).toBe(nfc);
    await expect(editor.createDataset(validDataset({ title: nfc }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
  });

  it('an update cannot rename a dataset to another spelling of a title in use', async () => {
    const { nfc, other } = spellings();
    await editor.createDataset(validDataset({ title: nfc }));
    const second = await editor.createDataset(validDataset());
    await expect(editor.updateDataset(second.id, { title: other })).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'title', rule: 'title_in_use' })],
    });
    expect((await editor.getDataset(second.id)).title).toBe(second.title);
  });
});
