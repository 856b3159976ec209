import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeThaiId, redactText } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogClient, countCitizenIds, DATA_CATEGORY } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: privacy-guard bypass. The guard must see what redaction sees: a citizen ID written in Thai or
 * full-width digits, with dots, slashes or zero-width characters, in UTF-16, in a file declared as a spreadsheet,
 * after the first MiB, split across two stream chunks, in a later DataStore batch; and a personal dataset must not
 * be reopened by a patch that reclassifies it in the same write.
 */

const ID = completeThaiId('110170023070');
const digitsIn = (zero: number) => ID.replace(/\d/g, (d) => String.fromCharCode(zero + Number(d)));
const grouped = (sep: string, id = ID) =>
  [id.slice(0, 1), id.slice(1, 5), id.slice(5, 10), id.slice(10, 12), id.slice(12)].join(sep);

/** The same ID as a person, a spreadsheet or a JSON encoder might write it. */
const SPELLINGS = {
  thaiDigits: digitsIn(0x0e50),
  thaiDashed: grouped('-', digitsIn(0x0e50)),
  fullWidth: digitsIn(0xff10),
  arabicIndic: digitsIn(0x0660),
  dots: grouped('.'),
  slashes: grouped('/'),
  underscores: grouped('_'),
  enDashes: grouped('\u2013'),
  nbsp: grouped('\u00a0'),
  doubleSpaces: grouped('  '),
  otherGrouping: `${ID.slice(0, 3)} ${ID.slice(3, 6)} ${ID.slice(6, 9)} ${ID.slice(9, 12)} ${ID.slice(12)}`,
  pairs: ID.replace(/(\d\d)(?=\d)/g, '$1 '),
  zeroWidth: ID.split('').join('\u200b'),
  jsonEscapes: ID.replace(/\d/g, (d) => `\\u003${d}`),
};

describe('citizen IDs in other spellings', () => {
  it.each(Object.entries(SPELLINGS))('counts an ID written as %s, as redaction masks it', (_name, text) => {
    expect(redactText(text)).not.toBe(text);
    expect(countCitizenIds(text)).toBe(1);
    expect(countCitizenIds(`เลขประจำตัว,${text},ชื่อ\nอื่น,${text},x`)).toBe(2);
  });

  it('counts nothing where redaction masks nothing', () => {
    const wrongDigit = `${ID.slice(0, 12)}${(Number(ID[12]) + 1) % 10}`;
    for (const text of [wrongDigit, grouped('.', wrongDigit), `1${ID}`, `${ID}9`, 'สถิติ 2566: 12,034 คน']) {
      expect(redactText(text)).toBe(text);
      expect(countCitizenIds(text)).toBe(0);
    }
  });
});

