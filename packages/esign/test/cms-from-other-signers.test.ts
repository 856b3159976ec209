// CMS shapes other signers write, which RFC 5652 allows and Acrobat, poppler, OpenSSL and EU DSS accept:
// - no signed attributes (§5.4: the signature is then over the content itself, here the bytes /ByteRange covers);
//   older signers and OpenSSL's `-noattr` write such signatures into adbe.pkcs7.detached fields. PAdES
//   (ETSI.CAdES.detached) requires the attributes. With no messageDigest to compare, the signature value is the
//   only thing that binds the bytes, so it must be checked over exactly the signed ranges;
// - no `certificates` (optional in SignedData): the signer certificate then comes from /DSS, and a look-alike
//   there (same issuer and serial, another key) must neither pass nor hide the real one.
import { createHash, KeyObject, sign } from 'node:crypto';
import { OID } from '@thgov/pki/internal';
import { requireTool } from '@thgov/testkit';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyPool } from '../src/cms/evidence.js';
import { verifyCmsSignature } from '../src/cms/verify-cms.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, type Identity, issue, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

async function signed(subFilter: 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached') {
  return signPdf(letter, {
    signer: signerFor(pki, pki.officer),
    subFilter,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls },
  });
}

function byteRange(pdf: Uint8Array): [number, number, number, number] {
  const m = [
    ...Buffer.from(pdf)
      .toString('latin1')
      .matchAll(/\/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]/g),
  ];
  return m.at(-1)!.slice(1, 5).map(Number) as [number, number, number, number];
}

const certOf = (der: Uint8Array) => pkijs.Certificate.fromBER(Uint8Array.from(der).buffer);

/**
 * A SignedData whose one SignerInfo has no signed attributes: `signature` is over `content` with `signerKey`
 * (the officer's unless told), the certificates are the officer's and the CA's.
 */
function cmsWithoutAttributes(
  content: Uint8Array,
  options: { signer?: Identity; eContentType?: string } = {},
): Uint8Array {
  const key = KeyObject.from((options.signer ?? pki.officer).key as never);
  const officer = certOf(pki.officer.cert);
  const si = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: officer.issuer, serialNumber: officer.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: '1.2.840.113549.1.1.1',
      algorithmParams: new asn1js.Null(),
    }),
    signature: new asn1js.OctetString({ valueHex: sign('sha256', content, key) }),
  });
  const sd = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: options.eContentType ?? OID.data }),
    certificates: [officer, certOf(pki.ca.cert)],
    signerInfos: [si],
  });
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}

/** `pdf` with its last signature's /Contents replaced by `cms` (the signed bytes are unchanged). */
function withContents(pdf: Uint8Array, cms: Uint8Array): Uint8Array {
  const [a, b, c] = byteRange(pdf);
  const hex = Buffer.from(cms).toString('hex');
  const slot = c - (a + b) - 2;
  expect(hex.length).toBeLessThanOrEqual(slot);
  const out = Buffer.from(pdf);
  out.write(hex.padEnd(slot, '0'), a + b + 1, 'latin1');
  return new Uint8Array(out);
}

function signedBytes(pdf: Uint8Array): Uint8Array {
  const [a, b, c, d] = byteRange(pdf);
  return Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
}

const cmsStep = (r: Awaited<ReturnType<typeof verify>>) => r.signatures[0]!.checks.find((c) => c.step === 7)!;

