import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { completeThaiId } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';
import { ods, xlsx, zip } from '../helpers/zip.js';

/**
 * Attack class: privacy-guard bypass through a container. A register of citizen IDs saved as a spreadsheet
 * (XLSX, ODS), zipped or gzipped must be refused like the same CSV; a container the guard cannot read to its end
 * (encrypted, another compression method, truncated, a zip bomb, too many entries, nested too deep, a ZIP stream)
 * is refused as "could not be checked" unless `allowCitizenIds: true`.
 */

const ID = completeThaiId('110170023070');
const DASHED = `${ID.slice(0, 1)}-${ID.slice(1, 5)}-${ID.slice(5, 10)}-${ID.slice(10, 12)}-${ID.slice(12)}`;
/** Aggregate rows that compress like real data (a repeated line would pass the ratio bound). */
const ROWS = (n: number) => Array.from({ length: n }, (_, i) => `จังหวัด ${i % 77},${i},${i * 7}\n`).join('');
const CSV = `cid,name\n${ID},สมชาย\n`;
const cell = (ref: string, v: string, t = '') => `<c r="${ref}"${t ? ` t="${t}"` : ''}><v>${v}</v></c>`;

/** Every container that holds the ID. */
const HOLDING: Record<string, () => Buffer> = {
  'XLSX, ID in shared strings (deflated)': () =>
    xlsx(`<row r="1">${cell('A1', '0', 's')}${cell('B1', '1', 's')}</row>`, [DASHED, 'สมชาย']),
  'XLSX, ID in a numeric cell (stored)': () =>
    xlsx(`<row r="1">${cell('A1', '7')}${cell('B1', ID)}</row>`, [], 0),
  'ODS, ID as character references in content.xml': () =>
    ods(
      `<table:table-row><table:table-cell office:value-type="string"><text:p>${[...ID].map((d) => `&#${d.charCodeAt(0)};`).join('')}</text:p></table:table-cell></table:table-row>`,
    ),
  'ODS, ID only in an office:value attribute': () =>
    ods(
      `<table:table-row><table:table-cell office:value-type="float" office:value="${ID}"><text:p>1.1E+12</text:p></table:table-cell></table:table-row>`,
    ),
  'ZIP holding a CSV': () =>
    zip([
      { name: 'readme.txt', data: 'ทะเบียน' },
      { name: 'people.csv', data: CSV },
    ]),
  'ZIP holding an XML export, the ID in a CDATA section': () =>
    zip([
      { name: 'people.xml', data: `<?xml version="1.0"?><people><p><id><![CDATA[${ID}]]></id></p></people>` },
    ]),
  'ZIP holding an XLSX': () =>
    zip([{ name: 'people.xlsx', data: xlsx(`<row r="1">${cell('A1', ID)}</row>`) }]),
  'ZIP holding a csv.gz': () => zip([{ name: 'people.csv.gz', data: gzipSync(CSV), method: 0 }]),
  'csv.gz': () => gzipSync(CSV),
  'csv.gz of two members, the ID in the second': () =>
    Buffer.concat([gzipSync('cid,name\n'.repeat(1000)), gzipSync(CSV)]),
  'csv.gz after 2 MiB of text': () => gzipSync(`${ROWS(200_000)}${CSV}`),
};

