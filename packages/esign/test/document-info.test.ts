// The document information dictionary (/Info) after signing. Adobe and pyHanko rewrite /ModDate and /Producer
// when they add a signature or a time-stamp, in place or as a new object only the new trailer names: a metadata
// update (pyHanko's DocInfoRule: an LTA-level change), neither "unreferenced objects appended" nor "a signed
// object changed". Only a plain dictionary of text qualifies, and not one the signed content also uses; an XMP
// /Metadata stream added where the signed revision had none stays a change of the document (replacing one is
// foreign-xmp-updates.test.ts).
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { type PdfDict, type PdfObject, PdfRef } from '../src/pdf/objects.js';
import { appendIncrementalUpdate, dict, name, str, type UpdateObject } from '../src/pdf/writer.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../src/verify/policy.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const SECURITY = { ...PDF_POLICY, name: 'security-updates', afterSigning: 'security-updates' as const };
const pki = await createSigningPki();

/** A one-page letter whose trailer names an /Info dictionary (pdf-lib's default metadata). */
async function letterWithInfo(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Official letter 1/2569');
  const page = doc.addPage([595, 842]);
  page.drawText('Official letter 1/2569', {
    x: 72,
    y: 760,
    font: await doc.embedFont(StandardFonts.Helvetica),
  });
  return doc.save({ useObjectStreams: false });
}

function sign(pdf: Uint8Array, certify?: 1 | 2 | 3, fieldName = 'Officer'): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: signerFor(pki, fieldName === 'Officer' ? pki.officer : pki.director),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName,
    ...(certify ? { certify } : {}),
  });
}

function verify(pdf: Uint8Array, security = false): Promise<VerificationReport> {
  return verifyPdfSignatures(pdf, {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
    ...(security ? { policy: SECURITY } : {}),
  });
}

/** One incremental update with `objects`, whose trailer names `info` as /Info. */
function updateWithInfo(pdf: Uint8Array, objects: Map<number, UpdateObject>, info: PdfRef): Uint8Array {
  const doc = new PdfDocument(pdf);
  const rev = doc.last;
  const size = Math.max(rev.trailer.get('Size') as number, ...[...objects.keys()].map((n) => n + 1));
  const trailer = { Root: rev.trailer.get('Root') as PdfRef, Info: info };
  return appendIncrementalUpdate(pdf, { objects, trailer }, rev.startxref, size).bytes;
}

/** A new /Info object that only the new trailer refers to. */
function newInfo(pdf: Uint8Array, entries: Record<string, PdfObject>): Uint8Array {
  const size = new PdfDocument(pdf).last.trailer.get('Size') as number;
  return updateWithInfo(pdf, new Map([[size, { value: dict(entries) }]]), new PdfRef(size, 0));
}

/** The /Info object of the last revision rewritten in place with `changes`. */
function infoInPlace(pdf: Uint8Array, changes: Record<string, PdfObject | undefined>): Uint8Array {
  const doc = new PdfDocument(pdf);
  const ref = doc.last.trailer.get('Info') as PdfRef;
  const info = doc.resolve(ref, doc.last) as PdfDict;
  return updateWithInfo(pdf, new Map([[ref.num, { value: edited(info, changes) }]]), ref);
}

const modDate = { ModDate: str("D:20260101090000+07'00'"), Producer: str('Another PDF writer') };

function passes(report: VerificationReport): void {
  const failing = report.signatures[0]?.checks.filter((c) => c.status !== 'PASSED');
  expect(report.indication, JSON.stringify(failing)).toBe('TOTAL_PASSED');
  expect(report.signatures[0]?.modification).toBe('LTA_UPDATES');
  const mods = report.signatures[0]?.checks.find((c) => c.id === 'modifications');
  expect(mods?.warnings).toEqual([]);
}

describe('/Info updated after signing is a metadata update', () => {
  const base = letterWithInfo();

  it.each([
    ['approval', undefined],
    ['P=1', 1],
    ['P=2', 2],
  ] as const)(
    'a new /Info object only the new trailer names (%s, and under security-updates)',
    async (_, p) => {
      const signed = await sign(await base, p);
      const bytes = newInfo(signed, modDate);
      passes(await verify(bytes));
      passes(await verify(bytes, true));
    },
  );

  it.each([
    ['approval', undefined],
    ['P=1', 1],
  ] as const)('the signed /Info rewritten in place (%s, and under security-updates)', async (_, p) => {
    const signed = await sign(await base, p);
    const bytes = infoInPlace(signed, modDate);
    passes(await verify(bytes));
    passes(await verify(bytes, true));
  });

  it('a second signature followed by the /Info update its writer makes: both signatures pass', async () => {
    const second = await sign(await sign(await base), undefined, 'Director');
    const report = await verify(infoInPlace(second, modDate));
    expect(report.signatures.map((s) => [s.fieldName, s.indication])).toEqual([
      ['Officer', 'TOTAL_PASSED'],
      ['Director', 'TOTAL_PASSED'],
    ]);
    expect(report.signatures[1]?.modification).toBe('LTA_UPDATES');
  });
});

describe('what is no metadata update', () => {
  it('an /Info whose value refers to another object (a stream) is a change of the document', async () => {
    const signed = await sign(await letterWithInfo(), 1);
    const size = new PdfDocument(signed).last.trailer.get('Size') as number;
    const objects = new Map<number, UpdateObject>([
      [size, { value: dict({ Title: new PdfRef(size + 1, 0) }) }],
      [size + 1, { stream: Buffer.from('BT (Approved: 10,000,000 THB) Tj ET'), dict: dict({}) }],
    ]);
    const report = await verify(updateWithInfo(signed, objects, new PdfRef(size, 0)));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('an /Info dictionary the signed page also uses, rewritten in place, is a change of the document', async () => {
    const letter = await letterWithInfo();
    const doc = new PdfDocument(letter);
    const infoRef = doc.last.trailer.get('Info') as PdfRef;
    // The signed page refers to the same dictionary (as its /PieceInfo): what the page holds changes with it.
    const shared = appendUpdate(
      letter,
      ({ pageRef, page }) => new Map([[pageRef.num, { value: edited(page, { PieceInfo: infoRef }) }]]),
    );
    const rev = new PdfDocument(shared).last;
    const trailerFixed = updateWithInfo(shared, new Map(), infoRef);
    expect(rev.trailer.get('Info')).toBeUndefined();
    const signed = await sign(trailerFixed);
    const report = await verify(infoInPlace(signed, modDate));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('an XMP /Metadata stream added after signing (none was signed) stays a change of the document', async () => {
    const signed = await sign(await letterWithInfo(), 1);
    const bytes = appendUpdate(signed, ({ catalog, rootRef, next }) => {
      const m = next();
      const xmp = Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');
      return new Map<number, UpdateObject>([
        [m, { stream: xmp, dict: dict({ Type: name('Metadata'), Subtype: name('XML') }) }],
        [rootRef.num, { value: edited(catalog, { Metadata: new PdfRef(m, 0) }) }],
      ]);
    });
    const report = await verify(bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });
});
