// Attack class: forged or unauthorised revocation data in an esign-signed document. Only the certificate's CA,
// or a responder it delegated OCSP signing to, may speak for a certificate: a CRL in the CA's name signed by
// another key, or an OCSP answer from a responder without id-kp-OCSPSigning, must not give a "good" status.
import { describe, expect, it } from 'vitest';
import {
  crlOf,
  extraIdentity,
  ocspAbout,
  outcome,
  REQUIRE_REVOCATION,
  signAs,
  signerUsage,
  verifyAgainst,
} from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const strict = { policy: REQUIRE_REVOCATION };

const pki = await createSigningPki();
const otherRoot = await extraIdentity(pki, 'Another Root', 900, undefined, {
  ca: true,
  keyUsage: ['keyCertSign', 'cRLSign'],
});
const rootCrl = pki.crls[1]!;

describe('who may speak for an esign signer', () => {
  it("a CRL in the CA's name signed by another CA's key: INDETERMINATE/TRY_LATER", async () => {
    const forged = await crlOf(pki, { signer: otherRoot });
    const pdf = await signAs(pki.officer, [pki.ca.cert], { crls: [forged, rootCrl] });
    const report = await verifyAgainst(pki, pdf, strict);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(report.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('does not verify');
  });

  it('a forged "good" CRL cannot hide the real revocation: INDETERMINATE/REVOKED_NO_POE', async () => {
    const forged = await crlOf(pki, { signer: otherRoot });
    const pdf = await signAs(pki.revoked, [pki.ca.cert], { crls: [forged, ...pki.crls] });
    expect(outcome(await verifyAgainst(pki, pdf, strict))).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
  });

  it('an OCSP "good" from a responder without id-kp-OCSPSigning: INDETERMINATE/TRY_LATER', async () => {
    const impostor = await extraIdentity(pki, 'Impostor responder', 901, pki.ca, {
      ...signerUsage,
      ocspNoCheck: true,
    });
    const answer = await ocspAbout(pki, pki.officer.cert, { responder: impostor });
    const pdf = await signAs(pki.officer, [pki.ca.cert], { ocsps: [answer], crls: [rootCrl] });
    const report = await verifyAgainst(pki, pdf, strict);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(report.signatures[0]!.revocation[0]!.considered?.[0]?.reason).toContain('OCSPSigning');
  });

  it('the same forgeries in /DSS of a B-LT signature: no pass either', async () => {
    const forged = await crlOf(pki, { signer: otherRoot });
    const pdf = await signAs(pki.officer, [pki.ca.cert], {
      crls: [forged, rootCrl],
      tsa: pki.tsa,
      level: 'B-LT',
    });
    expect(outcome(await verifyAgainst(pki, pdf, strict))).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });

  it('control: the CA-signed answer passes', async () => {
    const pdf = await signAs(pki.officer, [pki.ca.cert], { ocsps: [pki.officerOcsp], crls: [rootCrl] });
    expect(outcome(await verifyAgainst(pki, pdf, strict))).toEqual(['TOTAL_PASSED', undefined]);
  });
});
