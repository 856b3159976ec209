// Attack class: an extension listed twice (RFC 5280 §4.2: "a certificate MUST NOT include more than one instance of
// a particular extension"). A validator that reads the first instance and an application that reads another see
// two certificates: a CA held to name constraints issues a certificate whose first subjectAltName is inside its
// subtree and whose second is anywhere, and the constraint checks only the first. Go's crypto/x509 and OpenSSL
// refuse such certificates; so must path validation, wherever on the path the certificate is.
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/engine.js';
import { validateCertificatePath } from '../../src/index.js';
import type { GeneralNameSpec } from '../../src/testing/names.js';
import { generalName } from '../../src/testing/names.js';
import { createOcspResponse } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, createHierarchy, DAY, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const constrained = await issue(now, 'Constrained CA', 40, h.root, {
  ...CA_USAGE,
  nameConstraints: { permitted: [{ dns: 'good.ac.th' }, { email: 'good.ac.th' }] },
});

function sanValue(names: GeneralNameSpec[]): Uint8Array {
  const alt = new pkijs.AltName({ altNames: names.map((g) => generalName(g)) });
  return new Uint8Array(alt.toSchema().toBER(false));
}

function check(leaf: Uint8Array, intermediates: Uint8Array[]) {
  return validateCertificatePath(leaf, { trustAnchors: h.root.cert, intermediates, revocation: false });
}

describe('an extension listed twice', () => {
  it('a second subjectAltName outside the name constraints is refused', async () => {
    const leaf = await issue(now, 'Registrar', 41, constrained, {
      ...SIGNER_USAGE,
      subjectAltName: [{ email: 'registrar@good.ac.th' }],
      extensions: [{ oid: OID.subjectAltName, value: sanValue([{ email: 'ceo@evil.example' }]) }],
    });
    const r = await check(leaf.cert, [constrained.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.failure).toEqual({ check: 'critical-extension', position: 0 });
    expect(r.message).toContain(OID.subjectAltName);
  });

  it('a second key usage on the end entity, or a second basicConstraints on a CA, is refused', async () => {
    const twoUsages = await issue(now, 'Two usages', 42, h.ca, {
      ...SIGNER_USAGE,
      extensions: [{ oid: OID.keyUsage, critical: true, value: new Uint8Array([3, 2, 5, 0x20]) }],
    });
    const r = await check(twoUsages.cert, [h.ca.cert]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(r.failure).toEqual({ check: 'critical-extension', position: 0 });
    const twoBc = await issue(now, 'Two BC CA', 43, h.root, {
      ...CA_USAGE,
      extensions: [{ oid: OID.basicConstraints, critical: true, value: new Uint8Array([0x30, 0]) }],
    });
    const leaf = await issue(now, 'Leaf of two BC CA', 44, twoBc, SIGNER_USAGE);
    const ca = await check(leaf.cert, [twoBc.cert]);
    expectOutcome(ca, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    expect(ca.failure?.position).toBe(1);
  });

  it('guard: one instance of each, and the same names in one subjectAltName, pass', async () => {
    const leaf = await issue(now, 'Registrar', 45, constrained, {
      ...SIGNER_USAGE,
      subjectAltName: [{ email: 'registrar@good.ac.th' }, { dns: 'reg.good.ac.th' }],
    });
    expectOutcome(await check(leaf.cert, [constrained.cert]), 'PASSED');
  });
});

describe('a delegated OCSP responder certificate with an extension listed twice', () => {
  it('is not trusted to answer for the CA', async () => {
    const ekuServerAuth = new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1'] });
    const responder = await issue(now, 'Two-EKU responder', 46, h.ca, {
      ...SIGNER_USAGE,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
      extensions: [{ oid: OID.extKeyUsage, value: new Uint8Array(ekuServerAuth.toSchema().toBER(false)) }],
    });
    const answer = await createOcspResponse({
      certificate: h.signer.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: responder.cert,
      responderKey: responder.key,
      status: 'good',
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + DAY),
    });
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls: [await h.crl(h.root)], ocspResponses: [answer] },
    });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining('listed twice'),
    });
  });
});
