// Form filling in fields whose widgets are separate objects (the field's /Kids): every radio-button group, and a
// text field shown in several places. A form filler (Acrobat, pdf.js, pdf-lib) sets the field's /V and each
// widget's /AS or /AP. PDF 32000-1 §12.8.2.2 allows that after an approval signature and under a P=2
// certification; a widget's own change was judged "a signed object was changed" (OTHER) before, and the signature
// failed. What a widget may not do (move, change its flags) stays OTHER, and P=1 still allows no filling.

import { requireTool } from '@thgov/testkit';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { PdfDocument, Revision } from '../src/pdf/document.js';
import { PdfDocument as Reader } from '../src/pdf/document.js';
import { dictOf, type PdfDict, type PdfObject, PdfRef, PdfString } from '../src/pdf/objects.js';
import { appendIncrementalUpdate, dict, name, str, type UpdateObject } from '../src/pdf/writer.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { opensslCms } from './helpers/foreign-signer.js';
import { PdfsigDb } from './helpers/pdfsig.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const verify = (bytes: Uint8Array) => verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert] });

/** A form by pdf-lib: the radio group Decision (approve, reject) and the text field Note shown twice. */
async function formPdf(): Promise<Uint8Array> {
  const d = await PDFDocument.create({ updateMetadata: false });
  const page = d.addPage([595, 842]);
  const form = d.getForm();
  const decision = form.createRadioGroup('Decision');
  decision.addOptionToPage('approve', page, { x: 72, y: 700, width: 20, height: 20 });
  decision.addOptionToPage('reject', page, { x: 72, y: 650, width: 20, height: 20 });
  const note = form.createTextField('Note');
  note.addToPage(page, { x: 72, y: 600, width: 200, height: 20 });
  note.addToPage(page, { x: 72, y: 100, width: 200, height: 20 });
  return d.save({ useObjectStreams: false });
}

function sign(pdf: Uint8Array, certify?: 1 | 2, lockFields?: string[]): Promise<Uint8Array> {
  return signPdf(pdf, {
    ...(lockFields ? { lockFields } : {}),
    signer: signerFor(pki, pki.officer),
    level: 'B-B',
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName: 'Officer',
    ...(certify ? { certify } : {}),
  });
}

/** The field named `t` of the last revision, with its widget kids. */
function field(doc: PdfDocument, rev: Revision, t: string): { ref: PdfRef; d: PdfDict; kids: PdfRef[] } {
  const acro = dictOf(doc.resolve(doc.catalog(rev)!.get('AcroForm'), rev))!;
  for (const f of doc.resolve(acro.get('Fields'), rev) as PdfObject[]) {
    const d = dictOf(doc.resolve(f, rev))!;
    const title = d.get('T');
    if (title instanceof PdfString && title.text() === t)
      return { ref: f as PdfRef, d, kids: doc.resolve(d.get('Kids'), rev) as PdfRef[] };
  }
  throw new Error(`no field ${t}`);
}

/** Selects the first button of Decision: /V on the field, /AS on each widget; `widget` edits the widgets more. */
function chooseFirst(pdf: Uint8Array, widget: Record<string, PdfObject | undefined> = {}): Uint8Array {
  return appendUpdate(pdf, ({ doc }) => {
    const rev = doc.last;
    const f = field(doc, rev, 'Decision');
    const out = new Map<number, UpdateObject>();
    const states = f.kids.map((k) => {
      const n = dictOf(dictOf(doc.resolve(k, rev))!.get('AP'))!.get('N') as PdfDict;
      return [...n.map.keys()].find((s) => s !== 'Off')!;
    });
    out.set(f.ref.num, { value: edited(f.d, { V: name(states[0]!) }) });
    f.kids.forEach((k, i) => {
      const kd = dictOf(doc.resolve(k, rev))!;
      out.set(k.num, { value: edited(kd, { AS: name(i === 0 ? states[0]! : 'Off'), ...widget }) });
    });
    return out;
  });
}

