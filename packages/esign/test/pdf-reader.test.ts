import { deflateSync } from 'node:zlib';
import { expectCode as expectThrownCode } from '@thgov/testkit';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
// The object-stream inputs only qpdf makes are committed once, with transcript's regenerating script.
import { QPDF_FIXTURES, readFixture } from '../../transcript/test/fixtures/qpdf-fixtures.js';
import { EsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { decodeStream } from '../src/pdf/filters.js';
import { Budget, DEFAULT_PDF_LIMITS } from '../src/pdf/limits.js';
import { PdfDict, PdfName, type PdfObject, PdfStream, PdfString } from '../src/pdf/objects.js';
import { PdfParser } from '../src/pdf/parser.js';

async function simplePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.addPage([200, 200]);
  doc.setTitle('reader test');
  return doc.save({ useObjectStreams: false });
}

function expectCode(fn: () => unknown, code: string): void {
  expect(expectThrownCode(fn, code)).toBeInstanceOf(EsignError);
}

describe('PDF structure reader', () => {
  it('reads a classic xref table, catalog and pages', async () => {
    const doc = new PdfDocument(await simplePdf());
    expect(doc.revisions).toHaveLength(1);
    expect(doc.anomalies).toEqual([]);
    const cat = doc.catalog(doc.last)!;
    const pages = doc.resolve(cat.get('Pages'), doc.last) as PdfDict;
    expect((pages.get('Type') as PdfName).name).toBe('Pages');
    expect(pages.get('Count')).toBe(1);
  });

  it('reads xref streams and object streams (qpdf --object-streams=generate)', () => {
    const rewritten = readFixture(QPDF_FIXTURES.titledPage);
    const text = Buffer.from(rewritten).toString('latin1');
    expect(text).toContain('/ObjStm');
    const doc = new PdfDocument(rewritten);
    const entries = [...doc.last.xref.values()];
    expect(entries.some((e) => e.kind === 'compressed')).toBe(true);
    const cat = doc.catalog(doc.last)!;
    expect((cat.get('Type') as PdfName).name).toBe('Catalog');
    const info = doc.resolve(doc.last.trailer.get('Info'), doc.last) as PdfDict;
    expect(info.get('Title')).toBeDefined();
  });

  it('decodes PNG-predicted xref streams', () => {
    const rewritten = readFixture(QPDF_FIXTURES.titledPage);
    expect(Buffer.from(rewritten).toString('latin1')).toMatch(/\/Predictor 12/);
    const doc = new PdfDocument(rewritten);
    expect(doc.catalog(doc.last)).toBeDefined();
    // Every in-use entry points at its own object header.
    expect(doc.anomalies.filter((a) => a.code === 'XREF_OFFSET_MISS')).toEqual([]);
  });

  it('undoes every PNG predictor row type', () => {
    const columns = 4;
    const rows = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
      [17, 18, 19, 20],
    ];
    const enc: number[] = [];
    let prev = [0, 0, 0, 0];
    rows.forEach((row, r) => {
      const type = r % 5;
      enc.push(type);
      for (let i = 0; i < columns; i++) {
        const left = i > 0 ? row[i - 1]! : 0;
        const up = prev[i]!;
        const ul = i > 0 ? prev[i - 1]! : 0;
        const p = left + up - ul;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - ul);
        const pred = [0, left, up, (left + up) >> 1, pa <= pb && pa <= pc ? left : pb <= pc ? up : ul][type]!;
        enc.push((row[i]! - pred) & 0xff);
      }
      prev = row;
    });
    const data = deflateSync(Buffer.from(enc));
    const st = new PdfStream(
      new PdfDict(
        new Map<string, PdfObject>([
          ['Filter', new PdfName('FlateDecode')],
          [
            'DecodeParms',
            new PdfDict(
              new Map<string, PdfObject>([
                ['Predictor', 12],
                ['Columns', columns],
              ]),
              0,
              0,
            ),
          ],
        ]),
        0,
        0,
      ),
      new Uint8Array(data),
      0,
    );
    expect([...decodeStream(st, new Budget(DEFAULT_PDF_LIMITS))]).toEqual(rows.flat());
  });

  it('follows /Prev chains across incremental updates and keeps each revision view', async () => {
    const base = await simplePdf();
    const d0 = new PdfDocument(base);
    const size = d0.last.trailer.get('Size') as number;
    const root = d0.last.trailer.get('Root')!;
    const add = `${size} 0 obj\n<< /Hello (world) >>\nendobj\n`;
    const xrefAt = base.length + add.length;
    const upd = `${add}xref\n0 1\n0000000000 65535 f \n${size} 1\n${String(base.length).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${(root as { num: number }).num} 0 R /Prev ${d0.last.startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const doc = new PdfDocument(new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from(upd)])));
    expect(doc.revisions).toHaveLength(2);
    expect(doc.getObject(size, doc.revisions[0]!)).toBeUndefined();
    expect(doc.getObject(size, doc.revisions[1]!)).toBeInstanceOf(PdfDict);
    expect([...doc.revisions[1]!.own.keys()]).toContain(size);
    expect(doc.anomalies).toEqual([]);
  });

  it('flags garbage before the header, bogus startxref and trailing bytes', async () => {
    const base = Buffer.from(await simplePdf());
    const g = new PdfDocument(new Uint8Array(Buffer.concat([Buffer.from('junk\n'), base])));
    expect(g.anomalies.map((a) => a.code)).toContain('GARBAGE_BEFORE_HEADER');
    expect(g.catalog(g.last)).toBeDefined();
    const b = new PdfDocument(
      new Uint8Array(Buffer.concat([base, Buffer.from('startxref\n123456\n%%EOF\n')])),
    );
    expect(b.anomalies.map((a) => a.code)).toContain('BOGUS_STARTXREF');
    const t = new PdfDocument(new Uint8Array(Buffer.concat([base, Buffer.from('1 0 obj << >> endobj')])));
    expect(t.anomalies.find((a) => a.code === 'TRAILING_BYTES')?.severity).toBe('error');
  });

  it('rejects hostile input with typed errors', async () => {
    expectCode(() => new PdfDocument(new Uint8Array(0)), 'ERR_PDF_FORMAT');
    expectCode(() => new PdfDocument(Buffer.from('hello world, not a pdf')), 'ERR_PDF_FORMAT');
    expectCode(() => new PdfDocument(Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n')), 'ERR_PDF_FORMAT');
    const base = await simplePdf();
    expectCode(() => new PdfDocument(base, { maxBytes: 100 }), 'ERR_PDF_LIMIT');
    expectCode(() => new PdfDocument(base, { maxObjects: 2 }), 'ERR_PDF_LIMIT');
  });

  it('limits nesting depth and never hangs on deep arrays', () => {
    const deep = `%PDF-1.7\n1 0 obj\n${'['.repeat(5000)}${']'.repeat(5000)}\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\nXREF\n%%EOF\n`;
    const at = deep.indexOf('xref\n0 2');
    const pdf = Buffer.from(deep.replace('XREF', String(at)));
    expectCode(() => new PdfDocument(new Uint8Array(pdf), { maxDepth: 64 }), 'ERR_PDF_LIMIT');
    // Within a generous limit the same file is read.
    expect(new PdfDocument(new Uint8Array(pdf), { maxDepth: 6000 }).revisions).toHaveLength(1);
  });

  it('rejects an encrypted document', async () => {
    const base = await simplePdf();
    const d0 = new PdfDocument(base);
    const root = d0.last.trailer.get('Root') as { num: number };
    const upd = `xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size ${d0.last.trailer.get('Size')} /Root ${root.num} 0 R /Prev ${d0.last.startxref} /Encrypt << /Filter /Standard >> >>\nstartxref\n${base.length}\n%%EOF\n`;
    expectCode(
      () => new PdfDocument(new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from(upd)]))),
      'ERR_PDF_ENCRYPTED',
    );
  });

  it('caps decompressed stream size (zip bomb)', () => {
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024));
    const head = `%PDF-1.7\n1 0 obj\n<< /Type /XRef /W [1 1 1] /Size 2 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`;
    const pdf = Buffer.concat([
      Buffer.from(head),
      bomb,
      Buffer.from('\nendstream\nendobj\nstartxref\n9\n%%EOF\n'),
    ]);
    const fn = () => new PdfDocument(new Uint8Array(pdf), { maxStreamBytes: 1024 * 1024 });
    expectCode(fn, 'ERR_PDF_LIMIT');
  });
});

describe('hex strings', () => {
  /** What PDF says a hex string holds: digits in pairs, whitespace ignored, a last odd digit followed by 0. */
  function expected(body: string): Uint8Array | 'error' {
    const digits = body.replace(/[\0\t\n\f\r ]/g, '');
    if (/[^0-9a-fA-F]/.test(digits)) return 'error';
    return Uint8Array.from(Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex'));
  }

  it('reads long and short ones as the byte loop does: whitespace, odd digits, case, bad characters', () => {
    let seed = 7;
    const next = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = '0123456789abcdefABCDEF';
    let errors = 0;
    for (let round = 0; round < 400; round++) {
      const length = [0, 1, 63, 64, 65, 66, 1000, 4097][next(8)] as number;
      let body = Array.from({ length }, () => alphabet[next(alphabet.length)]).join('');
      if (length > 0 && next(3) === 0) {
        const at = next(length);
        const what = [' ', '\n', '\r\n', 'g', 'Z', '\u00e9', '-', '0x'][next(8)] as string;
        body = body.slice(0, at) + what + body.slice(at + 1);
      }
      const want = expected(body);
      const parser = new PdfParser(Buffer.from(`<${body}> 1`, 'latin1'), new Budget(DEFAULT_PDF_LIMITS));
      if (want === 'error') {
        errors++;
        expect(() => parser.parseObject(), body).toThrow(EsignError);
        continue;
      }
      const got = parser.parseObject() as PdfString;
      expect(got).toBeInstanceOf(PdfString);
      expect(Buffer.from(got.bytes).equals(Buffer.from(want)), body).toBe(true);
      expect([got.start, got.end, got.hex]).toEqual([0, Buffer.byteLength(body, 'latin1') + 2, true]);
      expect(parser.readToken()).toBe('1');
    }
    expect(errors).toBeGreaterThan(20);
  });
});
