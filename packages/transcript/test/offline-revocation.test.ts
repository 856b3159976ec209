import { toPem } from '@thgov/pki';
import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures, verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';
import { ocspAbout, outcome } from './helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
// Files signed without any embedded revocation data, as many issuers produce them.
const good = await issueGood(pki, { revocation: false });
const revoked = await issueGood(pki, { signer: pki.revokedSigner, revocation: false });

describe('revocation data supplied by the verifier (closed networks)', () => {
  it('without it a good file is INDETERMINATE/TRY_LATER under the strict policy', async () => {
    expect(outcome(await verifyTranscript(good, { trust }))).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });

  it("with the CA's CRLs (DER or PEM) it is TOTAL_PASSED, and the report names the supplied evidence", async () => {
    for (const crls of [
      [pki.crlCa, pki.crlRoot],
      [toPem(pki.crlCa, 'X509 CRL') + toPem(pki.crlRoot, 'X509 CRL')],
    ]) {
      const r = await verifyTranscript(good, { trust, revocation: { crls } });
      expect(outcome(r)).toEqual(['TOTAL_PASSED', undefined]);
      expect(r.signatures[0]!.revocation.map((e) => [e.source, e.type, e.status, e.decided])).toEqual([
        ['supplied', 'crl', 'good', true],
        ['supplied', 'crl', 'good', true],
      ]);
    }
  });

  it('an OCSP response for the signer serves as well', async () => {
    const ocsp = await ocspAbout(pki, pki.signer.cert);
    const r = await verifyTranscript(good, {
      trust,
      revocation: { ocspResponses: [ocsp], crls: [pki.crlRoot] },
    });
    expect(outcome(r)).toEqual(['TOTAL_PASSED', undefined]);
    expect(r.signatures[0]!.revocation[0]).toMatchObject({ source: 'supplied', type: 'ocsp' });
  });

  it('a revoked signer is found out: TOTAL_FAILED/REVOKED with a time-stamp after the revocation', async () => {
    const r = await verifyTranscript(revoked, { trust, revocation: { crls: [pki.crlCa, pki.crlRoot] } });
    expect(outcome(r)).toEqual(['TOTAL_FAILED', 'REVOKED']);
    expect(
      (await verifyPdfSignatures(revoked, { trust, revocation: { crls: [pki.crlCa] } })).indication,
    ).toBe('TOTAL_FAILED');
  });

  it('unreadable supplied data and unknown keys are argument errors, not silently ignored', async () => {
    await expect(
      verifyTranscript(good, { trust, revocation: { crls: [new Uint8Array([1, 2, 3])] } }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining('revocation.crls[0]'),
    });
    await expect(
      verifyTranscript(good, { trust, revocation: { ocspResponses: [pki.crlCa] } }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      verifyTranscript(good, { trust, revocation: { crl: [pki.crlCa] } } as never),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining('crl'),
    });
  });
});
