// PDF 32000-1 §7.5.8.3: a cross-reference stream row whose type is not 0, 1 or 2 names the null object. An update
// written after signing that lists a signed object (here the page's content stream) with type 3 deletes it for a
// reader that follows the standard, while a reader that skips the row keeps resolving the object through /Prev.
// poppler, pdf.js and qpdf instead take such a file as damaged and rebuild the table from every `N G obj` header in
// it: an update that also carries a forged definition of the content stream, its own xref pointing the object back
// at the signed definition, shows the forgery in those viewers while the xref says nothing changed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import type { PdfDict, PdfRef } from '../../src/pdf/objects.js';
import { be } from '../helpers/foreign-signer.js';
import { signedFixture } from '../helpers/tamper.js';

const FORGED = 'Approved: 10,000,000 THB';
const { pdf, verify } = await signedFixture('B-B');

type Row = [num: number, type: number, offset: number];

/** Appends `body` (object definitions) and an xref stream with `rows` (plus its own row) after `signed`. */
function xrefStreamUpdate(signed: Uint8Array, rows: Row[], body = ''): Uint8Array {
  const rev = new PdfDocument(signed).last;
  const size = rev.trailer.get('Size') as number;
  const start = `\n${body}`;
  const at = signed.length + start.length;
  const all: Row[] = [...rows, [size, 1, at] as Row].sort((a, b) => a[0] - b[0]);
  const data = Buffer.concat(all.map(([, t, o]) => Buffer.concat([be(t, 1), be(o, 4), be(0, 2)])));
  const root = rev.trailer.get('Root') as PdfRef;
  const head =
    `${size} 0 obj\n<</Type/XRef/Size ${size + 1}/W[1 4 2]/Index[${all.flatMap(([n]) => [n, 1]).join(' ')}]` +
    `/Root ${root.num} ${root.gen} R/Prev ${rev.startxref}/Length ${data.length}>>stream\n`;
  const tail = `\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`;
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(signed),
      Buffer.from(start + head, 'latin1'),
      data,
      Buffer.from(tail, 'latin1'),
    ]),
  );
}

/** The first page's first content stream (number and offset) and the name of its font. */
function pageParts(bytes: Uint8Array): { contents: number; offset: number; font: string; size: number } {
  const doc = new PdfDocument(bytes);
  const rev = doc.last;
  const pages = doc.resolve(doc.catalog(rev)!.get('Pages'), rev) as PdfDict;
  const page = doc.resolve((doc.resolve(pages.get('Kids'), rev) as PdfRef[])[0], rev) as PdfDict;
  const c = doc.resolve(page.get('Contents'), rev);
  const contents = ((Array.isArray(c) ? c[0] : page.get('Contents')) as PdfRef).num;
  const fonts = (doc.resolve(page.get('Resources'), rev) as PdfDict).get('Font') as PdfDict;
  const size = rev.trailer.get('Size') as number;
  return { contents, offset: doc.offsetOf(contents, rev)!, font: [...fonts.map.keys()][0]!, size };
}

/** A forged definition of the page's content stream, and the update that lists the object as `listed` says. */
function shadowed(listed: 'at the signed offset' | 'as free', unknownRow: boolean): Uint8Array {
  const p = pageParts(pdf);
  const text = `BT /${p.font} 14 Tf 72 760 Td (${FORGED}) Tj ET`;
  const body = `${p.contents} 0 obj\n<</Length ${text.length}>>stream\n${text}\nendstream\nendobj\n`;
  const rows: Row[] = [[p.contents, listed === 'as free' ? 0 : 1, listed === 'as free' ? 0 : p.offset]];
  // A number past the xref stream's own (size): a row no object uses, of type 3.
  if (unknownRow) rows.push([p.size + 1, 3, 0]);
  return xrefStreamUpdate(pdf, rows, body);
}

const modifications = (r: Awaited<ReturnType<typeof verify>>) =>
  r.signatures[0]?.checks.find((c) => c.id === 'modifications')?.status;

function pdftotext(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-xref-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), bytes);
    return spawnSync('pdftotext', [join(dir, 'in.pdf'), '-'], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a cross-reference stream row of type 3 or more', () => {
  const { contents } = pageParts(pdf);

  it.each([3, 7, 255])('names the null object (type %i), reported as an anomaly of its revision', (type) => {
    const doc = new PdfDocument(xrefStreamUpdate(pdf, [[contents, type, 0]]));
    expect(doc.revisions).toHaveLength(3);
    expect(doc.getObject(contents, doc.last)).toBeUndefined();
    expect(doc.getObject(contents, doc.revisions[1]!)).toBeDefined();
    expect(doc.anomalies).toContainEqual(expect.objectContaining({ code: 'XREF_ENTRY_TYPE', revision: 2 }));
  });

  it("after signing, listing the page's content with type 3 deletes it and fails the signature", async () => {
    const report = await verify(xrefStreamUpdate(pdf, [[contents, 3, 0]]));
    expect(modifications(report)).toBe('FAILED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('guard: the same update with a type 1 row pointing at the signed object is no change', async () => {
    const { offset } = pageParts(pdf);
    const report = await verify(xrefStreamUpdate(pdf, [[contents, 1, offset]]));
    expect(report.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(modifications(report)).toBe('PASSED');
  });
});

const poppler = requireTool('pdfsig', {
  why: "poppler's pdftotext shows what a viewer that rebuilds the table renders",
});

describe('an object definition appended after signing that its own xref does not point at', () => {
  poppler.it('poppler shows the forged definition once a type 3 row makes it rebuild the table', () => {
    expect(pdftotext(pdf)).toContain('Official letter');
    expect(pdftotext(shadowed('at the signed offset', true))).toContain(FORGED);
  });

  it('with a type 3 row elsewhere, the document fails', async () => {
    const report = await verify(shadowed('at the signed offset', true));
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.anomalies.map((a) => a.code)).toEqual(
      expect.arrayContaining(['XREF_ENTRY_TYPE', 'UNLISTED_OBJECT']),
    );
  });

  it.each(['at the signed offset', 'as free'] as const)(
    'listed %s, the definition is unlisted and fails the signature',
    async (listed) => {
      const report = await verify(shadowed(listed, false));
      expect(report.anomalies).toContainEqual(
        expect.objectContaining({ code: 'UNLISTED_OBJECT', revision: 2 }),
      );
      expect(modifications(report)).toBe('FAILED');
      expect(report.indication).not.toBe('TOTAL_PASSED');
    },
  );
});
