// Object-stream differentials: an update after signing that writes a signed object into an object stream twice,
// or whose cross-reference entry names an index of the object stream that holds another object. Readers resolve
// these differently (poppler takes the entry's index and reads null when the object there is another one; pdf.js
// takes the last object of that number; qpdf the entry's index), so the page they show need not be the one
// compared with the signed revision. The first reading made "no changes after signing" of a page every viewer
// showed forged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import { type PdfDict, PdfRef } from '../../src/pdf/objects.js';
import { serialize } from '../../src/pdf/writer.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { be } from '../helpers/foreign-signer.js';
import { PdfsigDb } from '../helpers/pdfsig.js';
import { edited, signedFixture } from '../helpers/tamper.js';

const { pki, pdf, verify } = await signedFixture('B-T');
const FORGED = 'Approved: 10,000,000 THB';

/** One update written with an xref stream: `plain` objects, then one object stream holding `slots` in order. */
interface ObjStmUpdate {
  plain: [number, string][];
  slots: [number, string][];
  /** Compressed entries: object number and the index the xref names. */
  compressed: [number, number][];
}

function appendObjectStreamUpdate(base: Uint8Array, u: ObjStmUpdate): Uint8Array {
  const rev = new PdfDocument(base).last;
  const size = rev.trailer.get('Size') as number;
  const root = rev.trailer.get('Root') as PdfRef;
  const [stmNum, xNum] = [size + u.plain.length, size + u.plain.length + 1];
  let text = '\n';
  const rows: [number, Buffer][] = [];
  const at = (num: number) =>
    rows.push([num, Buffer.concat([be(1, 1), be(base.length + text.length, 4), be(0, 2)])]);
  for (const [num, body] of u.plain) {
    at(num);
    text += `${num} 0 obj\n${body}\nendobj\n`;
  }
  let head = '';
  let data = '';
  for (const [num, body] of u.slots) {
    head += `${num} ${data.length} `;
    data += `${body}\n`;
  }
  at(stmNum);
  text += `${stmNum} 0 obj\n<</Type/ObjStm/N ${u.slots.length}/First ${head.length}/Length ${head.length + data.length}>>stream\n${head}${data}\nendstream\nendobj\n`;
  for (const [num, index] of u.compressed)
    rows.push([num, Buffer.concat([be(2, 1), be(stmNum, 4), be(index, 2)])]);
  const xAt = base.length + text.length;
  at(xNum);
  rows.sort((a, b) => a[0] - b[0]);
  const body = Buffer.concat(rows.map((r) => r[1]));
  text += `${xNum} 0 obj\n<</Type/XRef/Size ${xNum + 1}/W[1 4 2]/Index[${rows.flatMap((r) => [r[0], 1]).join(' ')}]/Root ${root.num} ${root.gen} R/Prev ${rev.startxref}/Length ${body.length}>>stream\n`;
  const tail = `\nendstream\nendobj\nstartxref\n${xAt}\n%%EOF\n`;
  return new Uint8Array(
    Buffer.concat([Buffer.from(base), Buffer.from(text, 'latin1'), body, Buffer.from(tail, 'latin1')]),
  );
}

/** The signed page, its forged twin (its text replaced by FORGED), and the content stream the twin shows. */
function forgery(base: Uint8Array) {
  const doc = new PdfDocument(base);
  const rev = doc.last;
  const pages = doc.resolve(doc.catalog(rev)!.get('Pages'), rev) as PdfDict;
  const ref = (doc.resolve(pages.get('Kids'), rev) as PdfRef[])[0]!;
  const page = doc.resolve(ref, rev) as PdfDict;
  const font = [...((page.get('Resources') as PdfDict).get('Font') as PdfDict).map.keys()][0];
  const content = `BT /${font} 14 Tf 72 760 Td (${FORGED}) Tj ET`;
  const evil = rev.trailer.get('Size') as number;
  return {
    num: ref.num,
    signed: serialize(page),
    forged: serialize(edited(page, { Contents: new PdfRef(evil, 0) })),
    plain: [[evil, `<</Length ${content.length}>>stream\n${content}\nendstream`]] as [number, string][],
  };
}

