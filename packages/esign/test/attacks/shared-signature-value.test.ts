// One signature, two fields: a signature field whose /V is the signature dictionary of another field. Added after
// signing (an invisible "Director" field pointing at the officer's signature), it made the report list two valid
// signatures, one of them in a field that did not exist when the key signed, and it passed as "an empty signature
// field that shows nothing" (form filling) even after a P=2 certification. A signature belongs to the field that
// held it in the revision it signs: any other field claiming it fails, and a dictionary that several fields held
// when signed is ambiguous. pyHanko flags a signature field filled without a new signature; EU DSS reports one
// signature per signature dictionary.
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import type { PdfDict } from '../../src/pdf/objects.js';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str } from '../../src/pdf/writer.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { foreignSign, opensslCms } from '../helpers/foreign-signer.js';
import { createSigningPki, letterPdf } from '../helpers/pki.js';
import { appendUpdate, edited, signatureDictionary, signedFixture } from '../helpers/tamper.js';

const SECURITY = { ...PDF_POLICY, name: 'security-updates', afterSigning: 'security-updates' as const };
const approval = await signedFixture('B-T');
const certified = await signedFixture('B-T', 2);

/** Appends an invisible signature field named `title` whose /V is the existing signature dictionary. */
function claim(pdf: Uint8Array, title = 'Director'): Uint8Array {
  const { num } = signatureDictionary(pdf);
  return appendUpdate(pdf, ({ doc, catalog, rootRef, next, pageRef }) => {
    const acroRef = catalog.get('AcroForm');
    const acro = doc.resolve(acroRef, doc.last) as PdfDict;
    const n = next();
    const field = dict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: str(title),
      V: new PdfRef(num, 0),
      F: 132,
      Rect: [0, 0, 0, 0],
      P: pageRef,
    });
    const fields = doc.resolve(acro.get('Fields'), doc.last) as PdfRef[];
    const newAcro = edited(acro, { Fields: [...fields, new PdfRef(n, 0)] });
    const objects = new Map([[n, { value: field as PdfDict }]]);
    if (acroRef instanceof PdfRef) objects.set(acroRef.num, { value: newAcro });
    else objects.set(rootRef.num, { value: edited(catalog, { AcroForm: newAcro }) });
    return objects;
  });
}

const byField = (r: VerificationReport, field: string) => r.signatures.find((s) => s.fieldName === field);
const failedCheck = (r: VerificationReport, field: string) =>
  byField(r, field)?.checks.find((c) => c.status !== 'PASSED');

describe("a signature field added after signing that claims another field's signature", () => {
  it('the claiming field fails; the field that was signed still passes', async () => {
    const report = await approval.verify(claim(approval.pdf));
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(byField(report, 'Officer')?.indication).toBe('TOTAL_PASSED');
    expect(byField(report, 'Director')?.indication).toBe('TOTAL_FAILED');
    expect(failedCheck(report, 'Director')).toMatchObject({
      id: 'coverage',
      subIndication: 'FORMAT_FAILURE',
    });
  });

  it('after a P=2 certification the new field is no form filling', async () => {
    const report = await certified.verify(claim(certified.pdf));
    expect(byField(report, 'Officer')?.modification).toBe('ANNOTATIONS');
    expect(byField(report, 'Officer')?.indication).toBe('TOTAL_FAILED');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('under the security-updates policy the document fails too', async () => {
    const report = await verifyPdfSignatures(claim(approval.pdf), {
      trustAnchors: [approval.pki.root.cert],
      revocation: { crls: approval.pki.crls },
      policy: SECURITY,
    });
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(byField(report, 'Director')?.indication).toBe('TOTAL_FAILED');
  });
});

/** The signature is made by OpenSSL (`openssl cms`): part of the pdfsig tool set. */
const openssl = requireTool('pdfsig', { why: 'openssl makes the signature two fields hold' });

openssl.describe('a signature dictionary that two fields hold in the revision it signs', () => {
  it('is ambiguous: both fail, while the same signer with one field passes', async () => {
    const pki = await createSigningPki();
    const letter = await letterPdf();
    const cms = opensslCms(pki.officer, [pki.ca.cert]);
    const verify = (pdf: Uint8Array) =>
      verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });
    const single = await verify(foreignSign(letter, cms));
    expect(single.indication).toBe('TOTAL_PASSED');
    const twin = await verify(foreignSign(letter, cms, { twinField: true }));
    expect(twin.signatures.map((s) => s.fieldName).sort()).toEqual(['Signature1', 'Signature2']);
    for (const field of ['Signature1', 'Signature2']) {
      expect(byField(twin, field)?.indication).toBe('TOTAL_FAILED');
      expect(failedCheck(twin, field)).toMatchObject({ id: 'coverage', subIndication: 'FORMAT_FAILURE' });
    }
  });
});
