// Quirk and attack class: CRLs issued by a CRL-signing delegate (an indirect CRL issuer, RFC 5280 §5.2.5, §6.3.3).
// A CA may name, in its certificates' cRLDistributionPoints, a cRLIssuer other than itself; that issuer publishes
// an indirect CRL (issuingDistributionPoint indirectCRL) whose entries say which CA issued each certificate
// (certificateIssuer). Such a CRL speaks for the certificate only when the certificate names its issuer, the CRL
// is marked indirect, and the CRL issuer's own certificate validates to the same anchor with cRLSign. An entry
// listed under another CA's name is not about this certificate, even with the same serial number.
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID, toArrayBuffer } from '../../src/engine.js';
import { validateCertificatePath } from '../../src/index.js';
import { type CrlSpec, createCrl } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
const CRL_ISSUER_USAGE: { keyUsage: 'cRLSign'[] } = { keyUsage: ['cRLSign'] };
const delegate = await issue(now, 'Test CRL Issuer', 50, h.root, CRL_ISSUER_USAGE);

/** A cRLDistributionPoints naming `crlIssuer` as the CRL issuer (RFC 5280 §4.2.1.13). */
function cdpNaming(crlIssuer: Identity) {
  const subject = pkijs.Certificate.fromBER(toArrayBuffer(crlIssuer.cert)).subject;
  const dp = new pkijs.DistributionPoint({
    distributionPoint: [new pkijs.GeneralName({ type: 6, value: 'http://crl.example.test/indirect.crl' })],
    cRLIssuer: [new pkijs.GeneralName({ type: 4, value: subject })],
  });
  const value = new pkijs.CRLDistributionPoints({ distributionPoints: [dp] }).toSchema().toBER(false);
  return { oid: OID.crlDistributionPoints, value: new Uint8Array(value) };
}

const leaf = await issue(now, 'Test Signer', 101, h.ca, {
  ...SIGNER_USAGE,
  extensions: [cdpNaming(delegate)],
});
const revokedAt = new Date(now.getTime() - 2 * DAY);

function indirectCrl(by: Identity, spec: Partial<CrlSpec> = {}) {
  return createCrl({
    issuerCertificate: by.cert,
    signingKey: by.key,
    thisUpdate: new Date(now.getTime() - DAY),
    nextUpdate: new Date(now.getTime() + 7 * DAY),
    issuingDistributionPoint: { indirect: true },
    ...spec,
  });
}

function validate(cert: Identity, crls: Uint8Array[], intermediates: Uint8Array[] = [delegate.cert]) {
  return validateCertificatePath(cert.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert, ...intermediates],
    revocation: { crls: [rootCrl, ...crls] },
  });
}

describe('indirect CRLs from the CRL issuer a certificate names', () => {
  it('a silent indirect CRL from the named, validated CRL issuer says "good"', async () => {
    const r = await validate(leaf, [await indirectCrl(delegate)]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ type: 'crl', status: 'good', usable: true });
    expect(r.revocation[0]!.decidedBy!.issuer).toContain('Test CRL Issuer');
  });

  it("its entry listed under the certificate's CA revokes the certificate", async () => {
    const crl = await indirectCrl(delegate, {
      revoked: [
        { serialNumber: leaf.serial, date: revokedAt, reason: 'keyCompromise', certificateIssuer: h.ca.cert },
      ],
    });
    const r = await validate(leaf, [crl]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]).toMatchObject({
      revokedAt: revokedAt.toISOString(),
      revocationReason: 'keyCompromise',
    });
  });

  it("the same serial listed under another CA's name (or the CRL issuer's own) is not this certificate", async () => {
    const crl = await indirectCrl(delegate, {
      revoked: [
        { serialNumber: leaf.serial, date: revokedAt },
        { serialNumber: leaf.serial, date: revokedAt, certificateIssuer: h.root.cert },
        { serialNumber: 7, date: revokedAt, certificateIssuer: h.ca.cert },
      ],
    });
    const r = await validate(leaf, [crl]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ status: 'good' });
  });

  it('entries inherit the certificate issuer of the entry before them', async () => {
    const crl = await indirectCrl(delegate, {
      revoked: [
        { serialNumber: 7, date: revokedAt, certificateIssuer: h.ca.cert },
        { serialNumber: leaf.serial, date: revokedAt },
      ],
    });
    expectOutcome(await validate(leaf, [crl]), 'INDETERMINATE', 'REVOKED_NO_POE');
  });
});

