// Attack class: forged or unauthorised revocation data. Evidence only counts when the certificate's CA (or a
// responder it delegated OCSP signing to) signed it: a CRL signed by another CA, a CA without cRLSign, an OCSP
// answer from a responder without id-kp-OCSPSigning or issued by another CA, a responder whose own status is
// unknown or revoked, and answers about another certificate all prove nothing — a forged "good" must never
// pass a revoked or unknown certificate.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { createOcspResponse, type OcspResponseSpec } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const otherCa = await issue(now, 'Other CA', 70, h.root, CA_USAGE);
const rootCrl = await h.crl(h.root);

function ocsp(responder: Identity, extra: Partial<OcspResponseSpec> = {}) {
  return createOcspResponse({
    certificate: h.signer.cert,
    issuerCertificate: h.ca.cert,
    responderCertificate: responder.cert,
    responderKey: responder.key,
    status: 'good',
    thisUpdate: new Date(now.getTime() - DAY),
    nextUpdate: new Date(now.getTime() + DAY),
    ...extra,
  });
}

function validate(revocation: { crls?: Uint8Array[]; ocspResponses?: Uint8Array[] }) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: {
      crls: [rootCrl, ...(revocation.crls ?? [])],
      ocspResponses: revocation.ocspResponses ?? [],
    },
  });
}

function leafEvidence(r: Awaited<ReturnType<typeof validate>>) {
  return r.revocation[0]!.considered;
}

describe('CRLs', () => {
  it("a CRL with the CA's name but another CA's signature is not evidence", async () => {
    const forged = await h.crl(h.ca, { signer: otherCa });
    const r = await validate({ crls: [forged] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining('does not verify'),
    });
  });

  it('a forged "good" CRL cannot outvote a real revocation, and a forged revocation does not count either', async () => {
    const real = await h.crl(h.ca, {
      revoked: [{ serialNumber: h.signer.serial, date: new Date(now.getTime() - DAY) }],
    });
    expectOutcome(
      await validate({ crls: [await h.crl(h.ca, { signer: otherCa }), real] }),
      'INDETERMINATE',
      'REVOKED_NO_POE',
    );
    const forgedRevocation = await h.crl(h.ca, {
      signer: otherCa,
      revoked: [{ serialNumber: h.signer.serial, date: now }],
    });
    expectOutcome(await validate({ crls: [forgedRevocation, await h.crl(h.ca)] }), 'PASSED');
  });

  it('a CRL signed by a CA whose key usage lacks cRLSign is not evidence', async () => {
    const noCrlSign = await issue(now, 'No cRLSign CA', 71, h.root, { ca: true, keyUsage: ['keyCertSign'] });
    const leaf = await issue(now, 'Leaf', 72, noCrlSign, SIGNER_USAGE);
    const r = await validateCertificatePath(leaf.cert, {
      trustAnchors: h.root.cert,
      intermediates: [noCrlSign.cert],
      revocation: { crls: [await h.crl(noCrlSign), rootCrl] },
    });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]!.reason).toContain('cRLSign');
  });

  it('a delta CRL or a CRL for CA certificates only says nothing "good" about an end entity', async () => {
    const delta = await h.crl(h.ca, { deltaOf: 1, crlNumber: 2 });
    const caOnly = await h.crl(h.ca, { issuingDistributionPoint: { onlyCaCerts: true } });
    const r = await validate({ crls: [delta, caOnly] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)).toHaveLength(1);
    expect(leafEvidence(r)[0]!.reason).toContain('delta');
    // A delta CRL that lists the certificate still revokes it.
    const deltaRevoking = await h.crl(h.ca, {
      deltaOf: 1,
      revoked: [{ serialNumber: h.signer.serial, date: now }],
    });
    expectOutcome(
      await validate({ crls: [deltaRevoking, await h.crl(h.ca)] }),
      'INDETERMINATE',
      'REVOKED_NO_POE',
    );
  });

  it('a CRL for end entities only says nothing about a CA certificate', async () => {
    const userOnlyRootCrl = await h.crl(h.root, { issuingDistributionPoint: { onlyUserCerts: true } });
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls: [userOnlyRootCrl, await h.crl(h.ca)] },
    });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[1]).toMatchObject({ status: 'unknown', considered: [] });
  });

  it("the CA's own indirect CRL is its CRL; an entry under another CA's name is not one of its certificates", async () => {
    const listed = {
      serialNumber: h.signer.serial,
      date: new Date(now.getTime() - DAY),
      certificateIssuer: h.root.cert,
    };
    const indirect = await h.crl(h.ca, { issuingDistributionPoint: { indirect: true }, revoked: [listed] });
    expectOutcome(await validate({ crls: [indirect] }), 'PASSED');
    // certificateIssuer belongs to indirect CRLs: a direct CRL carrying it (critical) is not understood.
    const r = await validate({ crls: [await h.crl(h.ca, { revoked: [listed] })] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]!.reason).toContain('critical CRL entry extension 2.5.29.29');
  });
});

