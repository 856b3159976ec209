// An object whose generation number is not 0 (a number freed and used again, as some editors write) keeps its
// generation when signing writes it again (the catalog, the page, the AcroForm): every reference to it says
// `n g R`, and a reader resolves that only to an object written as `n g obj` and listed with generation g.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { dictOf, PdfRef } from '../src/pdf/objects.js';
import { appendIncrementalUpdate, dict, name, type UpdateObject } from '../src/pdf/writer.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, signerFor } from './helpers/pki.js';
import { qpdfCheck } from './helpers/qpdf.js';

const pki = await createSigningPki();
const sources = {
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
};

/** The generations the one-page letter below gives its objects: catalog 2, page 1, AcroForm 1, the rest 0. */
const GEN = { catalog: 2, pages: 0, page: 1, content: 0, font: 0, acroForm: 1 };

/**
 * A one-page letter written by hand, its catalog, page and AcroForm at a generation above 0, with a classic
 * `xref` table or a cross-reference stream (W [1 4 2]: the third field of a type 1 entry is the generation).
 */
function letterWithGenerations(form: 'table' | 'stream' = 'table', catalogGen = GEN.catalog): Uint8Array {
  const text = 'BT /F1 24 Tf 72 760 Td (Official letter 1/2569) Tj ET';
  const objects: [number, number, string][] = [
    [1, catalogGen, `<< /Type /Catalog /Pages 2 0 R /AcroForm 6 ${GEN.acroForm} R >>`],
    [2, GEN.pages, `<< /Type /Pages /Kids [3 ${GEN.page} R] /Count 1 >>`],
    [
      3,
      GEN.page,
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    ],
    [4, GEN.content, `<< /Length ${text.length} >>\nstream\n${text}\nendstream`],
    [5, GEN.font, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
    [6, GEN.acroForm, '<< /Fields [] >>'],
  ];
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const entries: [number, number][] = [];
  for (const [num, gen, body] of objects) {
    entries.push([out.length, gen]);
    out += `${num} ${gen} obj\n${body}\nendobj\n`;
  }
  const xref = out.length;
  if (form === 'table') {
    const rows = entries.map(
      ([at, gen]) => `${String(at).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`,
    );
    out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${rows.join('')}`;
    out += `trailer\n<< /Size ${objects.length + 1} /Root 1 ${catalogGen} R >>\nstartxref\n${xref}\n%%EOF\n`;
    return new Uint8Array(Buffer.from(out, 'latin1'));
  }
  const row = (type: number, at: number, gen: number) => {
    const b = Buffer.alloc(7);
    b[0] = type;
    b.writeUInt32BE(at, 1);
    b.writeUInt16BE(gen, 5);
    return b;
  };
  const xnum = objects.length + 1;
  const data = Buffer.concat([
    row(0, 0, 65535),
    ...entries.map(([at, gen]) => row(1, at, gen)),
    row(1, xref, 0),
  ]);
  const head = `${xnum} 0 obj\n<< /Type /XRef /Size ${xnum + 1} /W [1 4 2] /Root 1 ${catalogGen} R /Length ${data.length} >>\nstream\n`;
  const tail = `\nendstream\nendobj\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(
    Buffer.concat([Buffer.from(out + head, 'latin1'), data, Buffer.from(tail, 'latin1')]),
  );
}

/** The generations the final revision's own entries give the catalog, the page and the AcroForm. */
function rewrittenGenerations(pdf: Uint8Array): (number | undefined)[] {
  const doc = new PdfDocument(pdf);
  return [1, 3, 6].map((num) => {
    const entry = doc.last.own.get(num);
    return entry && 'gen' in entry ? entry.gen : undefined;
  });
}

/** The letter, signed B-T (certifying), in the given cross-reference form. */
function signedLetter(form: 'table' | 'stream', level: 'B-B' | 'B-T' = 'B-T'): Promise<Uint8Array> {
  return signPdf(letterWithGenerations(form), {
    signer: signerFor(pki, pki.officer),
    level,
    certify: 2,
    ...(level === 'B-T' ? { tsa: pki.tsa } : {}),
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls },
  });
}

describe('signing writes objects again with their generation', () => {
  it('guard: the hand-written letter reads, its objects at their generations', () => {
    const doc = new PdfDocument(letterWithGenerations());
    expect(doc.catalog(doc.last)?.get('Pages')).toBeInstanceOf(PdfRef);
    expect(doc.last.xref.get(3)).toMatchObject({ kind: 'offset', gen: GEN.page });
    const stream = new PdfDocument(letterWithGenerations('stream'));
    expect(stream.last.xref.get(1)).toMatchObject({ kind: 'offset', gen: GEN.catalog });
  });

  it('the catalog, the page and the AcroForm keep their generation, and the signature verifies', async () => {
    const signed = await signPdf(letterWithGenerations(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-B',
      certify: 2,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const doc = new PdfDocument(signed);
    const last = doc.last;
    expect(last.own.get(1)).toMatchObject({ kind: 'offset', gen: GEN.catalog });
    expect(last.own.get(3)).toMatchObject({ kind: 'offset', gen: GEN.page });
    expect(last.own.get(6)).toMatchObject({ kind: 'offset', gen: GEN.acroForm });
    const catalog = doc.catalog(last);
    expect(catalog?.get('AcroForm')).toEqual(new PdfRef(6, GEN.acroForm));
    const fields = dictOf(doc.resolve(catalog?.get('AcroForm'), last))?.get('Fields');
    expect(Array.isArray(fields) && fields.length).toBe(1);
    expect(doc.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    const report = await verifyPdfSignatures(signed, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('guard: a catalog at a generation above 65535 is refused when the PDF is read', async () => {
    const err = await signPdf(letterWithGenerations('table', 70000), {
      signer: signerFor(pki, pki.officer),
      skipChainCheck: true,
    }).catch((e: unknown) => e);
    expect(isEsignError(err)).toBe(true);
  });

  it('the writer refuses to write an object again at a generation above 65535', () => {
    const base = letterWithGenerations();
    const objects = new Map<number, UpdateObject>([
      [1, { value: dict({ Type: name('Catalog') }), gen: 70000 }],
    ]);
    const write = () => appendIncrementalUpdate(base, { objects, trailer: {} }, base.length - 20, 7);
    expect(write).toThrow(expect.objectContaining({ code: 'ERR_ESIGN_DOCUMENT' }));
  });

  for (const form of ['table', 'stream'] as const) {
    it(`${form}: the signed letter, then B-LT and B-LTA by extendPdf, keep the generations and verify`, async () => {
      const signed = await signedLetter(form);
      const gens = [GEN.catalog, GEN.page, GEN.acroForm];
      expect(rewrittenGenerations(signed)).toEqual(gens);
      const lt = await extendPdf(signed, { level: 'B-LT', ...sources });
      expect(rewrittenGenerations(lt)[0]).toBe(GEN.catalog);
      const lta = await extendPdf(lt, { level: 'B-LTA', tsa: pki.tsa, ...sources });
      const doc = new PdfDocument(lta);
      expect(doc.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
      expect(doc.catalog(doc.last)?.get('DSS')).toBeDefined();
      const report = await verifyPdfSignatures(lta, { trustAnchors: [pki.root.cert] });
      expect(report.indication).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.level).toBe('B-LTA');
    });
  }
});

/** The field types qpdf reads in the AcroForm (`qpdf --json --json-key=acroform`; use under `requireTool('qpdf', …)`). */
function qpdfFieldTypes(pdf: Uint8Array): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-gen-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    const out = execFileSync('qpdf', ['--json', '--json-key=acroform', join(dir, 'in.pdf')], {
      encoding: 'utf8',
    });
    const fields = (JSON.parse(out) as { acroform: { fields: { fieldtype: string }[] } }).acroform.fields;
    return fields.map((f) => f.fieldtype);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const qpdf = requireTool('qpdf', { why: 'qpdf reads the rewritten objects at their generations' });
qpdf.describe('qpdf --check on letters with generations above 0, signed and extended', () => {
  for (const form of ['table', 'stream'] as const)
    it(`${form}: the signed and the B-LTA files are clean, and qpdf reads the new fields`, async () => {
      const signed = await signedLetter(form, 'B-B');
      const lta = await extendPdf(signed, { level: 'B-LTA', tsa: pki.tsa, ...sources });
      for (const pdf of [signed, lta]) {
        const check = qpdfCheck(pdf);
        expect(check.output).not.toMatch(/damaged|reconstruct|not found|unknown/i);
        expect(check.status).toBe(0);
      }
      expect(qpdfFieldTypes(signed)).toEqual(['/Sig']);
      // B-B has no proven time: extendPdf time-stamps it first, then adds the archive time-stamp.
      expect(qpdfFieldTypes(lta)).toEqual(['/Sig', '/Sig', '/Sig']);
    });
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent reader of the rewritten objects' });
pdfsig.describe('pdfsig on letters with generations above 0, signed and extended', () => {
  let db: import('./helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    db = PdfsigDb.create(pki.root.cert);
  });
  for (const form of ['table', 'stream'] as const)
    it(`${form}: the signature is valid and trusted, signed and after B-LTA`, async () => {
      const signed = await signedLetter(form);
      const lta = await extendPdf(signed, { level: 'B-LTA', tsa: pki.tsa, ...sources });
      for (const pdf of [signed, lta]) {
        const out = db.check(pdf);
        expect(out).toContain('Signature Validation: Signature is Valid.');
        expect(out).toContain('Certificate Validation: Certificate is Trusted.');
      }
      expect(db.check(lta)).toContain('Signature #2:');
    });
});
