// Attack class: stale or mistimed revocation data. A "good" answer from long before the validated time (the
// CA may have revoked since), one without nextUpdate kept for days, one older than the policy allows, or one
// dated in the future must not give a status. Evidence issued after the validated time does speak for it (a
// revocation at that time would be listed), unless the certificate had expired by then.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { createOcspResponse, type OcspResponseSpec } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root, {
  thisUpdate: new Date(now.getTime() - 100 * DAY),
  nextUpdate: new Date(now.getTime() + 100 * DAY),
});

function ocsp(extra: Partial<OcspResponseSpec>) {
  return createOcspResponse({
    certificate: h.signer.cert,
    issuerCertificate: h.ca.cert,
    responderCertificate: h.ca.cert,
    responderKey: h.ca.key,
    status: 'good',
    thisUpdate: now,
    ...extra,
  });
}

function validate(revocation: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const { crls = [], ...rest } = revocation as { crls?: Uint8Array[] };
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl, ...crls], ...rest },
    ...extra,
  });
}

describe('freshness', () => {
  it('a stale OCSP answer (nextUpdate before the validated time) gives no status: TRY_LATER', async () => {
    const stale = await ocsp({
      thisUpdate: new Date(now.getTime() - 20 * DAY),
      nextUpdate: new Date(now.getTime() - 13 * DAY),
    });
    const r = await validate({ ocspResponses: [stale] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining('stale'),
    });
    // The same answer covers a proven time inside its window: Adobe-LTV evidence predating the signature is fine.
    const signedAt = new Date(now.getTime() - 15 * DAY);
    const past = await validate({ ocspResponses: [stale] }, { at: signedAt, timeProven: true });
    expectOutcome(past, 'PASSED');
    expect(past.revocation[0]!.decidedBy?.freshness).toBe('covering');
  });

  it('a stale CRL gives no status either', async () => {
    const crl = await h.crl(h.ca, {
      thisUpdate: new Date(now.getTime() - 30 * DAY),
      nextUpdate: new Date(now.getTime() - 23 * DAY),
    });
    expectOutcome(await validate({ crls: [crl] }), 'INDETERMINATE', 'TRY_LATER');
  });

  it('an OCSP answer without nextUpdate counts for 24 hours by default, and as configured', async () => {
    const fresh = await ocsp({ thisUpdate: new Date(now.getTime() - 3_600_000) });
    expectOutcome(await validate({ ocspResponses: [fresh] }), 'PASSED');
    const old = await ocsp({ thisUpdate: new Date(now.getTime() - 2 * DAY) });
    expectOutcome(await validate({ ocspResponses: [old] }), 'INDETERMINATE', 'TRY_LATER');
    expectOutcome(await validate({ ocspResponses: [old], maxAgeWithoutNextUpdateInMs: 3 * DAY }), 'PASSED');
    expectOutcome(
      await validate({ ocspResponses: [fresh], maxAgeWithoutNextUpdateInMs: 60_000 }),
      'INDETERMINATE',
      'TRY_LATER',
    );
  });

  it('a policy maximum age is stricter than nextUpdate', async () => {
    const weekly = await h.crl(h.ca, {
      thisUpdate: new Date(now.getTime() - 3 * DAY),
      nextUpdate: new Date(now.getTime() + 4 * DAY),
    });
    expectOutcome(await validate({ crls: [weekly] }), 'PASSED');
    const r = await validate({ crls: [weekly], maxAgeInMs: DAY });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.message).toContain('maximum age');
  });

  it('evidence dated in the future (beyond the clock skew) is refused', async () => {
    const future = await ocsp({
      thisUpdate: new Date(now.getTime() + DAY),
      nextUpdate: new Date(now.getTime() + 2 * DAY),
    });
    const r = await validate({ ocspResponses: [future] }, { now });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]!.reason).toContain('future');
  });

  it('evidence issued after the validated time speaks for it; not once the certificate had expired', async () => {
    const signedAt = new Date(now.getTime() - 20 * DAY);
    const today = await h.crl(h.ca);
    const r = await validate({ crls: [today] }, { at: signedAt, timeProven: true });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy?.freshness).toBe('later');
    // A certificate that expired before the CRL was issued is simply no longer listed: its silence proves nothing.
    const shortLived = await issue(now, 'Short-lived', 110, h.ca, {
      ...SIGNER_USAGE,
      notBefore: new Date(now.getTime() - 30 * DAY),
      notAfter: new Date(now.getTime() - 10 * DAY),
    });
    const expired = await validateCertificatePath(shortLived.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      at: signedAt,
      timeProven: true,
      revocation: { crls: [today, rootCrl] },
    });
    expectOutcome(expired, 'INDETERMINATE', 'TRY_LATER');
    expect(expired.revocation[0]!.considered[0]!.reason).toContain('expired');
  });

  it('a revocation is permanent: even a stale CRL that lists it revokes', async () => {
    const oldRevoking = await h.crl(h.ca, {
      thisUpdate: new Date(now.getTime() - 20 * DAY),
      nextUpdate: new Date(now.getTime() - 13 * DAY),
      revoked: [{ serialNumber: h.signer.serial, date: new Date(now.getTime() - 21 * DAY) }],
    });
    const fresh = await ocsp({ nextUpdate: new Date(now.getTime() + DAY) });
    expectOutcome(
      await validate({ crls: [oldRevoking], ocspResponses: [fresh] }),
      'INDETERMINATE',
      'REVOKED_NO_POE',
    );
  });
});