describe('OCSP responders', () => {
  it('an answer signed by a key that is neither the CA nor a delegated responder is not evidence', async () => {
    const stranger = await issue(now, 'Test CA', 73, undefined, SIGNER_USAGE); // the CA's name, its own key
    const r = await validate({ ocspResponses: [await ocsp(stranger)] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
  });

  it('a delegated responder without id-kp-OCSPSigning is refused', async () => {
    const noEku = await issue(now, 'Responder without EKU', 74, h.ca, { ...SIGNER_USAGE, ocspNoCheck: true });
    const r = await validate({ ocspResponses: [await ocsp(noEku)] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]!.reason).toContain('OCSPSigning');
  });

  it('a delegated responder issued by another CA is refused, even with id-kp-OCSPSigning', async () => {
    const foreign = await issue(now, 'Foreign responder', 75, otherCa, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [OCSP_SIGNING],
      ocspNoCheck: true,
    });
    const r = await validate({
      ocspResponses: [await ocsp(foreign, { certificates: [foreign.cert, otherCa.cert] })],
    });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]!.reason).toContain("certificate's CA");
  });

  it('a proper delegated responder with ocsp-nocheck is accepted (by name or by key hash)', async () => {
    const responder = await issue(now, 'OCSP Responder', 76, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [OCSP_SIGNING],
      ocspNoCheck: true,
    });
    const byName = await validate({ ocspResponses: [await ocsp(responder)] });
    expectOutcome(byName, 'PASSED');
    expect(byName.revocation[0]!.decidedBy).toMatchObject({
      type: 'ocsp',
      issuer: expect.stringContaining('OCSP Responder'),
    });
    expectOutcome(
      await validate({ ocspResponses: [await ocsp(responder, { responderIdByKey: true })] }),
      'PASSED',
    );
  });

  it('without ocsp-nocheck the responder needs its own status: unknown or revoked refuses it', async () => {
    const responder = await issue(now, 'Checked Responder', 77, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: [OCSP_SIGNING],
    });
    const answer = await ocsp(responder, { producedAt: now });
    expect(leafEvidence(await validate({ ocspResponses: [answer] }))[0]!.reason).toContain(
      'own status is unknown',
    );
    // The CA's CRL says the responder is fine: accepted.
    expectOutcome(await validate({ ocspResponses: [answer], crls: [await h.crl(h.ca)] }), 'PASSED');
    // Revoked before it signed: refused, and the (good) CRL cannot speak for the signer... it can: the CRL
    // itself covers the signer, so the result rests on the CRL alone.
    const revokedResponder = await h.crl(h.ca, {
      revoked: [{ serialNumber: 77, date: new Date(now.getTime() - DAY) }],
    });
    const r = await validate({ ocspResponses: [answer], crls: [revokedResponder] });
    expectOutcome(r, 'PASSED');
    const o = leafEvidence(r).find((e) => e.type === 'ocsp')!;
    expect(o).toMatchObject({ usable: false, reason: expect.stringContaining('revoked') });
    expect(r.revocation[0]!.decidedBy?.type).toBe('crl');
  });

  it('an answer about another certificate (serial) says nothing about this one', async () => {
    const other = await issue(now, 'Another signer', 101, h.ca, SIGNER_USAGE);
    const aboutOther = await createOcspResponse({
      certificate: other.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good',
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + DAY),
    });
    const r = await validate({ ocspResponses: [aboutOther] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)).toEqual([]);
  });

  it('an "unknown" answer and a tryLater response carry no status', async () => {
    const unknown = await ocsp(h.ca, { status: 'unknown' });
    const r = await validate({ ocspResponses: [unknown] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]!.reason).toContain('does not know');
  });

  it('a response whose bytes were altered after signing is not evidence', async () => {
    const good = await ocsp(h.ca);
    const tampered = Uint8Array.from(good);
    // Flip a byte of the status region: the parse may still succeed, the signature must not.
    const idx = Buffer.from(good).indexOf(Buffer.from([0x80, 0x00])); // [0] IMPLICIT NULL = good
    tampered[idx] = 0x82; // → unknown
    const r = await validate({ ocspResponses: [tampered] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(leafEvidence(r)[0]).toMatchObject({ usable: false, reason: expect.stringContaining('signature') });
  });
});