describe('CRL issuers that do not speak for the certificate', () => {
  it("a certificate that names no cRLIssuer is not covered by the delegate's CRL", async () => {
    const crl = await indirectCrl(delegate, {
      revoked: [{ serialNumber: h.signer.serial, date: revokedAt, certificateIssuer: h.ca.cert }],
    });
    const r = await validate(h.signer, [crl, await h.crl(h.ca)]);
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.considered).toHaveLength(1);
  });

  it('a delegate CRL not marked indirect proves nothing', async () => {
    const crl = await indirectCrl(delegate, { issuingDistributionPoint: { indirect: false } });
    expectOutcome(await validate(leaf, [crl]), 'INDETERMINATE', 'TRY_LATER');
  });

  it('a CRL issuer without cRLSign, from another hierarchy, revoked, or not at hand is refused', async () => {
    const noCrlSign = await issue(now, 'Test CRL Issuer', 51, h.root, { keyUsage: ['digitalSignature'] });
    const otherRoot = await issue(now, 'Other Root', 9, undefined, CA_USAGE);
    const foreign = await issue(now, 'Test CRL Issuer', 52, otherRoot, CRL_ISSUER_USAGE);
    for (const [by, intermediates] of [
      [noCrlSign, [noCrlSign.cert]],
      [foreign, [foreign.cert, otherRoot.cert]],
      [delegate, []],
    ] as const) {
      const r = await validate(leaf, [await indirectCrl(by)], [...intermediates]);
      expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    }
    const revokingRootCrl = await h.crl(h.root, {
      crlNumber: 2,
      revoked: [{ serialNumber: delegate.serial, date: revokedAt }],
    });
    const r = await validate(leaf, [revokingRootCrl, await indirectCrl(delegate)]);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
  });

  it("a CRL carrying the delegate's name but signed with the CA's key is not the delegate's", async () => {
    const crl = await indirectCrl(delegate, { signingKey: h.ca.key });
    expectOutcome(await validate(leaf, [crl]), 'INDETERMINATE', 'TRY_LATER');
  });
});

describe('look-alikes of the CRL issuer among the certificates at hand', () => {
  // Certificates at hand come from anyone (a signature's certificate set, a PDF's /DSS): certificates with the CRL
  // issuer's name and other keys, listed before the real one, must not push it out of the search.
  it("a dozen same-named certificates listed first do not hide the CRL issuer's own", async () => {
    const otherRoot = await issue(now, 'Look-alike Root', 60, undefined, CA_USAGE);
    const lookAlikes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        issue(now, 'Test CRL Issuer', 61 + i, otherRoot, CRL_ISSUER_USAGE),
      ),
    );
    const crl = await indirectCrl(delegate, {
      revoked: [
        { serialNumber: leaf.serial, date: revokedAt, reason: 'keyCompromise', certificateIssuer: h.ca.cert },
      ],
    });
    const r = await validate(leaf, [crl], [...lookAlikes.map((c) => c.cert), delegate.cert]);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]!.decidedBy).toMatchObject({
      type: 'crl',
      issuer: expect.stringContaining('CRL Issuer'),
    });
    const silent = await validate(
      leaf,
      [await indirectCrl(delegate)],
      [...lookAlikes.map((c) => c.cert), delegate.cert],
    );
    expectOutcome(silent, 'PASSED');
  });
});
