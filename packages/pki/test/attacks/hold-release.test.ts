// Quirk class: a suspension that has ended. A CA puts a certificate on hold (reasonCode certificateHold) and later
// releases it: its next complete CRL no longer lists it, or a delta CRL lists it with removeFromCRL (RFC 5280
// §5.3.1, §6.3.3). Unlike a revocation, a hold is not permanent: the newest authoritative information decides.
// A hold that newer evidence does not release, a hold known to have lasted over the validated time, and a real
// revocation stay as they were.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { createOcspResponse } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
const heldAt = new Date(now.getTime() - 5 * DAY);
const held = (reason: 'certificateHold' | 'keyCompromise' = 'certificateHold') => [
  { serialNumber: h.signer.serial, date: heldAt, reason },
];
// The CRL that put the certificate on hold: issued 4 days ago, still within its nextUpdate.
const holdCrl = await h.crl(h.ca, {
  crlNumber: 1,
  thisUpdate: new Date(now.getTime() - 4 * DAY),
  revoked: held(),
});

function validate(crls: Uint8Array[], extra: Record<string, unknown> = {}, ocsps: Uint8Array[] = []) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl, ...crls], ocspResponses: ocsps },
    ...extra,
  });
}

function ocsp(status: 'good' | 'revoked', thisUpdate: Date) {
  return createOcspResponse({
    certificate: h.signer.cert,
    issuerCertificate: h.ca.cert,
    responderCertificate: h.ca.cert,
    responderKey: h.ca.key,
    status,
    ...(status === 'revoked' ? { revokedAt: heldAt, revocationReason: 'certificateHold' as const } : {}),
    thisUpdate,
    nextUpdate: new Date(thisUpdate.getTime() + 7 * DAY),
  });
}

describe('a released hold', () => {
  it('a newer complete CRL that no longer lists the held certificate releases it', async () => {
    const newer = await h.crl(h.ca, { crlNumber: 2 });
    const r = await validate([holdCrl, newer]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'crl', status: 'good' });
    expect(r.revocation[0]!.decidedBy!.thisUpdate).toBe(new Date(now.getTime() - DAY).toISOString());
    expect(r.revocation[0]!.considered).toContainEqual(
      expect.objectContaining({ status: 'revoked', revocationReason: 'certificateHold', usable: false }),
    );
  });

  it('a newer delta CRL listing the certificate with removeFromCRL releases it', async () => {
    const delta = await h.crl(h.ca, {
      crlNumber: 2,
      deltaOf: 1,
      revoked: [{ serialNumber: h.signer.serial, date: now, reason: 'removeFromCRL' }],
    });
    const r = await validate([holdCrl, delta]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'crl', status: 'good', usable: true });
  });

  it('a newer OCSP "good" answer releases a hold an older OCSP answer reported', async () => {
    const r = await validate([], {}, [
      await ocsp('revoked', new Date(now.getTime() - 4 * DAY)),
      await ocsp('good', new Date(now.getTime() - DAY)),
    ]);
    expectOutcome(r, 'PASSED');
  });

  it('a hold in the newest CRL stands, whatever older CRLs or a forged newer one say', async () => {
    const older = await h.crl(h.ca, { thisUpdate: new Date(now.getTime() - 6 * DAY) });
    const forged = await h.crl(h.ca, { signer: h.root, crlNumber: 9 });
    const r = await validate([older, holdCrl, forged]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]!.revocationReason).toBe('certificateHold');
  });

  it('a delta CRL that does not speak of the certificate releases nothing', async () => {
    const delta = await h.crl(h.ca, { crlNumber: 2, deltaOf: 1 });
    expectOutcome(await validate([holdCrl, delta]), 'INDETERMINATE', 'REVOKED_NO_POE');
  });

  it('a hold known to cover the proven signing time is not undone by its later release', async () => {
    const newer = await h.crl(h.ca, { crlNumber: 2 });
    const during = new Date(now.getTime() - 4.5 * DAY);
    expectOutcome(await validate([holdCrl, newer], { at: during, timeProven: true }), 'FAILED', 'REVOKED');
  });

  it('a release issued after the proven time does not say the hold had ended by then', async () => {
    const newer = await h.crl(h.ca, { crlNumber: 2 });
    const between = new Date(now.getTime() - 2 * DAY);
    const r = await validate([holdCrl, newer], { at: between, timeProven: true });
    expect(r.indication).not.toBe('PASSED');
    expect(r.revocation[0]!.revocationReason).toBe('certificateHold');
  });

  it('a revocation for another reason is permanent: a newer CRL without it does not undo it', async () => {
    const revoking = await h.crl(h.ca, {
      crlNumber: 1,
      thisUpdate: new Date(now.getTime() - 4 * DAY),
      revoked: held('keyCompromise'),
    });
    const newer = await h.crl(h.ca, { crlNumber: 2 });
    expectOutcome(await validate([revoking, newer]), 'INDETERMINATE', 'REVOKED_NO_POE');
  });
});
