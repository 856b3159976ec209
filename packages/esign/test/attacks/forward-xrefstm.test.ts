// A hybrid-reference trailer whose /XRefStm points past the end of its revision (past the end of the file when it
// was signed). After signing, an update puts a cross-reference stream exactly there: every revision that reads that
// trailer, the signed one included, now resolves objects through bytes the signature never covered, so the signed
// revision and the final one agree on a forged page (pdf.js shows it). A guard: the entries such a stream gives the
// signed revision point past its end (XREF_OUTSIDE_REVISION), which fails the document.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import { type PdfDict, type PdfObject, PdfRef } from '../../src/pdf/objects.js';
import { appendIncrementalUpdate, serialize } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { be } from '../helpers/foreign-signer.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';
import { edited } from '../helpers/tamper.js';

const FAR = 400_000;
const FORGED = 'Approved: 10,000,000 THB';
const pki = await createSigningPki();

/** The letter with one more revision whose trailer names an /XRefStm at FAR (nothing there yet). */
async function prepared(): Promise<Uint8Array> {
  const base = await letterPdf();
  const doc = new PdfDocument(base);
  const rev = doc.last;
  const root = rev.trailer.get('Root') as PdfRef;
  const objects = new Map([[root.num, { value: doc.catalog(rev)! as PdfObject }]]);
  const trailer = { Root: root, XRefStm: FAR };
  return appendIncrementalUpdate(base, { objects, trailer }, rev.startxref, rev.trailer.get('Size') as number)
    .bytes;
}

/**
 * After signing: an object stream with a forged page tree (the /Pages node, which signing did not re-write, now
 * naming a new page that shows FORGED), an xref stream at FAR listing them (and the content, the object stream and
 * itself), and a classic update whose table lists only the uncompressed objects.
 */
function inject(signed: Uint8Array): Uint8Array {
  const doc = new PdfDocument(signed);
  const rev = doc.last;
  const pagesRef = doc.catalog(rev)!.get('Pages') as PdfRef;
  const pages = doc.resolve(pagesRef, rev) as PdfDict;
  const page = doc.resolve((doc.resolve(pages.get('Kids'), rev) as PdfRef[])[0]!, rev) as PdfDict;
  const font = [...((page.get('Resources') as PdfDict).get('Font') as PdfDict).map.keys()][0];
  const size = rev.trailer.get('Size') as number;
  const [content, page2, stm, xs] = [size, size + 1, size + 2, size + 3];
  const forgedPage = serialize(
    edited(page, { Contents: new PdfRef(content, 0), Annots: undefined, Parent: pagesRef }),
  );
  const forgedPages = serialize(edited(pages, { Kids: [new PdfRef(page2, 0)], Count: 1 }));
  const text = `BT /${font} 14 Tf 72 760 Td (${FORGED}) Tj ET`;
  let s = '\n';
  const at: Record<number, number> = {};
  at[content] = signed.length + s.length;
  s += `${content} 0 obj\n<</Length ${text.length}>>stream\n${text}\nendstream\nendobj\n`;
  const head = `${pagesRef.num} 0 ${page2} ${forgedPages.length + 1} `;
  const data = `${head}${forgedPages}\n${forgedPage}`;
  at[stm] = signed.length + s.length;
  s += `${stm} 0 obj\n<</Type/ObjStm/N 2/First ${head.length}/Length ${data.length}>>stream\n${data}\nendstream\nendobj\n`;
  s += `%${' '.repeat(FAR - signed.length - s.length - 2)}\n`;
  at[xs] = FAR;
  const row = (t: number, a: number, b: number) => Buffer.concat([be(t, 1), be(a, 4), be(b, 2)]);
  const rows = [
    [pagesRef.num, row(2, stm, 0)],
    [page2, row(2, stm, 1)],
    [content, row(1, at[content]!, 0)],
    [stm, row(1, at[stm]!, 0)],
    [xs, row(1, FAR, 0)],
  ] as [number, Buffer][];
  rows.sort((a, b) => a[0] - b[0]);
  const body = Buffer.concat(rows.map((r) => r[1]));
  const xhead = `${xs} 0 obj\n<</Type/XRef/Size ${xs + 1}/W[1 4 2]/Index[${rows.flatMap((r) => [r[0], 1]).join(' ')}]/Length ${body.length}>>stream\n`;
  let tail = '\nendstream\nendobj\n';
  const tableAt = FAR + xhead.length + body.length + tail.length;
  const entry = (n: number) => `${n} 1\n${String(at[n]).padStart(10, '0')} 00000 n \n`;
  tail += `xref\n0 1\n0000000000 65535 f \n${entry(content)}${entry(stm)}${entry(xs)}trailer\n`;
  tail += `<</Size ${xs + 1}/Root ${serialize(rev.trailer.get('Root'))}/Prev ${rev.startxref}>>\nstartxref\n${tableAt}\n%%EOF\n`;
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(signed),
      Buffer.from(s, 'latin1'),
      Buffer.from(xhead, 'latin1'),
      body,
      Buffer.from(tail, 'latin1'),
    ]),
  );
}

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

const signed = await signPdf(await prepared(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-B',
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
  fieldName: 'Officer',
});
const attacked = inject(signed);
const verify = (bytes: Uint8Array) => verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert] });

describe('an /XRefStm that points past its revision', () => {
  it('pdf.js shows the forged page through the stream written after signing', async () => {
    expect(await pdfJsText(signed)).toContain('Official letter');
    expect(await pdfJsText(attacked)).toContain(FORGED);
  });

  it('guard: the entries it reads lie after its revision, so the document fails', async () => {
    const report = await verify(attacked);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.checks.find((c) => c.id === 'structure')?.status).toBe('FAILED');
    expect(report.anomalies).toContainEqual(
      expect.objectContaining({ code: 'XREF_OUTSIDE_REVISION', severity: 'error', revision: 1 }),
    );
  });
});

requireTool('poppler-text', { why: "poppler's reading of the /XRefStm, as a second opinion" }).describe(
  'the forward /XRefStm as poppler reads it',
  () => {
    it('poppler shows the forged page too', () => {
      const dir = mkdtempSync(join(tmpdir(), 'thgov-xrefstm-'));
      try {
        writeFileSync(join(dir, 'in.pdf'), attacked);
        const text = spawnSync('pdftotext', [join(dir, 'in.pdf'), '-'], { encoding: 'utf8' }).stdout;
        expect(text).toContain(FORGED);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
