// Evil Annotation and Sneaky Signature attacks (Mainka et al., "Shadow/Evil annotation", 2021): an overlay
// annotation that carries the keys of a signature or a document time-stamp (/FT /Sig, /Type /Sig, /SubFilter
// /ETSI.RFC3161, /Type /DocTimeStamp), or an unsigned signature widget outside AcroForm /Fields, added after a
// certification. An annotation is what its /Subtype says; only a signature field reachable from /Fields signs.
import { describe, expect, it } from 'vitest';
import { type PdfObject, PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str } from '../../src/pdf/writer.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
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
