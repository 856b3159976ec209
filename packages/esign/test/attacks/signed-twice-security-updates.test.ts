// A document signed twice (registrar, then the university seal) under a policy that allows only security
// updates after signing: the rule binds after the LAST approval signature. An earlier signature keeps its
// DocMDP rule (uncertified: at most signing and form filling), so the second signature does not fail the
// first, but an annotation or a content change slipped in between, or anything after the last, still fails.
import { describe, expect, it } from 'vitest';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { signerFor } from '../helpers/pki.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const SECURITY = {
  ...PDF_POLICY,
  name: 'security-updates',
  afterSigning: 'security-updates' as const,
  shadowSignals: 'refuse' as const,
};
const once = await signedFixture('B-T');
const certifiedOnce = await signedFixture('B-T', 2);
const { pki } = once;

const sign = (pdf: Uint8Array, fieldName: string) =>
  signPdf(pdf, {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName,
  });
const verify = (pdf: Uint8Array, trustPki = pki) =>
  verifyPdfSignatures(pdf, {
    trustAnchors: [trustPki.root.cert],
    revocation: { crls: trustPki.crls },
    policy: SECURITY,
  });

function withAnnotation(base: Uint8Array): Uint8Array {
  return appendUpdate(base, ({ next, pageRef, page, doc }) => {
    const n = next();
    const annots = doc.resolve(page.get('Annots'), doc.last);
    const annot = dict({
      Type: name('Annot'),
      Subtype: name('FreeText'),
      Rect: [50, 700, 545, 800],
      Contents: str('GPA: 4.00'),
      P: pageRef,
    });
    return new Map([
      [n, { value: annot }],
      [
        pageRef.num,
        { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
      ],
    ]);
  });
}

/** A content change: the page's /Rotate set, a signed object changed (OTHER). */
const withContentChange = (base: Uint8Array) =>
  appendUpdate(
    base,
    ({ pageRef, page }) => new Map([[pageRef.num, { value: edited(page, { Rotate: 90 }) }]]),
  );

describe('signed twice under a security-updates policy', () => {
  it('two approval signatures pass, the first included', async () => {
    const report = await verify(await sign(once.pdf, 'Seal'));
    expect(report.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('a certification (P=2) then an approval signature pass', async () => {
    const twice = await signPdf(certifiedOnce.pdf, {
      signer: signerFor(certifiedOnce.pki, certifiedOnce.pki.officer),
      level: 'B-T',
      tsa: certifiedOnce.pki.tsa,
      trustAnchors: certifiedOnce.pki.root.cert,
      validationData: { crls: certifiedOnce.pki.crls, ocspResponses: [certifiedOnce.pki.officerOcsp] },
      fieldName: 'Seal',
    });
    const report = await verify(twice, certifiedOnce.pki);
    expect(report.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });

  it('an annotation added between the two signatures fails the first', async () => {
    const report = await verify(await sign(withAnnotation(once.pdf), 'Seal'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]?.modification).toBe('ANNOTATIONS');
  });

  it('a content change between the two signatures fails the first', async () => {
    const report = await verify(await sign(withContentChange(once.pdf), 'Seal'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it.each([
    ['an annotation', withAnnotation],
    ['a content change', withContentChange],
  ])('%s after the second signature fails both', async (_, tamper) => {
    const report = await verify(tamper(await sign(once.pdf, 'Seal')));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.indication)).toEqual(['TOTAL_FAILED', 'TOTAL_FAILED']);
  });

  it('an annotation after a single signature still fails it (it is the last signature)', async () => {
    const report = await verify(withAnnotation(once.pdf));
    expect(report.signatures[0]?.indication).toBe('TOTAL_FAILED');
  });
});