describe('PKCS#7 without signed attributes', () => {
  it('adbe.pkcs7.detached: verifies over the signed bytes, with a warning that nothing binds the certificate', async () => {
    const pdf = await signed('adbe.pkcs7.detached');
    const bare = withContents(pdf, cmsWithoutAttributes(signedBytes(pdf)));
    const r = await verify(bare);
    expect(r.indication, JSON.stringify(cmsStep(r))).toBe('TOTAL_PASSED');
    expect(cmsStep(r)).toMatchObject({ status: 'PASSED', evidence: { ess: false, signedAttributes: false } });
    expect(cmsStep(r).warnings.join(' ')).toContain('no signed attributes');
    expect(r.signatures[0]!.signer?.subject).toContain('Test Officer');
  });

  it('a signature over other bytes fails: a changed byte in the signed range, or the hash of the bytes signed', async () => {
    const pdf = await signed('adbe.pkcs7.detached');
    const bytes = signedBytes(pdf);
    const changed = Buffer.from(bytes);
    const at = changed.length - 10;
    changed[at] = (changed[at] ?? 0) ^ 1;
    const hashOnly = createHash('sha256').update(bytes).digest();
    for (const content of [changed, hashOnly]) {
      const r = await verify(withContents(pdf, cmsWithoutAttributes(content)));
      expect(cmsStep(r)).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
      expect(r.indication).toBe('TOTAL_FAILED');
    }
  });

  it('another key than the certificate names fails', async () => {
    const pdf = await signed('adbe.pkcs7.detached');
    const r = await verify(
      withContents(pdf, cmsWithoutAttributes(signedBytes(pdf), { signer: pki.director })),
    );
    expect(cmsStep(r)).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });

  it('ETSI.CAdES.detached requires signed attributes (PAdES): FORMAT_FAILURE', async () => {
    const pdf = await signed('ETSI.CAdES.detached');
    const r = await verify(withContents(pdf, cmsWithoutAttributes(signedBytes(pdf))));
    expect(cmsStep(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('content other than id-data requires signed attributes (RFC 5652 §5.3): FORMAT_FAILURE', async () => {
    const pdf = await signed('adbe.pkcs7.detached');
    const cms = cmsWithoutAttributes(signedBytes(pdf), { eContentType: OID.tstInfo });
    const r = await verify(withContents(pdf, cms));
    expect(cmsStep(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
  });
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent verifier of the same signature' });
pdfsig.describe('poppler pdfsig agrees', () => {
  let db: import('./helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    db = PdfsigDb.create(pki.root.cert);
  });

  it('valid without signed attributes; a digest mismatch once a signed byte changes', async () => {
    const pdf = await signed('adbe.pkcs7.detached');
    const bytes = signedBytes(pdf);
    expect(db.check(withContents(pdf, cmsWithoutAttributes(bytes)))).toContain('Signature is Valid.');
    const changed = Buffer.from(bytes);
    const at = changed.length - 10;
    changed[at] = (changed[at] ?? 0) ^ 1;
    expect(db.check(withContents(pdf, cmsWithoutAttributes(changed)))).not.toContain('Signature is Valid.');
  });
});

describe('a CMS without the signer certificate (it is in /DSS)', () => {
  /** The CMS of `pdf`'s first signature with its certificates removed (the SignerInfo is untouched). */
  function withoutCertificates(pdf: Uint8Array): Uint8Array {
    const m = /\/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]/.exec(Buffer.from(pdf).toString('latin1'))!;
    const [a, b, c] = m.slice(1, 4).map(Number) as [number, number, number];
    const hex = Buffer.from(pdf.subarray(a + b + 1, c - 1)).toString('latin1');
    const asn = asn1js.fromBER(Buffer.from(hex, 'hex'));
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    const sd = new pkijs.SignedData({ schema: ci.content });
    delete sd.certificates;
    const cms = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
    const out = Buffer.from(pdf);
    out.write(
      Buffer.from(cms.toSchema().toBER(false))
        .toString('hex')
        .padEnd(c - 1 - (a + b + 1), '0'),
      a + b + 1,
      'latin1',
    );
    return new Uint8Array(out);
  }

  /** The /Contents bytes of `pdf` without the CMS's certificates (zero padding included, as a verifier reads it). */
  function cmsWithoutCertificates(pdf: Uint8Array): Uint8Array {
    const [a, b, c] = byteRange(pdf);
    const hex = Buffer.from(withoutCertificates(pdf).subarray(a + b + 1, c - 1)).toString('latin1');
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  const signedParts = (pdf: Uint8Array) => {
    const [a, b, c, d] = byteRange(pdf);
    return [pdf.subarray(a, a + b), pdf.subarray(c, c + d)];
  };

  it('the signer is found in /DSS and the signature verifies; without /DSS it stays not found', async () => {
    const options = { signer: signerFor(pki, pki.officer), trustAnchors: pki.root.cert, tsa: pki.tsa };
    const lt = await signPdf(letter, { ...options, level: 'B-LT', validationData: { crls: pki.crls } });
    const r = await verify(withoutCertificates(lt));
    const sig = r.signatures[0]!;
    expect(r.indication, JSON.stringify(sig.checks.filter((c) => c.status !== 'PASSED'))).toBe(
      'TOTAL_PASSED',
    );
    expect(sig.signer?.subject).toContain('Test Officer');
    const bb = await signPdf(letter, { ...options, level: 'B-B', validationData: { crls: pki.crls } });
    const none = await verify(withoutCertificates(bb));
    expect(none.signatures[0]!.checks.find((c) => c.step === 8)).toMatchObject({
      status: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
    });
  });

  it('a look-alike in /DSS (same issuer and serial, another key) neither passes nor hides the real certificate', async () => {
    const fakeCa = await issue(pki.now, 'esign Test Issuing CA', 2, undefined, {
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const lookalike = await issue(pki.now, 'Test Officer', 100, fakeCa, {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    const pdf = await signed('adbe.pkcs7.detached');
    const cms = cmsWithoutCertificates(pdf);
    const parts = signedParts(pdf);
    const run = (dssCerts: Uint8Array[]) =>
      verifyCmsSignature(cms, parts, { cades: false, pool: emptyPool(), dssCerts });
    const alone = await run([lookalike.cert]);
    expect(alone.check).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
    const first = await run([lookalike.cert, pki.officer.cert]);
    expect(first.check.status).toBe('PASSED');
    expect(first.signerCertSource).toBe('dss');
    expect(Buffer.from(first.signerCert!.toSchema().toBER(false)).equals(Buffer.from(pki.officer.cert))).toBe(
      true,
    );
  });
});
