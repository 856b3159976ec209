import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { addDocumentTimeStamp, signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { countingSigner, createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

/**
 * A certification (DocMDP) signature must be the first signature of a document (ISO 32000-1 §12.8.2.2): added
 * after an approval signature or a second certification, it rewrites the catalog (/Perms) behind the earlier
 * signatures, which then no longer verify. Such a request is refused before the key is used; the sequences that
 * are allowed (certify, then sign within P=2 or P=3) keep every signature valid for thgov and for poppler.
 */

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };
const common = { trustAnchors: pki.root.cert, validationData: { crls: pki.crls } };
const pdfsig = requireTool('pdfsig', {
  why: 'poppler checks every signature of a countersigned PDF independently',
});

async function refusedCertification(earlier: Uint8Array): Promise<void> {
  const signer = countingSigner(pki, pki.director);
  const err = await signPdf(earlier, { ...common, signer, certify: 2 }).catch((e: unknown) => e);
  expect(isEsignError(err, 'ERR_ESIGN_DOCUMENT')).toBe(true);
  expect((err as Error).message).toMatch(/certif/i);
  expect(signer.uses).toBe(0);
  // The earlier signatures are what the officer still has: intact.
  const report = await verifyPdfSignatures(earlier, verifyOptions);
  expect(report.signatures.length).toBeGreaterThan(0);
  expect(report.signatures.map((s) => s.indication)).toEqual(report.signatures.map(() => 'TOTAL_PASSED'));
}

describe('certification signatures come first', () => {
  it('certify on a PDF that already has an approval signature: ERR_ESIGN_DOCUMENT, key unused', async () => {
    const approved = await signPdf(await letterPdf(), { ...common, signer: signerFor(pki, pki.officer) });
    await refusedCertification(approved);
  });

  it('certify on a PDF that is already certified (a second DocMDP): ERR_ESIGN_DOCUMENT, key unused', async () => {
    for (const p of [2, 3] as const) {
      const certified = await signPdf(await letterPdf(), {
        ...common,
        signer: signerFor(pki, pki.officer),
        certify: p,
      });
      await refusedCertification(certified);
    }
  });

  it('certify on a PDF that carries a document time-stamp: ERR_ESIGN_DOCUMENT, key unused', async () => {
    const stamped = await addDocumentTimeStamp(await letterPdf(), { tsa: pki.tsa });
    await refusedCertification(stamped);
  });

  for (const p of [2, 3] as const) {
    it(`guard: certified P=${p}, then a visible approval signature: both verify`, async () => {
      const certified = await signPdf(await letterPdf(), {
        ...common,
        signer: signerFor(pki, pki.officer),
        certify: p,
        fieldName: 'Officer',
      });
      const countersigned = await signPdf(certified, {
        ...common,
        signer: signerFor(pki, pki.director),
        fieldName: 'Director',
        appearance: { rect: [300, 60, 540, 130], name: 'Director' },
      });
      const report = await verifyPdfSignatures(countersigned, verifyOptions);
      expect(report.signatures.map((s) => [s.fieldName, s.indication])).toEqual([
        ['Officer', 'TOTAL_PASSED'],
        ['Director', 'TOTAL_PASSED'],
      ]);
      expect(report.signatures[0]?.docMdp).toBe(p);
    });
  }

  pdfsig.it('guard: poppler validates both signatures of a certified-then-countersigned PDF', async () => {
    const certified = await signPdf(await letterPdf(), {
      ...common,
      signer: signerFor(pki, pki.officer),
      certify: 2,
      level: 'B-T',
      tsa: pki.tsa,
    });
    const countersigned = await signPdf(certified, {
      ...common,
      signer: signerFor(pki, pki.director),
      level: 'B-LTA',
      tsa: pki.tsa,
    });
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    const text = PdfsigDb.create(pki.root.cert).check(countersigned);
    const sections = text.split(/Signature #\d+:/).slice(1);
    // Two signatures and the archive time-stamp; every CMS signature is intact.
    expect(sections.length).toBe(3);
    expect(text.match(/Signature is Valid\./g)?.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/Signature is Invalid|Digest Mismatch/);
  });
});
