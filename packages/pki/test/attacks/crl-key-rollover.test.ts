// Attack class: a revoked signer passing because the CRL that revokes it is thrown away. After a CA re-keys
// (a new CA certificate, same name, same parent), it signs its CRLs with the new key — RFC 5280 §6.3.3 (f) lets a
// CRL be signed by another key of the certificate's issuer. The last CRL of the old key stays fresh until its
// nextUpdate and does not list revocations made since: the new key's CRL, at hand, must not be ignored.
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, issue } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
// Same name (Test CA), same parent, a new key.
const rekeyed = await issue(now, 'Test CA', 3, h.root, CA_USAGE);
const impostor = await issue(
  now,
  'Test CA',
  4,
  await issue(now, 'Other Root', 9, undefined, CA_USAGE),
  CA_USAGE,
);
const oldKeyCrl = await h.crl(h.ca, { thisUpdate: new Date(now.getTime() - 3 * DAY) });
const revokedAt = new Date(now.getTime() - DAY);

function validate(crls: Uint8Array[], intermediates: Uint8Array[]) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert, ...intermediates],
    revocation: { crls: [rootCrl, ...crls] },
  });
}

describe('CRLs after a CA key rollover', () => {
  it("the re-keyed CA's CRL revoking the signer wins over the old key's last, still fresh, CRL", async () => {
    const newKeyCrl = await h.crl(h.ca, {
      signer: rekeyed,
      revoked: [{ serialNumber: h.signer.serial, date: revokedAt, reason: 'keyCompromise' }],
    });
    const r = await validate([oldKeyCrl, newKeyCrl], [rekeyed.cert]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]).toMatchObject({ status: 'revoked', revokedAt: revokedAt.toISOString() });
  });

  it('a CRL signed by a same-named CA of another hierarchy revokes nothing', async () => {
    const forged = await h.crl(h.ca, {
      signer: impostor,
      revoked: [{ serialNumber: h.signer.serial, date: revokedAt }],
    });
    expectOutcome(await validate([oldKeyCrl, forged], [impostor.cert]), 'PASSED');
  });

  it("the re-keyed CA's CRL counts in full when its new key's certificate validates to the same anchor", async () => {
    const newKeyCrl = await h.crl(h.ca, { signer: rekeyed });
    const r = await validate([newKeyCrl], [rekeyed.cert]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'crl', status: 'good', usable: true });
  });

  it("without the new key's certificate at hand its CRL gives no status: TRY_LATER", async () => {
    const newKeyCrl = await h.crl(h.ca, { signer: rekeyed });
    const r = await validate([newKeyCrl], []);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered).toEqual([
      expect.objectContaining({ usable: false, reason: expect.stringContaining('no certificate at hand') }),
    ]);
  });

  it('a new key that was revoked, or whose own status is unknown, proves nothing by its silence', async () => {
    const newKeyCrl = await h.crl(h.ca, { signer: rekeyed });
    const revokingRootCrl = await h.crl(h.root, {
      crlNumber: 2,
      revoked: [{ serialNumber: rekeyed.serial, date: new Date(now.getTime() - 2 * DAY) }],
    });
    const revoked = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert, rekeyed.cert],
      revocation: { crls: [revokingRootCrl, newKeyCrl] },
    });
    expectOutcome(revoked, 'INDETERMINATE', 'TRY_LATER');
    expect(revoked.revocation[0]!.considered[0]!.reason).toContain('was revoked');
    const unknown = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert, rekeyed.cert],
      revocation: { crls: [newKeyCrl], required: false },
    });
    expect(unknown.revocation[0]).toMatchObject({ status: 'unknown' });
    expect(unknown.revocation[0]!.considered[0]!.reason).toContain('no known revocation status');
  });

  it('a new key not allowed to sign CRLs, or not valid when the CRL was issued, is refused', async () => {
    const noCrlSign = await issue(now, 'Test CA', 6, h.root, { ca: true, keyUsage: ['keyCertSign'] });
    const tooYoung = await issue(now, 'Test CA', 7, h.root, { ...CA_USAGE, notBefore: now });
    for (const signer of [noCrlSign, tooYoung]) {
      const crl = await h.crl(h.ca, { signer });
      expectOutcome(await validate([crl], [signer.cert]), 'INDETERMINATE', 'TRY_LATER');
    }
  });

  it('a same-named signer chaining to another root proves nothing by its silence', async () => {
    const otherRoot = await issue(now, 'Other Root', 9, undefined, CA_USAGE);
    const lookalike = await issue(now, 'Test CA', 4, otherRoot, CA_USAGE);
    const crl = await h.crl(h.ca, { signer: lookalike });
    expectOutcome(await validate([crl], [lookalike.cert, otherRoot.cert]), 'INDETERMINATE', 'TRY_LATER');
  });

  it("a re-keyed root's CRL (its new key certified by the old one) revokes the issuing CA", async () => {
    // Same name as the root, a new key, certified by the old root key (a "new with old" link certificate).
    const newWithOld = await issue(now, 'Test Root', 5, h.root, CA_USAGE);
    const arl = await h.crl(h.root, {
      signer: newWithOld,
      revoked: [{ serialNumber: h.ca.serial, date: revokedAt, reason: 'cACompromise' }],
    });
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert, newWithOld.cert],
      revocation: { crls: [rootCrl, oldKeyCrl, arl] },
    });
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_CA_NO_POE');
    expect(r.revocation[1]).toMatchObject({ status: 'revoked', revocationReason: 'cACompromise' });
  });
});
