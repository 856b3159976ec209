import { inspect } from 'node:util';
import { completeThaiId, formatThaiId } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogClient, type CatalogError, isCatalogError, validateDataset } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: personal data in the KEYS of field errors. CKAN keys its 409 errors by field path, and the path
 * is built from what the caller sent: package_revise answers `{"update__resources__<segment>__name": ["Unmatched
 * key <segment>"]}`, an unknown metadata key lands in the offline checker's path and label. A segment holding a
 * citizen ID or a person's name reaches `err.fieldErrors[i].field`, which applications log as it is (the
 * documented `console.error(f.field, f.th, f.en)`). Field names themselves must stay readable.
 */

const ID = completeThaiId('310120045678');
const NAME = 'นางสาวสมหญิง รักชาติ';

/** Every place an application reads field errors from, as text. */
function surfaces(fieldErrors: Array<{ field: string; th: string; en: string }>, err?: unknown): string[] {
  const out = fieldErrors.flatMap((f) => [f.field, f.th, f.en, `${f.field}: ${f.en}`]);
  if (err) out.push(String((err as Error).message), JSON.stringify(err), inspect(err, { depth: 10 }));
  return out;
}

describe('field error paths carry no personal data (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
  });

  it.each([
    ['a citizen ID', ID, '[CITIZEN-ID]'],
    ['a formatted citizen ID', formatThaiId(ID), '[CITIZEN-ID]'],
    ['a person’s name', NAME, '[NAME]'],
  ])('a package_revise key segment holding %s is masked in fieldErrors', async (_l, secret, mask) => {
    const key = `update__resources__${secret}__name`;
    const err = await editor
      .action('package_revise', { match: { id: datasetId }, [key]: 'x' })
      .catch((e: CatalogError) => e);
    if (!isCatalogError(err, 'ERR_CATALOG_VALIDATION')) throw err;
    expect(err.fieldErrors.length).toBe(1);
    for (const s of surfaces(err.fieldErrors, err)) expect(s).not.toContain(secret);
    // The field name stays readable around the mask.
    expect(err.fieldErrors[0]?.field).toBe(`update__resources__${mask}__name`);
  });

  it('an unknown metadata key holding a citizen ID or a name is masked in offline field errors', async () => {
    const metadata = validDataset({ [`${ID}_other`]: 5, [`${NAME}_other`]: ['x'] });
    const err = await editor.createDataset(metadata).catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_VALIDATION');
    expect(err.fieldErrors.length).toBe(2);
    const result = validateDataset(metadata, { version: '2.2' });
    expect(result.errors.length).toBe(2);
    for (const s of [...surfaces(err.fieldErrors, err), ...surfaces(result.errors)]) {
      expect(s).not.toContain(ID);
      expect(s).not.toContain(NAME);
    }
    expect(err.fieldErrors.map((f: { field: string }) => f.field).sort()).toEqual([
      '[CITIZEN-ID]_other',
      '[NAME]_other',
    ]);
  });

  it('ordinary field paths are left as they are', async () => {
    const err = await editor
      .action('package_revise', { match: { id: datasetId }, update__resources__99__name: 'x' })
      .catch((e: CatalogError) => e);
    expect((err as CatalogError).fieldErrors[0]?.field).toBe('update__resources__99__name');
  });
});
