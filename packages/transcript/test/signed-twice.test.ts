// A transcript signed twice (the registrar, then the university seal) under the transcript policy: only security
// updates after the LAST approval signature (reference: transcript.md), so the seal does not fail the registrar's
// signature. Anything else between or after the two signatures still fails.
import { dict, name, PdfDict, PdfRef, str } from '@thgov/esign/internal';
import { describe, expect, it } from 'vitest';
import { signPdf, verifyTranscript } from '../src/index.js';
import { chainOf, issueGood, update } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const seal = (pdf: Uint8Array) =>
  signPdf(pdf, {
    signer: { key: pki.signer.key, chain: chainOf(pki.signer, pki) },
    subFilter: 'adbe.pkcs7.detached',
    when: pki.now,
    tsa: pki.tsaFn,
    revocation: { crls: [pki.crlCa, pki.crlRoot] },
    fieldName: 'Seal',
  });
const verify = (pdf: Uint8Array) => verifyTranscript(pdf, { trust: pki.root.cert });

const withAnnotation = (pdf: Uint8Array) =>
  update(pdf, ({ next, page }) => {
    const n = next();
    const annots = page.dict.get('Annots');
    const annot = dict({
      Type: name('Annot'),
      Subtype: name('FreeText'),
      Rect: [50, 700, 545, 800],
      Contents: str('GPA 4.00'),
    });
    const m = new Map(page.dict.map);
    m.set('Annots', [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)]);
    return new Map([
      [n, { value: annot }],
      [page.ref.num, { value: new PdfDict(m, -1, -1) }],
    ]);
  });

describe('a transcript signed twice under the transcript policy', () => {
  it('registrar, then seal: both signatures pass', async () => {
    const r = await verify(await seal(await issueGood(pki)));
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.indication).toBe('TOTAL_PASSED');
  });

  it('certified (P=2), then an approval signature: both pass', async () => {
    const r = await verify(await seal(await issueGood(pki, { certify: 2 })));
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.indication).toBe('TOTAL_PASSED');
  });

  it('an annotation slipped in between the signatures fails', async () => {
    const r = await verify(await seal(withAnnotation(await issueGood(pki))));
    expect(r.indication).not.toBe('TOTAL_PASSED');
    expect(r.signatures[0]?.indication).toBe('TOTAL_FAILED');
  });

  it('an annotation after the seal fails', async () => {
    const r = await verify(withAnnotation(await seal(await issueGood(pki))));
    expect(r.indication).not.toBe('TOTAL_PASSED');
  });
});