/** Containers the guard cannot check, and why. */
const UNCHECKABLE: Record<string, () => Buffer> = {
  'zip bomb (high ratio)': () => zip([{ name: 'a.csv', data: Buffer.alloc(64 * 1024 * 1024, 0x30) }]),
  'zip bomb (size understated)': () =>
    zip([{ name: 'a.csv', data: Buffer.alloc(8 * 1024 * 1024, 0x30), declaredSize: 100 }]),
  'too many entries': () =>
    zip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}.txt`, data: '', method: 0 }))),
  'encrypted entry': () => zip([{ name: 'people.csv', data: CSV, flags: 1, method: 0 }]),
  'unsupported method (bzip2)': () => zip([{ name: 'people.csv', data: CSV, method: 12 }]),
  'truncated XLSX': () => {
    const whole = xlsx(`<row r="1">${cell('A1', ID)}</row>`);
    return whole.subarray(0, whole.length >> 1);
  },
  'truncated gzip': () => {
    const whole = gzipSync(`${'x,'.repeat(50_000)}${CSV}`);
    return whole.subarray(0, whole.length - 20);
  },
  'gzip bomb': () => gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x30)),
  'ZIP nested two deep': () =>
    zip([
      { name: 'outer.zip', data: zip([{ name: 'inner.zip', data: zip([{ name: 'p.csv', data: CSV }]) }]) },
    ]),
};

describe.each(FLAVORS)('privacy guard on containers, CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  const dir = mkdtempSync(join(tmpdir(), 'thgov-catalog-containers-'));
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
  });

  /** Uploads expecting ERR_CATALOG_PRIVACY, and that the catalog received no upload request. */
  async function refused(
    input: Parameters<CatalogClient['uploadResource']>[1],
    message: RegExp,
    options: Parameters<CatalogClient['uploadResource']>[2] = {},
  ) {
    const before = catalog.store.uploads.size;
    const requests = catalog.faults.counters.requests;
    const err = await editor.uploadResource(datasetId, { name: 'ทะเบียน', ...input }, options).catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY', message: expect.stringMatching(message) });
    expect(JSON.stringify({ message: err.message, hint: err.hint })).not.toContain(ID);
    expect(catalog.store.uploads.size).toBe(before);
    if (!input.stream) expect(catalog.faults.counters.requests - requests).toBeLessThanOrEqual(2);
  }

  async function accepted(input: Parameters<CatalogClient['uploadResource']>[1], allowCitizenIds = false) {
    const res = await editor.uploadResource(datasetId, { name: 'สถิติ', ...input }, { allowCitizenIds });
    return catalog.store.uploads.get(res.id)?.size;
  }

  const HOLDS = /holds 1 valid 13-digit citizen ID/;
  const UNCHECKED = /could not be checked for citizen IDs.*allowCitizenIds: true/;

  it.each(Object.entries(HOLDING))(
    'refuses %s (content and file), and sends it with allowCitizenIds',
    async (name, make) => {
      const bytes = make();
      await refused({ content: bytes, format: 'XLSX' }, HOLDS);
      const file = join(dir, `${name.replace(/\W+/g, '-')}-${flavor}.bin`);
      writeFileSync(file, bytes);
      await refused({ file }, HOLDS);
      expect(await accepted({ file }, true)).toBe(bytes.length);
    },
  );

  it('refuses a csv.gz stream before its end, and sends it with allowCitizenIds', async () => {
    // Letters that do not compress well: the gzip is longer than the 1 MiB sample, read as it is sent.
    const noise = randomBytes(1536 * 1024)
      .toString('hex')
      .replace(/\d/g, (d) => 'ghijklmnop'.charAt(Number(d)));
    const bytes = gzipSync(`cid,name\n${noise}\n${CSV}`);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    };
    await refused({ stream: chunks(), format: 'CSV' }, /stream holds 1 valid/);
    await refused({ stream: chunks(), size: bytes.length, format: 'CSV' }, /stream holds 1 valid/, {
      sampleBytes: 1024,
    });
    const small = gzipSync(CSV);
    await refused(
      {
        stream: (async function* () {
          yield small;
        })(),
        format: 'CSV',
      },
      /stream holds 1 valid/,
    );
    expect(await accepted({ stream: chunks(), format: 'CSV' }, true)).toBe(bytes.length);
  });

  it('sends a clean csv.gz stream, content and file', async () => {
    const bytes = gzipSync(`${ROWS(300_000)}`);
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 16 * 1024) yield bytes.subarray(i, i + 16 * 1024);
    };
    expect(await accepted({ stream: chunks(), format: 'CSV' })).toBe(bytes.length);
    expect(await accepted({ content: bytes, format: 'CSV' })).toBe(bytes.length);
  });

  it('sends an XLSX without IDs whose adjacent cells would join into one if markup were dropped', async () => {
    // 110170 | 0230708 side by side, and the same split over two shared strings: no ID in any one cell.
    const rows = `<row r="1">${cell('A1', ID.slice(0, 6))}${cell('B1', ID.slice(6))}</row><row r="2">${cell('A2', '0', 's')}${cell('B2', '1', 's')}</row>`;
    const bytes = xlsx(rows, [ID.slice(0, 5), ID.slice(5)]);
    expect(await accepted({ content: bytes, format: 'XLSX' })).toBe(bytes.length);
    const odsBytes = ods(
      `<table:table-row><table:table-cell><text:p>${ID.slice(0, 4)}</text:p></table:table-cell><table:table-cell><text:p>${ID.slice(4)}</text:p></table:table-cell></table:table-row>`,
    );
    expect(await accepted({ content: odsBytes, format: 'ODS' })).toBe(odsBytes.length);
    const nested = zip([
      { name: 'a.xlsx', data: bytes },
      { name: 'notes.txt', data: 'สถิติ 2566: 12,034 คน' },
    ]);
    expect(await accepted({ content: nested, format: 'ZIP' })).toBe(nested.length);
  });

  it.each(Object.entries(UNCHECKABLE))(
    'refuses %s as not checkable, and sends it with allowCitizenIds',
    async (_name, make) => {
      const bytes = make();
      await refused({ content: bytes, format: 'ZIP' }, UNCHECKED);
      expect(await accepted({ content: bytes, format: 'ZIP' }, true)).toBe(bytes.length);
    },
  );

  it('refuses a ZIP stream as not checkable, and sends it with allowCitizenIds', async () => {
    const bytes = xlsx(`<row r="1">${cell('A1', '42')}</row>`);
    const chunks = async function* () {
      yield bytes;
    };
    await refused({ stream: chunks(), format: 'XLSX' }, UNCHECKED);
    expect(await accepted({ stream: chunks(), format: 'XLSX' }, true)).toBe(bytes.length);
  });

  it('still sends OLE2 (XLS), PDF and images unread', async () => {
    const heads = [
      [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
      [0x25, 0x50, 0x44, 0x46, 0x2d],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ];
    for (const head of heads) {
      const bytes = Buffer.concat([Buffer.from(head), Buffer.from(`x${ID}x`)]);
      expect(await accepted({ content: bytes, format: 'XLS' })).toBe(bytes.length);
    }
  });
});