describe.each(FLAVORS)('privacy guard bypasses on CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  const dir = mkdtempSync(join(tmpdir(), 'thgov-catalog-privacy-'));
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
  });

  /** Uploads expecting ERR_CATALOG_PRIVACY, and that the catalog stored nothing. */
  async function refused(input: Parameters<CatalogClient['uploadResource']>[1]) {
    const before = catalog.store.uploads.size;
    const err = await editor.uploadResource(datasetId, { name: 'ทะเบียน', ...input }).catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect(JSON.stringify({ message: err.message, hint: err.hint })).not.toContain(ID);
    expect(catalog.store.uploads.size).toBe(before);
    return err;
  }

  it('scans an upload whatever format it is declared as, in UTF-8 or UTF-16', async () => {
    for (const format of ['XLSX', 'XLS', 'NDJSON', 'JSONL', 'PDF', 'ZIP', 'BIN']) {
      await refused({ content: `cid,name\n${ID},สมชาย\n`, format });
    }
    await refused({ content: `cid\n${SPELLINGS.thaiDigits},สมชาย\n`, format: 'CSV' });
    await refused({ content: `{"cid":"${SPELLINGS.jsonEscapes}"}`, format: 'JSON' });
    const utf16 = `\ufeffcid,name\n${ID},สมชาย\n`;
    await refused({ content: Buffer.from(utf16, 'utf16le'), format: 'CSV' });
    await refused({ content: Buffer.from(utf16, 'utf16le').swap16(), format: 'CSV' });
    await refused({ content: Buffer.from(utf16.slice(1), 'utf16le'), format: 'CSV' });
  });

  it('does not read an OLE2 (XLS) container as text, and refuses a ZIP it cannot read', async () => {
    // An XLS whose bytes spell an ID: OLE2 is not read, so the guard does not try.
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.from(`x${ID}x`),
    ]);
    const res = await editor.uploadResource(datasetId, { content: xls, name: 'สมุดงาน', format: 'XLS' });
    expect(catalog.store.uploads.get(res.id)?.size).toBe(xls.length);
    // A ZIP (XLSX) is read entry by entry (privacy-guard-containers.test.ts); one with no directory is not checked.
    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000', 'latin1'), Buffer.from(`x${ID}x`)]);
    const err = await refused({ content: xlsx, format: 'XLSX' });
    expect(err.message).toMatch(/could not be checked/);
  });

  it('scans all of a file or content, not only the first MiB (content before sending it)', async () => {
    const padding = 'จังหวัด,1,2\n'.repeat(200_000);
    const requests = catalog.faults.counters.requests;
    await refused({ content: `${padding}${grouped('.')},สมชาย\n`, format: 'CSV' });
    // Nothing but the metadata lookups reached the catalog.
    expect(catalog.faults.counters.requests - requests).toBeLessThanOrEqual(2);
    // A file is scanned as it is sent (it may change after any earlier read) and stopped before its end.
    const file = join(dir, `register-${flavor}.csv`);
    writeFileSync(file, `${padding}${SPELLINGS.fullWidth},สมชาย\n`);
    await refused({ file });
  });

  it('scans a stream as it is sent, with an ID split across chunks, and stops it before the end', async () => {
    const utf8 = Buffer.from(`cid\n${SPELLINGS.thaiDigits}\n`);
    // Cut inside the ID and inside a three-byte Thai digit.
    const cut = utf8.indexOf(Buffer.from(SPELLINGS.thaiDigits)) + 3 * 6 + 1;
    async function* chunks() {
      yield Buffer.from('x,'.repeat(700_000));
      yield utf8.subarray(0, cut);
      yield utf8.subarray(cut);
      yield Buffer.from('y,'.repeat(1000));
    }
    const err = await refused({ stream: chunks(), format: 'CSV' });
    expect(err.message).toMatch(/stream/);
    async function* plain() {
      yield Buffer.from('x,'.repeat(700_000));
      yield Buffer.from(`\n${ID.slice(0, 7)}`);
      yield Buffer.from(`${ID.slice(7)}\n`);
    }
    await refused({ stream: plain(), size: 1_400_000 + 15, format: 'CSV' });
    async function* clean() {
      yield Buffer.from('x,'.repeat(700_000));
      yield Buffer.from(`\n${ID.slice(0, 7)}`);
      yield Buffer.from(`${ID.slice(7)}9\n`);
    }
    const ok = await editor.uploadResource(datasetId, {
      stream: clean(),
      name: 'ไม่ใช่เลขประจำตัว',
      format: 'CSV',
    });
    expect(catalog.store.uploads.get(ok.id)?.size).toBe(1_400_000 + 16);
  });

  it('scans every DataStore batch, not only the first', async () => {
    const table = await editor.datastore.create(
      { packageId: datasetId, name: 'ตารางทะเบียน', format: 'CSV' },
      {
        fields: [
          { id: 'n', type: 'int' },
          { id: 'cid', type: 'text' },
        ],
      },
    );
    const records = Array.from({ length: 150 }, (_, n) => ({
      n,
      cid: n < 100 ? 'ไม่มี' : SPELLINGS.thaiDashed,
    }));
    const err = await editor.datastore
      .upsert(table.resourceId, records, { method: 'insert', batchRows: 50 })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect((await editor.datastore.info(table.resourceId)).meta).toMatchObject({ count: 100 });
    const allowed = await editor.datastore.upsert(table.resourceId, records.slice(100), {
      method: 'insert',
      allowCitizenIds: true,
    });
    expect(allowed.rows).toBe(50);
  });

  it('a personal dataset is not reclassified and opened in one patch, nor reclassified alone', async () => {
    const personal = await editor.createDataset(
      validDataset({ data_category: DATA_CATEGORY.personal, private: undefined, allow_harvest: undefined }),
    );
    const opening = { data_category: DATA_CATEGORY.public, private: false, allow_harvest: 'True' };
    for (const patch of [opening, { data_category: DATA_CATEGORY.public }]) {
      await expect(editor.updateDataset(personal.id, patch)).rejects.toMatchObject({
        code: 'ERR_CATALOG_PRIVACY',
        message: expect.stringMatching(/open/),
      });
    }
    expect(await editor.getDataset(personal.id)).toMatchObject({
      data_category: DATA_CATEGORY.personal,
      private: true,
      allow_harvest: 'False',
    });
    const intended = await editor.updateDataset(personal.id, opening, { allowRestrictedData: true });
    expect(intended).toMatchObject({ data_category: DATA_CATEGORY.public, private: false });
    // Open data may still be patched freely.
    expect((await editor.updateDataset(personal.id, { notes: 'ทบทวนแล้ว' })).notes).toBe('ทบทวนแล้ว');
  });

  if (flavor === '2.10') {
    it('a secret classification is not lowered to เปิดเผย without the opt-in', async () => {
      const secret = await editor.createDataset(
        validDataset({ data_classification: 'ลับ', private: undefined, allow_harvest: undefined }),
      );
      await expect(
        editor.updateDataset(secret.id, { data_classification: 'เปิดเผย', private: false }),
      ).rejects.toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
      expect((await editor.getDataset(secret.id)).data_classification).toBe('ลับ');
    });
  }
});
