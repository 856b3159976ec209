import { requireTool } from '@thgov/testkit';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };

async function sign(level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA') {
  return signPdf(letter, {
    signer: signerFor(pki, pki.officer),
    level,
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    reason: 'อนุมัติ / Approved',
    location: 'Bangkok',
  });
}

/** The officer's RSA key, signing with RSASSA-PSS (the CMS then carries RFC 4055 parameters). */
const pssSigned = await signPdf(letter, {
  signer: { ...signerFor(pki, pki.officer), schemes: ['RSA-PSS'] },
  level: 'B-T',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});

const signed = {
  'B-B': await sign('B-B'),
  'B-T': await sign('B-T'),
  'B-LT': await sign('B-LT'),
  'B-LTA': await sign('B-LTA'),
};

describe('signPdf at every PAdES baseline level', () => {
  for (const level of ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const) {
    it(`${level}: verifies TOTAL_PASSED and reports ${level}`, async () => {
      const pdf = signed[level];
      // An incremental update: the original bytes are a prefix of the signed file.
      expect(Buffer.from(pdf.subarray(0, letter.length)).equals(Buffer.from(letter))).toBe(true);
      const report = await verifyPdfSignatures(pdf, verifyOptions);
      expect(report.indication).toBe('TOTAL_PASSED');
      const sig = report.signatures.find((s) => s.kind === 'signature')!;
      expect(sig.subFilter).toBe('ETSI.CAdES.detached');
      expect(sig.level).toBe(level);
      expect(sig.signingTime.claimedCms).toBeUndefined();
      expect(sig.signingTime.claimedPdf).toMatch(/^D:\d{14}Z$/);
      expect(report.signatures.filter((s) => s.kind === 'document-timestamp')).toHaveLength(
        level === 'B-LTA' ? 1 : 0,
      );
    });
  }

  it('Adobe-style adbe.pkcs7.detached stays available and reports no PAdES level', async () => {
    const pdf = await signPdf(letter, {
      signer: signerFor(pki, pki.officer),
      subFilter: 'adbe.pkcs7.detached',
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const report = await verifyPdfSignatures(pdf, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.subFilter).toBe('adbe.pkcs7.detached');
    expect(report.signatures[0]?.level).toBeUndefined();
  });
});

describe('RSASSA-PSS signatures', () => {
  it('a PSS signature verifies, and says so in its evidence', async () => {
    const report = await verifyPdfSignatures(pssSigned, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    const cms = report.signatures[0]!.checks.find((c) => c.step === 7)!;
    expect(cms.evidence).toMatchObject({ signatureAlgorithm: '1.2.840.113549.1.1.10' });
  });

  it('a PSS signature whose salt length was changed after signing fails', async () => {
    const pdf = Buffer.from(pssSigned);
    // [2] { INTEGER 32 }: the SignerInfo's declared salt length, inside /Contents as hex.
    const at = pdf.indexOf(Buffer.from('a203020120', 'latin1'));
    expect(at).toBeGreaterThan(0);
    pdf.write('14', at + 8, 'latin1');
    const report = await verifyPdfSignatures(new Uint8Array(pdf), verifyOptions);
    expect(report.signatures[0]!.checks.find((c) => c.step === 7)).toMatchObject({
      status: 'FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
    });
  });
});

describe('a TSA that leaves its certificate out of the token (certReq false, RFC 3161 §2.4.1)', () => {
  it('B-LT carries the TSA certificate in /DSS, and the time-stamp verifies from there', async () => {
    const tsa: typeof pki.tsa = async (request) => {
      const token = await pki.tsa(request);
      const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(Uint8Array.from(token)).result });
      const sd = new pkijs.SignedData({ schema: ci.content });
      delete sd.certificates;
      return new Uint8Array(
        new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) })
          .toSchema()
          .toBER(false),
      );
    };
    const pdf = await signPdf(letter, {
      signer: signerFor(pki, pki.officer),
      level: 'B-LT',
      tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp], certificates: [pki.tsaCert] },
    });
    const report = await verifyPdfSignatures(pdf, verifyOptions);
    const sig = report.signatures[0]!;
    expect(report.indication, JSON.stringify(sig.checks.filter((c) => c.status !== 'PASSED'))).toBe(
      'TOTAL_PASSED',
    );
    expect(sig.signingTime.proof).toBe('signature-timestamp');
    expect(sig.level).toBe('B-LT');
  });
});

const qpdf = requireTool('qpdf', { why: 'qpdf as an independent check of the written structure' });
qpdf.describe('qpdf --check on esign output', async () => {
  const { qpdfCheck } = await import('./helpers/qpdf.js');
  for (const level of ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const) {
    it(`${level}: no errors, no warnings`, () => {
      const r = qpdfCheck(signed[level]);
      expect(r.output).toContain('No syntax or stream encoding errors found');
      expect(r.output).not.toMatch(/WARNING/);
      expect(r.status).toBe(0);
    });
  }
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent verifier of esign signatures' });
pdfsig.describe('poppler pdfsig on esign signatures', async () => {
  // Set up in beforeAll: a skipped describe's body still runs to collect its tests, without the tool.
  let db: import('./helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    db = PdfsigDb.create(pki.root.cert);
  });
  for (const level of ['B-B', 'B-T'] as const) {
    it(`${level}: valid, trusted, total document signed`, () => {
      const out = db.check(signed[level]);
      expect(out).toContain('Signature Validation: Signature is Valid.');
      expect(out).toContain('Certificate Validation: Certificate is Trusted.');
      expect(out).toContain('Total document signed');
    });
  }
  it('RSASSA-PSS: valid and trusted', () => {
    const out = db.check(pssSigned);
    expect(out).toContain('Signature Validation: Signature is Valid.');
    expect(out).toContain('Certificate Validation: Certificate is Trusted.');
  });
  for (const level of ['B-LT', 'B-LTA'] as const) {
    it(`${level}: the signature stays valid and trusted (later revisions add /DSS or a time-stamp)`, () => {
      const out = db.check(signed[level]);
      expect(out).toContain('Signature Validation: Signature is Valid.');
      expect(out).toContain('Certificate Validation: Certificate is Trusted.');
    });
  }
});