/** Fills Note: /V on the field, a new appearance stream on each of its two widgets. */
function fillNote(pdf: Uint8Array, value: string): Uint8Array {
  return appendUpdate(pdf, ({ doc, next }) => {
    const rev = doc.last;
    const f = field(doc, rev, 'Note');
    const out = new Map<number, UpdateObject>([[f.ref.num, { value: edited(f.d, { V: str(value) }) }]]);
    const font = dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') });
    for (const k of f.kids) {
      const ap = next();
      out.set(ap, {
        stream: Buffer.from(`/Tx BMC BT /Helv 12 Tf 0 g 2 6 Td (${value}) Tj ET EMC`),
        dict: dict({
          Type: name('XObject'),
          Subtype: name('Form'),
          BBox: [0, 0, 200, 20],
          Resources: dict({ Font: dict({ Helv: font }) }),
        }),
      });
      const kd = dictOf(doc.resolve(k, rev))!;
      out.set(k.num, { value: edited(kd, { AP: dict({ N: new PdfRef(ap, 0) }) }) });
    }
    return out;
  });
}

function modifications(report: VerificationReport) {
  return report.signatures[0]!.checks.find((c) => c.id === 'modifications')!;
}

const form = await formPdf();
const approved = await sign(form);
const certified2 = await sign(form, 2);
const certified1 = await sign(form, 1);
const locked = await sign(form, undefined, ['Decision', 'Note']);

describe('form filling in fields with separate widgets, after signing', () => {
  it('a radio button chosen after an approval signature is form filling and passes', async () => {
    const report = await verify(chooseFirst(approved));
    expect(modifications(report).status).toBe('PASSED');
    expect(report.signatures[0]!.modification).toBe('FORM_FILLING');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('a radio button chosen after a P=2 certification is form filling and passes', async () => {
    const report = await verify(chooseFirst(certified2));
    expect(modifications(report).status).toBe('PASSED');
    expect(report.signatures[0]!.modification).toBe('FORM_FILLING');
  });

  it('a text field with two widgets filled after an approval signature passes', async () => {
    const report = await verify(fillNote(approved, 'seen'));
    expect(modifications(report).status).toBe('PASSED');
    expect(report.signatures[0]!.modification).toBe('FORM_FILLING');
  });

  it('a P=1 certification still allows no filling', async () => {
    const report = await verify(chooseFirst(certified1));
    expect(modifications(report).status).toBe('FAILED');
  });

  it('a widget moved or re-flagged while the button is chosen is no form filling', async () => {
    for (const widget of [{ Rect: [0, 0, 595, 842] }, { F: 2 }, { Parent: undefined }]) {
      const report = await verify(chooseFirst(approved, widget));
      expect(report.signatures[0]!.modification).toBe('OTHER');
      expect(modifications(report).status).toBe('FAILED');
    }
  });

  it('a radio group or a text field the signature locked (FieldMDP) still fails when filled', async () => {
    for (const filled of [chooseFirst(locked), fillNote(locked, 'seen')]) {
      const report = await verify(filled);
      expect(modifications(report).status).toBe('FAILED');
      expect(modifications(report).message).toContain('locked');
    }
  });
});

/** A letter with an empty, visible signature field "Second" whose widget is a separate object (its /Kids). */
function withEmptySignatureField(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ next, pageRef, page, catalog, rootRef }) => {
    const [f, w, acro] = [next(), next(), next()];
    return new Map<number, UpdateObject>([
      [f, { value: dict({ FT: name('Sig'), T: str('Second'), Kids: [new PdfRef(w, 0)] }) }],
      [
        w,
        {
          value: dict({
            Type: name('Annot'),
            Subtype: name('Widget'),
            Parent: new PdfRef(f, 0),
            Rect: [72, 72, 272, 122],
            F: 4,
            P: pageRef,
          }),
        },
      ],
      [acro, { value: dict({ Fields: [new PdfRef(f, 0)], SigFlags: 3 }) }],
      [pageRef.num, { value: edited(page, { Annots: [new PdfRef(w, 0)] }) }],
      [rootRef.num, { value: edited(catalog, { AcroForm: new PdfRef(acro, 0) }) }],
    ]);
  });
}

const SLOT = 16384;
const BR = `[0 ${'0'.repeat(10)} ${'0'.repeat(10)} ${'0'.repeat(10)}]`;

