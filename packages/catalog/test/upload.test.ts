import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { asciiFileName, type CatalogClient, type UploadProgress } from '../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-catalog-upload-'));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A CSV of about `bytes` bytes with aggregate figures only (no personal data). */
function csv(bytes: number): Buffer {
  const lines = ['province,month,registrations'];
  let size = lines[0]!.length + 1;
  for (let i = 0; size < bytes; i++) {
    const line = `จังหวัด${i % 77},${(i % 12) + 1},${(i * 37) % 5000}`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

describe.each(FLAVORS)('uploads to CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  beforeAll(async () => {
    catalog = await startCatalog(flavor, {
      uploadLimitBytes: 8 * 1024 * 1024,
      proxyBodyLimitBytes: 12 * 1024 * 1024,
    });
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
  });

  it('streams a file from disk with progress; the catalog stores exactly those bytes', async () => {
    const data = csv(3 * 1024 * 1024);
    const file = join(dir, `registrations-${flavor}.csv`);
    writeFileSync(file, data);
    const progress: UploadProgress[] = [];
    const res = await editor.uploadResource(
      datasetId,
      { file, name: 'การจดทะเบียนสมรส รายเดือน', description: 'ตารางสรุป' },
      { onProgress: (p) => progress.push(p) },
    );
    expect(res).toMatchObject({ format: 'CSV', name: 'การจดทะเบียนสมรส รายเดือน', url_type: 'upload' });
    expect(String(res.url)).toMatch(/\/download\/registrations-.*\.csv$/);
    expect(catalog.store.uploads.get(res.id)).toMatchObject({ size: data.length, sha256: sha256(data) });
    const sent = progress.map((p) => p.bytesSent);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ phase: 'upload', bytesSent: data.length, totalBytes: data.length });
    expect(progress.length).toBeGreaterThan(2);
  });

  it('sends an ASCII file name and an explicit format, so a Thai file name is not stripped to ".csv"', async () => {
    const res = await editor.uploadResource(datasetId, {
      content: csv(2000),
      fileName: 'ข้อมูลประชากร.csv',
      name: 'ประชากร',
    });
    expect(String(res.url)).toMatch(/\/download\/data\.csv$/);
    expect(res.format).toBe('CSV');
    // Without the client: CKAN drops the Thai characters and cannot guess a format from ".csv".
    const form = new FormData();
    form.set('package_id', datasetId);
    form.set('name', 'ส่งตรง');
    form.set('upload', new Blob([csv(2000)]), 'ข้อมูลประชากร.csv');
    const direct = await fetch(`${catalog.url}/api/3/action/resource_create`, {
      method: 'POST',
      headers: { authorization: catalog.accounts.editor.token },
      body: form,
    });
    const body = (await direct.json()) as {
      success: boolean;
      result?: { url: string; format: string };
      error?: Record<string, unknown>;
    };
    if (flavor === '2.10') {
      expect(direct.status).toBe(409);
      expect(body.error).toMatchObject({ __type: 'Validation Error', format: ['Missing value'] });
    } else {
      expect(body.result?.url).toMatch(/\/download\/\.csv$/);
      expect(body.result?.format).toBe('');
    }
  });

  it('streams from an async iterable of unknown length (chunked)', async () => {
    const chunks = Array.from({ length: 20 }, () => randomBytes(64 * 1024));
    async function* source() {
      for (const c of chunks) yield c;
    }
    const res = await editor.uploadResource(datasetId, {
      stream: source(),
      fileName: 'blob.bin',
      name: 'ไบนารี',
      format: 'BIN',
    });
    expect(catalog.store.uploads.get(res.id)?.sha256).toBe(sha256(Buffer.concat(chunks)));
  });

  it('checks the size limit before sending, and again while streaming', async () => {
    const small = clientFor(catalog, 'editor', { maxUploadBytes: 100_000 });
    const requests = catalog.faults.counters.requests;
    const file = join(dir, 'big.csv');
    writeFileSync(file, csv(200_000));
    await expect(small.uploadResource(datasetId, { file, name: 'ใหญ่' })).rejects.toMatchObject({
      code: 'ERR_CATALOG_TOO_LARGE',
    });
    // Refused before the upload itself was sent (only the dataset lookups reached the catalog).
    const afterPrecheck = catalog.faults.counters.requests;
    expect(afterPrecheck - requests).toBeLessThanOrEqual(2);
    async function* liar() {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(50_000, 48);
    }
    await expect(
      small.uploadResource(datasetId, { stream: liar(), name: 'ไม่บอกขนาด', format: 'CSV' }),
    ).rejects.toMatchObject({ code: 'ERR_CATALOG_TOO_LARGE' });
    await expect(
      editor.uploadResource(datasetId, { stream: liar(), size: 10, name: 'โกหกขนาด', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_TOO_LARGE',
      message: expect.stringMatching(/declared size/),
    });
  });

  it('maps the catalog’s own limit (409 "File upload too large") and a proxy’s HTML 413 to ERR_CATALOG_TOO_LARGE', async () => {
    const big = clientFor(catalog, 'editor', { maxUploadBytes: 64 * 1024 * 1024 });
    const overCkan = Buffer.alloc(9 * 1024 * 1024, 49);
    await expect(
      big.uploadResource(datasetId, { content: overCkan, name: 'เกิน', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_TOO_LARGE',
      statusCode: 409,
      fieldErrors: [expect.objectContaining({ field: 'upload', rule: 'too_large' })],
    });
    const overProxy = Buffer.alloc(13 * 1024 * 1024, 49);
    await expect(
      big.uploadResource(datasetId, { content: overProxy, name: 'เกิน', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_TOO_LARGE',
      statusCode: 413,
    });
  });

  it('replaces a resource’s file and keeps its other fields', async () => {
    const first = await editor.uploadResource(datasetId, {
      content: csv(5000),
      fileName: 'v1.csv',
      name: 'ฉบับแรก',
      description: 'คำอธิบายเดิม',
      metadata: { resource_accessible_condition: 'เปิดเผยทั่วไป' },
    });
    const v2 = csv(9000);
    const replaced = await editor.replaceResource(first.id, { content: v2, fileName: 'v2.csv' });
    expect(replaced).toMatchObject({
      id: first.id,
      name: 'ฉบับแรก',
      description: 'คำอธิบายเดิม',
      resource_accessible_condition: 'เปิดเผยทั่วไป',
    });
    expect(String(replaced.url)).toMatch(/v2\.csv$/);
    expect(catalog.store.uploads.get(first.id)?.sha256).toBe(sha256(v2));
  });

  it('refuses bad input with coded TypeErrors', async () => {
    await expect(editor.uploadResource(datasetId, { content: 'x', name: 'ไม่มีรูปแบบ' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      editor.uploadResource(datasetId, { content: 'x', file: 'y', name: 'สองแหล่ง', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      editor.uploadResource(datasetId, { file: join(dir, 'missing.csv'), name: 'ไม่มีไฟล์' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      editor.uploadResource(datasetId, { content: 'x', name: '', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  it('a slow link still completes, and an abort stops the upload', async () => {
    catalog.faults.setProfile({
      rules: [{ route: '/api/3/action/resource_create', slowUploadChunkDelayInMs: 2 }],
    });
    try {
      const data = csv(600_000);
      const res = await editor.uploadResource(datasetId, { content: data, name: 'ช้า', format: 'CSV' });
      expect(catalog.store.uploads.get(res.id)?.size).toBe(data.length);
      const abort = new AbortController();
      const stopped = editor.uploadResource(
        datasetId,
        { content: csv(4 * 1024 * 1024), name: 'ยกเลิก', format: 'CSV' },
        { abortSignal: abort.signal, onProgress: () => abort.abort() },
      );
      await expect(stopped).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    } finally {
      catalog.faults.setProfile({ rules: [] });
    }
  });
});

describe('asciiFileName', () => {
  it('keeps ASCII names, replaces non-ASCII runs, and follows the format when there is no extension', () => {
    expect(asciiFileName('population-2566.csv', 'CSV')).toBe('population-2566.csv');
    expect(asciiFileName('ข้อมูล.csv', 'CSV')).toBe('data.csv');
    expect(asciiFileName('รายงาน 2566 final.XLSX', 'XLSX')).toBe('2566-final.xlsx');
    expect(asciiFileName(undefined, 'JSON')).toBe('data.json');
    expect(asciiFileName('../../etc/passwd', 'CSV')).toBe('etc-passwd.csv');
  });
});
