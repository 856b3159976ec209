// A signature time-stamp that does not cover the signature (wrong imprint) or comes from an untrusted TSA
// proves no time: the signature must not be reported at B-T or above.
import { createCertificate, createTimeStampAuthority, generateSigningKeyPair } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../../src/errors.js';
import { PdfDocument } from '../../src/pdf/document.js';
import { signCms } from '../../src/sign/cms.js';
import { fillContents, prepareSignature } from '../../src/sign/placeholder.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };

async function signWith(tsa: Parameters<typeof signPdf>[1]['tsa']) {
  return signPdf(await letterPdf(), {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls },
  });
}

describe('substituted signature time-stamps', () => {
  it('a token over another imprint is refused while signing (ERR_ESIGN_TSA)', async () => {
    const wrongImprint: typeof pki.tsa = (req) =>
      pki.tsa({ ...req, imprint: new Uint8Array(req.imprint.length) });
    const err = await signWith(wrongImprint).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
  });

  it('a token naming another imprint algorithm than the one asked is refused while signing (no silent B-B)', async () => {
    // The TSA echoes the imprint bytes but labels them with its own default algorithm: the token would never
    // verify (the verifier hashes the signature value with the algorithm the token names).
    const relabelled: typeof pki.tsa = (req) =>
      pki.tsa({ ...req, hashAlgorithm: req.hashAlgorithm === 'SHA-512' ? 'SHA-384' : 'SHA-512' });
    const err = await signWith(relabelled).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
  });

  it('a token over another imprint slipped into a signature: no proven time, level B-B', async () => {
    // Built below the signing-time check: the CMS layer is handed the wrong token directly.
    const letter = await letterPdf();
    const prepared = prepareSignature(new PdfDocument(letter), letter, {
      kind: 'signature',
      subFilter: 'ETSI.CAdES.detached',
      contentsSize: 20_000,
      signingTime: new Date(),
    });
    const cms = await signCms({
      parts: prepared.parts,
      signer: signerFor(pki, pki.officer),
      digest: 'SHA-256',
      cades: true,
      signingTime: new Date(),
      timeStamp: (req) => pki.tsa({ ...req, imprint: new Uint8Array(req.imprint.length) }),
    });
    const report = await verifyPdfSignatures(fillContents(prepared, cms), verifyOptions);
    const sig = report.signatures[0]!;
    expect(sig.signingTime.proof).toBe('none');
    expect(sig.level).toBe('B-B');
  });

  it('a token from a TSA outside the trust anchors: level B-B at most', async () => {
    const kp = await generateSigningKeyPair();
    const cert = await createCertificate({
      subject: { commonName: 'Rogue TSA', country: 'TH' },
      publicKey: kp.publicKey,
      signingKey: kp.privateKey,
      serialNumber: 7,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
      extendedKeyUsageCritical: true,
    });
    const rogue = createTimeStampAuthority({ certificate: cert, privateKey: kp.privateKey });
    const report = await verifyPdfSignatures(await signWith(rogue), verifyOptions);
    expect(report.signatures[0]?.level).not.toBe('B-T');
  });
});