/**
 * A second signer (OpenSSL's CMS, no esign code) signs the empty field "Second" as Acrobat does: the field gets
 * /V, its separate widget a new appearance (`widget` edits the widget more).
 */
function signEmptyField(pdf: Uint8Array, widget: Record<string, PdfObject | undefined> = {}): Uint8Array {
  const doc = new Reader(pdf);
  const rev = doc.last;
  const f = field(doc, rev, 'Second');
  const size = rev.trailer.get('Size') as number;
  const [sig, ap] = [size, size + 1];
  const sigText = `<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached/ByteRange ${BR}/Contents <${'0'.repeat(SLOT)}>/M(D:20260101000000Z)>>`;
  const widgetDict = dictOf(doc.resolve(f.kids[0], rev))!;
  const objects = new Map<number, UpdateObject>([
    [sig, { raw: Buffer.from(sigText, 'latin1') }],
    [
      ap,
      {
        stream: Buffer.from('q 0 g BT /Helv 10 Tf 4 20 Td (Signed: Test Director) Tj ET Q'),
        dict: dict({
          Type: name('XObject'),
          Subtype: name('Form'),
          BBox: [0, 0, 200, 50],
          Resources: dict({
            Font: dict({
              Helv: dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') }),
            }),
          }),
        }),
      },
    ],
    [f.ref.num, { value: edited(f.d, { V: new PdfRef(sig, 0) }) }],
    [f.kids[0]!.num, { value: edited(widgetDict, { AP: dict({ N: new PdfRef(ap, 0) }), ...widget }) }],
  ]);
  const out = Buffer.from(
    appendIncrementalUpdate(
      pdf,
      { objects, trailer: { Root: rev.trailer.get('Root')! } },
      rev.startxref,
      size,
    ).bytes,
  );
  const brAt = out.lastIndexOf(BR);
  const cAt = out.indexOf('<', brAt);
  const gapEnd = cAt + SLOT + 2;
  const range = `[0 ${cAt} ${gapEnd} ${out.length - gapEnd}]`;
  out.write(range.padEnd(BR.length, ' '), brAt, 'latin1');
  const cms = opensslCms(pki.director, [pki.ca.cert])(
    new Uint8Array(Buffer.concat([out.subarray(0, cAt), out.subarray(gapEnd)])),
  );
  out.write(Buffer.from(cms).toString('hex'), cAt + 1, 'latin1');
  return new Uint8Array(out);
}

const prepared = withEmptySignatureField(await letterPdf());

/** The second signature is made by OpenSSL (`openssl cms`): part of the pdfsig tool set. */
const openssl = requireTool('pdfsig', {
  why: 'openssl makes the signature of the empty field (another signer)',
});

openssl.describe('an empty signature field with a separate widget, signed after a first signature', () => {
  it('the second signature passes and the first sees form filling (its widget drew the new signature)', async () => {
    const bytes = signEmptyField(await sign(prepared));
    const report = await verify(bytes);
    const second = report.signatures.find((s) => s.fieldName === 'Second')!;
    expect(second.checks.find((c) => c.id === 'cms')?.status).toBe('PASSED');
    expect(modifications(report).status).toBe('PASSED');
    expect(report.signatures[0]!.modification).toBe('FORM_FILLING');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('the widget moved while signing is no form filling', async () => {
    const report = await verify(signEmptyField(await sign(prepared), { Rect: [0, 0, 595, 842] }));
    expect(report.signatures[0]!.modification).toBe('OTHER');
    expect(modifications(report).status).toBe('FAILED');
  });
});

requireTool('pdfsig', { why: 'poppler as a second opinion on the first signature' }).describe(
  'pdfsig on the signed empty field',
  () => {
    // The second signature is left out: poppler reports a signature field whose widget is a /Kids entry as "not
    // signed" (see foreign-signers.test.ts); its CMS is checked above, and it is OpenSSL's.
    it('pdfsig finds the first signature valid, not covering the second revision', async () => {
      const out = PdfsigDb.create(pki.root.cert).check(signEmptyField(await sign(prepared)));
      const officer = out.slice(out.indexOf('Signature Field Name: Officer'));
      expect(officer).toContain('Signature is Valid.');
      expect(officer).toContain('Not total document signed');
    });
  },
);
