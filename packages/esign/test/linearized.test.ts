// Linearized ("fast web view") files are common among agencies' documents, and signers add their signatures
// to them incrementally. The first-page trailer of such a file ends in `startxref 0` (PDF 32000-1 Annex
// F.3.4); that is no parser differential, and a change made after signing must still be seen.
import { describe, expect, it } from 'vitest';
import { QPDF_FIXTURES, readFixture } from '../../transcript/test/fixtures/qpdf-fixtures.js';
import { PdfDocument } from '../src/pdf/document.js';
import { PdfRef } from '../src/pdf/objects.js';
import { dict, name, str } from '../src/pdf/writer.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const sign = (pdf: Uint8Array, fieldName: string) =>
  signPdf(pdf, {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName,
  });
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

describe.each([
  ['classic xref tables', QPDF_FIXTURES.linearizedLetter],
  ['object streams', QPDF_FIXTURES.linearizedObjectStreamsLetter],
])('a linearized file (%s), signed incrementally', async (_, file) => {
  const input = readFixture(file);
  const once = await sign(input, 'Officer');

  it('reads as one revision before signing, with no anomaly', () => {
    const doc = new PdfDocument(input);
    expect(doc.anomalies).toEqual([]);
    expect(doc.revisions).toHaveLength(1);
  });

  it('passes once signed, and again after a second signature', async () => {
    const first = await verify(once);
    expect(first.checks.find((c) => c.id === 'structure')?.status).toBe('PASSED');
    expect(first.indication).toBe('TOTAL_PASSED');
    const twice = await verify(await sign(once, 'Director'));
    expect(twice.indication).toBe('TOTAL_PASSED');
    expect(twice.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });

  it('still sees an annotation added after signing', async () => {
    const tampered = appendUpdate(once, ({ next, pageRef, page, doc }) => {
      const n = next();
      const annots = doc.resolve(page.get('Annots'), doc.last);
      const overlay = dict({
        Type: name('Annot'),
        Subtype: name('FreeText'),
        Rect: [10, 10, 290, 290],
        Contents: str('Amount: 10,000,000 THB'),
        P: pageRef,
      });
      return new Map([
        [n, { value: overlay }],
        [
          pageRef.num,
          { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
        ],
      ]);
    });
    const report = await verify(tampered);
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
    expect(report.checks.find((c) => c.id === 'structure')?.status).toBe('PASSED');
  });
});
