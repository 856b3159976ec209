import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { completeThaiId } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';
import { xlsx, zip } from '../helpers/zip.js';

/**
 * Attack class: a file swapped between the privacy scan and the send (TOCTOU). The file is clean when the guard
 * looks at it and is replaced, same size, by one holding a citizen ID just before its bytes are sent. What leaves
 * must be what was scanned: the upload fails with ERR_CATALOG_PRIVACY and the catalog keeps nothing.
 */

const ID = completeThaiId('110170023070');
const NOT_ID = `${ID.slice(0, 12)}${(Number(ID[12]) + 1) % 10}`;
const PADDING = 'จังหวัด,1,2\n'.repeat(200_000);

/** A dispatcher that rewrites `file` as the upload request is dispatched, after the client has checked it. */
class SwapAtSend extends Agent {
  swaps: Array<{ file: string; content: string | Buffer }> = [];
  /** Upload requests dispatched (whether or not their body was sent to its end). */
  uploads = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (String(options.path).includes('/resource_create')) {
      this.uploads++;
      for (const { file, content } of this.swaps.splice(0)) writeFileSync(file, content);
    }
    return super.dispatch(options, handler);
  }
}

describe('a file swapped between the privacy scan and the send', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  const swap = new SwapAtSend();
  const dir = mkdtempSync(join(tmpdir(), 'thgov-catalog-swap-'));
  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog, 'editor', { dispatcher: swap });
    datasetId = (await editor.createDataset(validDataset())).id;
  });
  afterAll(() => swap.close());

  /** Uploads `clean`, swapped for `dirty` at send time; expects the privacy refusal and nothing kept. */
  async function refusedAfterSwap(
    name: string,
    clean: string | Buffer,
    dirty: string | Buffer,
    format: string,
  ) {
    expect(Buffer.byteLength(dirty)).toBe(Buffer.byteLength(clean));
    const file = join(dir, name);
    writeFileSync(file, clean);
    swap.swaps.push({ file, content: dirty });
    const uploads = catalog.store.uploads.size;
    const resources = (await editor.getDataset(datasetId)).resources?.length ?? 0;
    const err = await editor.uploadResource(datasetId, { file, name: 'ทะเบียน', format }).catch((e) => e);
    expect(swap.swaps).toHaveLength(0);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect(JSON.stringify({ message: err.message, hint: err.hint })).not.toContain(ID);
    expect(catalog.store.uploads.size).toBe(uploads);
    expect((await editor.getDataset(datasetId)).resources?.length ?? 0).toBe(resources);
  }

  it('a text file given an ID after its first MiB is refused and not published', async () => {
    await refusedAfterSwap('late.csv', `${PADDING}${NOT_ID},x\n`, `${PADDING}${ID},x\n`, 'CSV');
  });

  it('a text file given an ID in its first bytes is refused and not published', async () => {
    await refusedAfterSwap('early.csv', `${NOT_ID},x\n${PADDING}`, `${ID},x\n${PADDING}`, 'CSV');
  });

  it('a file the guard does not read (PDF) swapped for text holding an ID is refused', async () => {
    const body = `${ID},x\n${PADDING}`;
    const pdf = Buffer.alloc(Buffer.byteLength(body), ' ');
    pdf.write('%PDF-1.7\n');
    await refusedAfterSwap('report.pdf', pdf, body, 'PDF');
  });

  it('a gzip file holding an ID is refused before any upload request (its compressed bytes never leave)', async () => {
    // Letters that hardly compress: the gzip spans many read chunks, the ID in its last one.
    const noise = Buffer.from(randomBytes(3_000_000).map((b) => 0x61 + (b % 26))).toString('latin1');
    const file = join(dir, 'register.csv.gz');
    writeFileSync(file, gzipSync(`${noise}\n${ID},x\n`));
    const uploads = swap.uploads;
    const err = await editor
      .uploadResource(datasetId, { file, name: 'ทะเบียน', format: 'CSV' })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect(swap.uploads).toBe(uploads);
  });

  it('a gzip file swapped after its scan is still stopped before its end', async () => {
    await refusedAfterSwap(
      'swapped.csv.gz',
      gzipSync(`${PADDING}${NOT_ID},x\n`, { level: 0 }),
      gzipSync(`${PADDING}${ID},x\n`, { level: 0 }),
      'CSV',
    );
  });

  // Archives larger than the sample the decision is made on (1 MiB), whose difference lies after it: stored entries,
  // so the two differ only in the ID's check digit and that entry's CRC.
  it('a ZIP file swapped after its scan, same size and same first MiB, is stopped before its end', async () => {
    const entries = (last: string) => [
      { name: 'districts.csv', data: PADDING, method: 0 },
      { name: 'register.csv', data: `${last},x\n`, method: 0 },
    ];
    const clean = zip(entries(NOT_ID));
    const dirty = zip(entries(ID));
    expect(clean.subarray(0, 2 * 1024 * 1024).equals(dirty.subarray(0, 2 * 1024 * 1024))).toBe(true);
    await refusedAfterSwap('swapped.zip', clean, dirty, 'ZIP');
  });

  it('an XLSX swapped after its scan for one whose shared strings hold an ID is stopped before its end', async () => {
    let rows = '';
    for (let r = 1; r <= 60_000; r++) rows += `<row r="${r}"><c r="A${r}"><v>${r % 97}</v></c></row>`;
    const clean = xlsx(rows, [`เลขประจำตัว ${NOT_ID}`], 0);
    const dirty = xlsx(rows, [`เลขประจำตัว ${ID}`], 0);
    expect(clean.subarray(0, 2 * 1024 * 1024).equals(dirty.subarray(0, 2 * 1024 * 1024))).toBe(true);
    await refusedAfterSwap('swapped.xlsx', clean, dirty, 'XLSX');
  });

  it('a clean ZIP file still uploads whole (guard)', async () => {
    const file = join(dir, 'clean.zip');
    const body = zip([{ name: 'summary.csv', data: `${PADDING}${NOT_ID},x\n`, method: 0 }]);
    writeFileSync(file, body);
    const res = await editor.uploadResource(datasetId, { file, name: 'สรุป', format: 'ZIP' });
    expect(catalog.store.uploads.get(res.id)?.size).toBe(body.length);
  });

  it('a clean file still uploads whole', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(file, `${PADDING}${NOT_ID},x\n`);
    const res = await editor.uploadResource(datasetId, { file, name: 'สรุป', format: 'CSV' });
    expect(catalog.store.uploads.get(res.id)?.size).toBe(Buffer.byteLength(`${PADDING}${NOT_ID},x\n`));
  });
});
