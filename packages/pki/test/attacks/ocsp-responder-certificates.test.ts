// Attack class: a look-alike in the unsigned certificate list of an OCSP response; and its quirk, a response that
// leaves the responder's certificate out (RFC 6960 §4.2.1: `certs` is optional; OpenSSL's -resp_no_certs, verified
// with -verify_other), the certificate coming with the other certificates at hand (a PDF's /DSS, `intermediates`).
// The `certs` of a
// BasicOCSPResponse are outside what the responder signs: anyone who passes the response on (a proxy on the
// plain-http responder URL, whoever edits a PDF's /DSS) can add certificates to it. A certificate carrying the
// responder's name (or key) listed before the real responder's must not hide it: otherwise a "revoked" answer is
// thrown away and an older "good" CRL decides. As for a time-stamp's TSA, of the certificates the responderID
// names, the one that is authorised and whose key verifies the response is the responder.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { createOcspResponse, type OcspResponseSpec } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const HOUR = 3_600_000;
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const responder = await issue(now, 'OCSP Responder', 80, h.ca, {
  ...SIGNER_USAGE,
  extendedKeyUsage: [OCSP_SIGNING],
  ocspNoCheck: true,
});
const strangerCa = await issue(now, 'Stranger CA', 81, undefined, CA_USAGE);
/** The responder's name, another key, from another hierarchy. */
const sameName = await issue(now, 'OCSP Responder', 82, strangerCa, {
  ...SIGNER_USAGE,
  extendedKeyUsage: [OCSP_SIGNING],
  ocspNoCheck: true,
});
/** The responder's key under another name, certified by nobody the path knows (its signature is another key's). */
const sameKey = await issue(now, 'Not the responder', 83, strangerCa, {
  ...SIGNER_USAGE,
  keyPair: { publicKey: responder.publicKey, privateKey: responder.key },
});
const rootCrl = await h.crl(h.root);
/** The CA's CRL from before the revocation: fresh, and silent about the signer. */
const olderCrl = await h.crl(h.ca, { thisUpdate: new Date(now.getTime() - 2 * DAY) });

function revokedAnswer(certificates: Identity[], extra: Partial<OcspResponseSpec> = {}) {
  return createOcspResponse({
    certificate: h.signer.cert,
    issuerCertificate: h.ca.cert,
    responderCertificate: responder.cert,
    responderKey: responder.key,
    status: 'revoked',
    revokedAt: new Date(now.getTime() - 2 * HOUR),
    revocationReason: 'keyCompromise',
    thisUpdate: new Date(now.getTime() - HOUR),
    nextUpdate: new Date(now.getTime() + DAY),
    certificates: certificates.map((c) => c.cert),
    ...extra,
  });
}

async function validate(ocsp: Uint8Array, intermediates: Identity[] = []) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert, ...intermediates.map((c) => c.cert)],
    at: now,
    timeProven: true,
    revocation: { crls: [rootCrl, olderCrl], ocspResponses: [ocsp] },
  });
}

describe('a look-alike responder certificate listed first', () => {
  it('control: the revoked answer with the responder certificate alone revokes', async () => {
    expectOutcome(await validate(await revokedAnswer([responder])), 'FAILED', 'REVOKED');
  });

  it('by name: a same-named certificate of another hierarchy does not hide the responder', async () => {
    const r = await validate(await revokedAnswer([sameName, responder]));
    expectOutcome(r, 'FAILED', 'REVOKED');
    expect(r.revocation[0]!.decidedBy?.type).toBe('ocsp');
  });

  it('by key hash: a certificate of the same key under another name does not hide the responder', async () => {
    const r = await validate(await revokedAnswer([sameKey, responder], { responderIdByKey: true }));
    expectOutcome(r, 'FAILED', 'REVOKED');
  });

  it('the CA named by its own name is still tried first; a look-alike of it changes nothing', async () => {
    const caLookAlike = await issue(now, 'Test CA', 84, strangerCa, CA_USAGE);
    const byCa = await revokedAnswer([caLookAlike], {
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
    });
    expectOutcome(await validate(byCa), 'FAILED', 'REVOKED');
  });

  it('only look-alikes: the answer is not evidence, and says why', async () => {
    const r = await validate(await revokedAnswer([sameName]));
    expectOutcome(r, 'PASSED');
    const o = r.revocation[0]!.considered.find((e) => e.type === 'ocsp')!;
    expect(o).toMatchObject({ usable: false, reason: expect.stringContaining("certificate's CA") });
  });
});

describe('a response without the responder certificate', () => {
  it('the delegated responder certificate given with the other certificates authenticates it', async () => {
    const bare = await revokedAnswer([]);
    const r = await validate(bare, [responder]);
    expectOutcome(r, 'FAILED', 'REVOKED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({
      type: 'ocsp',
      issuer: expect.stringContaining('OCSP Responder'),
    });
    const good = await revokedAnswer([], { status: 'good' });
    const g = await validate(good, [responder]);
    expectOutcome(g, 'PASSED');
    expect(g.revocation[0]!.decidedBy?.type).toBe('ocsp');
  });

  it('by key hash as well; and a look-alike given first does not hide it', async () => {
    const bare = await revokedAnswer([], { responderIdByKey: true });
    expectOutcome(await validate(bare, [sameKey, responder]), 'FAILED', 'REVOKED');
    expectOutcome(await validate(await revokedAnswer([]), [sameName, responder]), 'FAILED', 'REVOKED');
  });

  it('without it anywhere the answer is not evidence, and says why', async () => {
    const r = await validate(await revokedAnswer([]));
    expectOutcome(r, 'PASSED');
    const o = r.revocation[0]!.considered.find((e) => e.type === 'ocsp')!;
    expect(o).toMatchObject({ usable: false, reason: expect.stringContaining('neither the CA') });
  });

  it('a certificate given apart is held to the same rules: one without id-kp-OCSPSigning is refused', async () => {
    const noEku = await issue(now, 'OCSP Responder', 85, h.ca, { ...SIGNER_USAGE, ocspNoCheck: true });
    const answer = await revokedAnswer([], { responderCertificate: noEku.cert, responderKey: noEku.key });
    const r = await validate(answer, [noEku]);
    expectOutcome(r, 'PASSED');
    const o = r.revocation[0]!.considered.find((e) => e.type === 'ocsp')!;
    expect(o).toMatchObject({ usable: false, reason: expect.stringContaining('OCSPSigning') });
  });
});
