// Attack class: conflicting revocation evidence. The reported attack: a "good" OCSP answer obtained before
// the revocation, embedded beside a CRL that revokes the signer, used to pass because the first fresh answer
// won. EN 319 102-1 / EU DSS: all evidence is evaluated and a revocation effective at or before the validated
// time wins over every "good" answer, and the result says which evidence decided.
import { describe, expect, it } from 'vitest';
import { parseCrl, parseOcspResponse, validateCertificatePath } from '../../src/index.js';
import { createOcspResponse } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const revokedAt = new Date(now.getTime() - 2 * DAY);
const rootCrl = await h.crl(h.root);

const goodOcspBefore = await createOcspResponse({
  certificate: h.signer.cert,
  issuerCertificate: h.ca.cert,
  responderCertificate: h.ca.cert,
  responderKey: h.ca.key,
  status: 'good',
  thisUpdate: new Date(now.getTime() - 3 * DAY),
  nextUpdate: new Date(now.getTime() + 4 * DAY),
});
const revokingCrl = await h.crl(h.ca, {
  revoked: [{ serialNumber: h.signer.serial, date: revokedAt, reason: 'keyCompromise' }],
});

function validate(crls: Uint8Array[], ocsps: Uint8Array[], extra: Record<string, unknown> = {}) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [...crls, rootCrl], ocspResponses: ocsps },
    ...extra,
  });
}

describe('all evidence is weighed; a revocation wins', () => {
  it('a good OCSP answer beside a revoking CRL: revoked, decided by the CRL', async () => {
    const r = await validate([revokingCrl], [goodOcspBefore]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.message).toContain('according to a CRL from supplied');
    const leaf = r.revocation[0]!;
    expect(leaf.status).toBe('revoked');
    expect(leaf.revokedAt).toBe(revokedAt.toISOString());
    expect(leaf.revocationReason).toBe('keyCompromise');
    expect(leaf.decidedBy).toMatchObject({ type: 'crl', status: 'revoked', usable: true });
    // The good answer was seen and is reported, but did not decide.
    expect(leaf.considered.map((e) => [e.type, e.status])).toEqual(
      expect.arrayContaining([
        ['crl', 'revoked'],
        ['ocsp', 'good'],
      ]),
    );
  });

  it('the order of the evidence does not matter', async () => {
    const a = await validate([revokingCrl], [goodOcspBefore]);
    const b = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { ocspResponses: [goodOcspBefore], crls: [rootCrl, revokingCrl] },
    });
    expect(b.subIndication).toBe(a.subIndication);
  });

  it('with the time proven after the revocation the result is FAILED/REVOKED', async () => {
    expectOutcome(
      await validate([revokingCrl], [goodOcspBefore], { at: now, timeProven: true }),
      'FAILED',
      'REVOKED',
    );
  });

  it('a revocation after the validated time is not a revocation at that time', async () => {
    const before = new Date(revokedAt.getTime() - DAY);
    const r = await validate([revokingCrl], [], { at: before, timeProven: true });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'crl', status: 'good', freshness: 'later' });
  });

  it('an OCSP revoked answer beside a good CRL: revoked, decided by the OCSP answer', async () => {
    const revokedOcsp = await createOcspResponse({
      certificate: h.signer.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'revoked',
      revokedAt,
      revocationReason: 'superseded',
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + DAY),
    });
    const r = await validate([await h.crl(h.ca)], [revokedOcsp]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'ocsp', revocationReason: 'superseded' });
    expect(r.message).toContain('(superseded), according to an OCSP response from supplied');
  });

  it('the earliest of several revocations decides', async () => {
    const later = await h.crl(h.ca, {
      revoked: [{ serialNumber: h.signer.serial, date: new Date(now.getTime() - DAY) }],
    });
    const r = await validate([later, revokingCrl], []);
    expect(r.revocation[0]!.revokedAt).toBe(revokedAt.toISOString());
  });

  it('a certificate on hold counts as revoked while the hold lasts', async () => {
    const held = await h.crl(h.ca, {
      revoked: [{ serialNumber: h.signer.serial, date: revokedAt, reason: 'certificateHold' }],
    });
    expectOutcome(await validate([held], [goodOcspBefore]), 'INDETERMINATE', 'REVOKED_NO_POE');
  });

  it('a revoked intermediate CA: REVOKED_CA_NO_POE', async () => {
    const revokingRootCrl = await h.crl(h.root, {
      revoked: [{ serialNumber: h.ca.serial, date: revokedAt }],
    });
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls: [await h.crl(h.ca), revokingRootCrl] },
    });
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_CA_NO_POE');
    expect(r.message).toContain('CA certificate #1');
  });

  it('parsed evidence keeps the source it was given, and reports name it', async () => {
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: {
        crls: [parseCrl(revokingCrl, { source: 'dss' }), rootCrl],
        ocspResponses: [parseOcspResponse(goodOcspBefore, { source: 'adbe-revocation-info' })],
      },
    });
    expect(r.revocation[0]!.decidedBy?.source).toBe('dss');
    expect(r.message).toMatch(/CRL .*dss/);
  });
});
