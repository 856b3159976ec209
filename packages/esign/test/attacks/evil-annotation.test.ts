// Evil Annotation and Sneaky Signature attacks (Mainka et al., "Shadow/Evil annotation", 2021): an overlay
// annotation that carries the keys of a signature or a document time-stamp (/FT /Sig, /Type /Sig, /SubFilter
// /ETSI.RFC3161, /Type /DocTimeStamp), or an unsigned signature widget outside AcroForm /Fields, added after a
// certification. An annotation is what its /Subtype says; only a signature field reachable from /Fields signs.
import { describe, expect, it } from 'vitest';
import type { PdfDict, PdfObject } from '../../src/pdf/objects.js';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { signerFor } from '../helpers/pki.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const SECURITY = { ...PDF_POLICY, name: 'security-updates', afterSigning: 'security-updates' as const };
const p1 = await signedFixture('B-T', 1);
const p2 = await signedFixture('B-T', 2);
const approval = await signedFixture('B-T');

/** Adds an overlay annotation (with a text appearance) to the first page's /Annots. */
function overlay(base: Uint8Array, keys: Record<string, PdfObject>): Uint8Array {
  return appendUpdate(base, ({ next, pageRef, page, doc }) => {
    const n = next();
    const ap = next();
    const annots = doc.resolve(page.get('Annots'), doc.last);
    const text = 'q 1 1 1 rg 0 0 500 60 re f Q BT /Helv 14 Tf 0 g 5 20 Td (Approved: 10,000,000 THB) Tj ET';
    const font = dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') });
    const form = dict({
      Type: name('XObject'),
      Subtype: name('Form'),
      BBox: [0, 0, 500, 60],
      Resources: dict({ Font: dict({ Helv: font }) }),
    });
    const annot = dict({
      Rect: [60, 740, 560, 800],
      F: 4,
      P: pageRef,
      AP: dict({ N: new PdfRef(ap, 0) }),
      ...keys,
    });
    return new Map([
      [n, { value: annot }],
      [ap, { stream: Buffer.from(text), dict: form }],
      [
        pageRef.num,
        { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
      ],
    ]);
  });
}

const freeText = { Subtype: name('FreeText'), Contents: str('Approved'), DA: str('/Helv 14 Tf 0 g') };
const disguises: [string, Record<string, PdfObject>][] = [
  ['/FT /Sig', { ...freeText, FT: name('Sig') }],
  ['/Type /Sig', { ...freeText, Type: name('Sig') }],
  ['/SubFilter /ETSI.RFC3161', { ...freeText, SubFilter: name('ETSI.RFC3161') }],
  ['/Type /DocTimeStamp', { ...freeText, Type: name('DocTimeStamp') }],
];

describe('evil annotation: a FreeText overlay disguised as a signature or time-stamp', () => {
  it.each(disguises)('after a P=2 certification, a FreeText with %s is an annotation', async (_, keys) => {
    const report = await p2.verify(overlay(p2.pdf, keys));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });

  it.each(disguises)('after a P=1 certification, a FreeText with %s fails', async (_, keys) => {
    const report = await p1.verify(overlay(p1.pdf, keys));
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });

  it.each(disguises)('under the security-updates policy, a FreeText with %s fails', async (_, keys) => {
    const report = await verifyPdfSignatures(overlay(approval.pdf, keys), {
      trustAnchors: [approval.pki.root.cert],
      revocation: { crls: approval.pki.crls },
      policy: SECURITY,
    });
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });
});

describe('sneaky signature: an unsigned signature widget outside AcroForm /Fields', () => {
  const widget = { Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: str('Sig2') };

  it('after a P=2 certification it is an annotation, not form filling', async () => {
    const report = await p2.verify(overlay(p2.pdf, widget));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });

  it('with a zero rectangle and a time-stamp-looking /V it is still no LTA update', async () => {
    const v = dict({ Type: name('DocTimeStamp'), SubFilter: name('ETSI.RFC3161') });
    const report = await p1.verify(overlay(p1.pdf, { ...widget, V: v, Rect: [0, 0, 0, 0] }));
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });
});

/**
 * Adds a new signature field (merged with its widget) to AcroForm /Fields and the first page's /Annots, with
 * `keys` (a visible overlay appearance unless `keys` says otherwise): what a viewer shows as an empty signature box.
 */
function newSignatureField(base: Uint8Array, keys: Record<string, PdfObject | undefined>): Uint8Array {
  return appendUpdate(base, ({ doc, catalog, next, pageRef, page }) => {
    const n = next();
    const ap = next();
    const acroRef = catalog.get('AcroForm') as PdfRef;
    const acro = doc.resolve(acroRef, doc.last) as PdfDict;
    const annots = doc.resolve(page.get('Annots'), doc.last);
    const text = 'q 1 1 1 rg 0 0 500 60 re f Q BT /Helv 14 Tf 0 g 5 20 Td (Approved: 10,000,000 THB) Tj ET';
    const font = dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') });
    const form = dict({
      Type: name('XObject'),
      Subtype: name('Form'),
      BBox: [0, 0, 500, 60],
      Resources: dict({ Font: dict({ Helv: font }) }),
    });
    const field = edited(
      dict({
        Type: name('Annot'),
        Subtype: name('Widget'),
        FT: name('Sig'),
        T: str('Witness'),
        Rect: [60, 740, 560, 800],
        F: 4,
        P: pageRef,
        AP: dict({ N: new PdfRef(ap, 0) }),
      }),
      keys,
    );
    return new Map<number, UpdateObject>([
      [n, { value: field }],
      [ap, { stream: Buffer.from(text), dict: form }],
      [
        pageRef.num,
        { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
      ],
      [
        acroRef.num,
        { value: edited(acro, { Fields: [...(acro.get('Fields') as PdfObject[]), new PdfRef(n, 0)] }) },
      ],
    ]);
  });
}

const p3 = await signedFixture('B-T', 3);
const invisible = { Rect: [0, 0, 0, 0], AP: undefined };
const javaScript = dict({ S: name('JavaScript'), JS: str('app.alert(1)') });

describe('sneaky signature: a new signature field in AcroForm /Fields that nobody signed', () => {
  it('an empty visible field after a P=2 certification is an annotation and fails', async () => {
    const report = await p2.verify(newSignatureField(p2.pdf, {}));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });

  it('after a P=3 certification or an approval signature it is reported as an annotation', async () => {
    for (const f of [p3, approval]) {
      const report = await f.verify(newSignatureField(f.pdf, {}));
      expect(report.indication).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
    }
  });

  it('an empty field with an /AA or /A action is no form filling, even invisible', async () => {
    for (const keys of [
      { ...invisible, AA: dict({ PO: javaScript }) },
      { ...invisible, A: dict({ S: name('Launch'), F: str('calc.exe') }) },
    ]) {
      const report = await p2.verify(newSignatureField(p2.pdf, keys));
      expect(report.indication).not.toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
    }
  });

  it('a /V that signs no later revision makes no form filling of a visible field', async () => {
    const v = dict({
      Type: name('Sig'),
      Filter: name('Adobe.PPKLite'),
      SubFilter: name('adbe.pkcs7.detached'),
    });
    const report = await p2.verify(newSignatureField(p2.pdf, { V: v }));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });

  it('an empty field that shows nothing (zero rectangle, no appearance) is still form filling', async () => {
    const report = await p2.verify(newSignatureField(p2.pdf, invisible));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('FORM_FILLING');
  });

  it('a visible second signature after a P=2 certification is form filling and passes', async () => {
    const second = await signPdf(p2.pdf, {
      signer: signerFor(p2.pki, p2.pki.director),
      level: 'B-T',
      tsa: p2.pki.tsa,
      trustAnchors: p2.pki.root.cert,
      validationData: { crls: p2.pki.crls },
      fieldName: 'Director',
      appearance: { page: 1, rect: [60, 600, 300, 660], name: 'Director' },
    });
    const report = await p2.verify(second);
    expect(report.signatures.map((s) => [s.fieldName, s.indication, s.modification])).toEqual([
      ['Officer', 'TOTAL_PASSED', 'FORM_FILLING'],
      ['Director', 'TOTAL_PASSED', 'NONE'],
    ]);
  });
});
