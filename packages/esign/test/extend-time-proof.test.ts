import { createCrl, createTimeStampAuthority } from '@thgov/pki/testing';
import { requireTool } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { extendPdf } from '../src/sign/extend.js';
import { addDocumentTimeStamp, signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, issue, letterPdf, signerFor } from './helpers/pki.js';

/**
 * Time proof of a signature when extending: only its own signature time-stamp, or a document time-stamp that
 * comes after it in the file (and so covers it). A document time-stamp written before the signature proves
 * nothing about it, whichever TSA made it.
 */
const DAY = 86_400_000;
const pki = await createSigningPki();
const ca_ = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as ('keyCertSign' | 'cRLSign')[] };
// A second TSA under its own CA (below the same root): /DSS holds its data only if extendPdf asks for it.
const tsaCa = await issue(pki.now, 'esign Test TSA CA', 300, pki.root, { ...ca_, pathLength: 0 });
const otherTsaId = await issue(pki.now, 'esign Other TSA', 301, tsaCa, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});
const otherTsa = createTimeStampAuthority({
  certificate: otherTsaId.cert,
  privateKey: otherTsaId.key,
  chain: [tsaCa.cert],
});
const tsaCaCrl = await createCrl({
  issuerCertificate: tsaCa.cert,
  signingKey: tsaCa.key,
  thisUpdate: new Date(pki.now.getTime() - DAY),
  nextUpdate: new Date(pki.now.getTime() + 7 * DAY),
  revoked: [],
});
const verifyOptions = { trustAnchors: [pki.root.cert] };
const sources = {
  trustAnchors: pki.root.cert,
  validationData: { crls: [...pki.crls, tsaCaCrl], ocspResponses: [pki.officerOcsp] },
};

/** A letter time-stamped (document time-stamp of the test PKI's TSA), then signed B-B after that time-stamp. */
async function signedAfterStamp(): Promise<Uint8Array> {
  const stamped = await addDocumentTimeStamp(await letterPdf(), { tsa: pki.tsa });
  return signPdf(stamped, { signer: signerFor(pki, pki.officer), level: 'B-B', ...sources });
}

const signatureOf = (report: Awaited<ReturnType<typeof verifyPdfSignatures>>) =>
  report.signatures.find((s) => s.kind === 'signature')!;

describe('extendPdf: a B-B signature after an earlier document time-stamp', () => {
  it('is B-B before: the earlier document time-stamp proves nothing about it', async () => {
    const report = await verifyPdfSignatures(await signedAfterStamp(), verifyOptions);
    expect(signatureOf(report).level).toBe('B-B');
  });

  it('B-LTA with another TSA: the signature gets its own document time-stamp, and reaches B-LTA', async () => {
    const bb = await signedAfterStamp();
    const lta = await extendPdf(bb, { level: 'B-LTA', tsa: otherTsa, ...sources });
    const report = await verifyPdfSignatures(lta, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(signatureOf(report).signingTime.proof).not.toBe('none');
    expect(signatureOf(report).level).toBe('B-LTA');
    // The earlier time-stamp, the signature's own, the archive time-stamp over /DSS.
    expect(report.signatures.filter((s) => s.kind === 'document-timestamp')).toHaveLength(3);
    expect(Buffer.from(lta.subarray(0, bb.length)).equals(Buffer.from(bb))).toBe(true);
  });

  it('B-LT with a tsa: a document time-stamp proves its time first, then /DSS covers that TSA', async () => {
    const lt = await extendPdf(await signedAfterStamp(), { level: 'B-LT', tsa: otherTsa, ...sources });
    const report = await verifyPdfSignatures(lt, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(signatureOf(report).level).toBe('B-LT');
  });

  it('B-LT without a tsa: refused (B-LT needs a proven time), not handed out as B-B with a /DSS', async () => {
    const err = await extendPdf(await signedAfterStamp(), { level: 'B-LT', ...sources }).catch(
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
  });
});

describe('extendPdf: B-T proven only by a later document time-stamp (no signature time-stamp)', () => {
  async function bbThenStamp(): Promise<Uint8Array> {
    const bb = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-B',
      ...sources,
    });
    return addDocumentTimeStamp(bb, { tsa: otherTsa });
  }

  it('is B-T, its time proven by the document time-stamp', async () => {
    const report = await verifyPdfSignatures(await bbThenStamp(), verifyOptions);
    expect(signatureOf(report).signingTime.proof).toBe('document-timestamp');
    expect(signatureOf(report).level).toBe('B-T');
  });

  it('B-LT needs no tsa: the later document time-stamp already proves its time; /DSS covers that TSA', async () => {
    const bt = await bbThenStamp();
    const lt = await extendPdf(bt, { level: 'B-LT', ...sources });
    const report = await verifyPdfSignatures(lt, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(signatureOf(report).level).toBe('B-LT');
    const lta = await extendPdf(lt, { level: 'B-LTA', tsa: pki.tsa, ...sources });
    expect(signatureOf(await verifyPdfSignatures(lta, verifyOptions)).level).toBe('B-LTA');
  });
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent verifier of extended signatures' });
pdfsig.describe('pdfsig on a signature extended after an earlier document time-stamp', () => {
  let db: import('./helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    db = PdfsigDb.create(pki.root.cert);
  });
  it('the signature stays valid and trusted; pdfsig sees its own document time-stamp too', async () => {
    const lta = await extendPdf(await signedAfterStamp(), { level: 'B-LTA', tsa: otherTsa, ...sources });
    const out = db.check(lta);
    expect(out).toContain('Signature Validation: Signature is Valid.');
    expect(out).toContain('Certificate Validation: Certificate is Trusted.');
    expect(out).not.toMatch(/Signature is Invalid|Digest Mismatch/);
    // pdfsig lists document time-stamps without verifying them: 1 earlier, the signature, 2 added.
    expect(out).toContain('Signature #4:');
  });
});