/** Page 1's text as pdf.js extracts it. */
async function pdfJsText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: bytes.slice(), verbosity: 0 }).promise;
  try {
    const content = await (await doc.getPage(1)).getTextContent();
    return content.items.map((i) => ('str' in i ? i.str : '')).join(' ');
  } finally {
    await doc.destroy();
  }
}

/** Page text as poppler's pdftotext extracts it. */
function popplerText(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-objstm-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), bytes);
    return spawnSync('pdftotext', [join(dir, 'in.pdf'), '-'], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectRefused(report: VerificationReport): void {
  expect(report.indication).not.toBe('TOTAL_PASSED');
  const mods = report.signatures[0]?.checks.find((c) => c.id === 'modifications');
  expect(mods?.status).toBe('FAILED');
}

const f = forgery(pdf);
/** The signed page twice in one object stream, the forged copy last and named by the entry's index. */
const twice = appendObjectStreamUpdate(pdf, {
  plain: f.plain,
  slots: [
    [f.num, f.signed],
    [f.num, f.forged],
  ],
  compressed: [[f.num, 1]],
});
/** The forged page first under another number; the entry names index 0 for the page (the signed copy is at 1). */
const elsewhere = appendObjectStreamUpdate(pdf, {
  plain: f.plain,
  slots: [
    [f.plain[0]![0] + 3, f.forged],
    [f.num, f.signed],
  ],
  compressed: [[f.num, 0]],
});

describe('object streams that readers resolve differently, written after signing', () => {
  it('a signed page written twice in one object stream: pdf.js shows the forged copy, the signature fails', async () => {
    expect(await pdfJsText(twice)).toContain(FORGED);
    const report = await verify(twice);
    expectRefused(report);
    expect(report.anomalies).toContainEqual(
      expect.objectContaining({
        code: 'DUPLICATE_OBJECT',
        severity: 'error',
        revision: report.revisions - 1,
      }),
    );
  });

  it("an entry naming an index that holds another object (poppler's null) fails the signature", async () => {
    const report = await verify(elsewhere);
    expectRefused(report);
    expect(report.anomalies).toContainEqual(
      expect.objectContaining({
        code: 'XREF_OFFSET_MISS',
        severity: 'error',
        revision: report.revisions - 1,
      }),
    );
  });

  it('guard: the same page written once, at the index its entry names, is no change', async () => {
    const once = appendObjectStreamUpdate(pdf, {
      plain: [],
      slots: [[f.num, f.signed]],
      compressed: [[f.num, 0]],
    });
    const report = await verify(once);
    expect(report.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(report.signatures[0]?.modification).toBe('NONE');
  });
});

requireTool('poppler-text', { why: "poppler's reading of the object stream, as a second opinion" }).describe(
  'object-stream differentials as poppler reads them',
  () => {
    it('poppler shows the forged copy of a page written twice', () => {
      expect(popplerText(twice)).toContain(FORGED);
    });

    it('poppler reads null for an entry whose index holds another object: the letter text is gone', () => {
      expect(popplerText(pdf)).toContain('Official letter');
      expect(popplerText(elsewhere)).not.toContain('Official letter');
    });
  },
);

requireTool('pdfsig', { why: 'poppler as a second opinion on the signed bytes' }).describe(
  'pdfsig on the object-stream updates',
  () => {
    it('the signature stays cryptographically valid and does not cover the update: only step 11 can tell', () => {
      const db = PdfsigDb.create(pki.root.cert);
      for (const bytes of [twice, elsewhere]) {
        const out = db.check(bytes);
        expect(out).toContain('Signature is Valid.');
        expect(out).toContain('Not total document signed');
      }
    });
  },
);
