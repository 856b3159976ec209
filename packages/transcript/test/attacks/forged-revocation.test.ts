// Attack class: forged or unauthorised revocation data. Only the certificate's CA, or a responder it delegated
// OCSP signing to (id-kp-OCSPSigning, issued by that CA, its own status settled by ocsp-nocheck or evidence),
// may speak for a certificate. A CRL signed by another CA, a responder without the EKU, a responder of unknown
// status, or an ocsp-nocheck extension slipped into a signer certificate must not produce a "good" status.
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../helpers/pki.js';
import {
  crlOf,
  DAY,
  EKU,
  extraIdentity,
  ocspAbout,
  outcome,
  signWith,
  verifyBoth,
} from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const signerUsage = {
  keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
};

describe('who may speak for a certificate', () => {
  it("a CRL in the CA's name signed by another CA's key: no status (TRY_LATER), never a pass", async () => {
    const forged = await crlOf(pki, { signer: pki.otherRoot });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { crls: [forged, pki.crlRoot] });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(strict.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('does not verify');
  });

  it('a forged "good" CRL cannot hide the real revocation', async () => {
    const forged = await crlOf(pki, { signer: pki.otherRoot });
    const pdf = await signWith(pki.revokedSigner, [pki.ca.cert], { crls: [forged, pki.crlCa, pki.crlRoot] });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
  });

  it('a delegated responder without id-kp-OCSPSigning is not a responder', async () => {
    const impostor = await extraIdentity(pki, 'Impostor responder', 400, pki.ca, {
      ...signerUsage,
      ocspNoCheck: true,
    });
    const answer = await ocspAbout(pki, pki.signer.cert, { responder: impostor });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [answer], crls: [pki.crlRoot] });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(strict.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('OCSPSigning');
  });

  it('a delegated responder without ocsp-nocheck whose own status is unknown is not trusted', async () => {
    const responder = await extraIdentity(pki, 'Unchecked responder', 401, pki.ca, {
      ...signerUsage,
      extendedKeyUsage: [EKU.ocspSigning],
    });
    const answer = await ocspAbout(pki, pki.signer.cert, { responder });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [answer], crls: [pki.crlRoot] });
    const { strict } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(strict.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('own status is unknown');
    // With ocsp-nocheck the CA vouches for it: accepted.
    const vouched = await extraIdentity(pki, 'Vouched responder', 402, pki.ca, {
      ...signerUsage,
      extendedKeyUsage: [EKU.ocspSigning],
      ocspNoCheck: true,
    });
    const ok = await signWith(pki.signer, [pki.ca.cert], {
      ocsps: [await ocspAbout(pki, pki.signer.cert, { responder: vouched })],
      crls: [pki.crlRoot],
    });
    expect((await verifyBoth(ok, { trust })).strict.indication).toBe('TOTAL_PASSED');
  });

  it('an ocsp-nocheck extension in a signer certificate does not exempt it from revocation', async () => {
    const sneaky = await extraIdentity(pki, 'Signer with nocheck', 403, pki.ca, {
      ...signerUsage,
      ocspNoCheck: true,
    });
    const revoking = await crlOf(pki, {
      revoked: [{ serialNumber: 403, date: new Date(pki.now.getTime() - DAY) }],
    });
    const pdf = await signWith(sneaky, [pki.ca.cert], { crls: [revoking, pki.crlRoot] });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
  });

  it('an answer signed by a stranger naming the CA is not evidence', async () => {
    const stranger = await extraIdentity(pki, 'Test Issuing CA', 404, undefined, signerUsage);
    const answer = await ocspAbout(pki, pki.signer.cert, { responder: stranger });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { ocsps: [answer], crls: [pki.crlRoot] });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });
});
