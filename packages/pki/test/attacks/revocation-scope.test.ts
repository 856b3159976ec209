// Attack class: revocation evidence about something else taken as evidence about this certificate. A CRL
// partition (IssuingDistributionPoint) covers only the certificates whose CRL distribution point names it
// (RFC 5280 §6.3.3 (b)(2)(i)), whatever the name's form (ldap URI, directoryName); a certificate without a CRL
// distribution point is outside every partition. And serial numbers are integers: +128 (DER 00 80) is not
// -128 (DER 80), so an answer about one is not an answer about the other.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/engine.js';
import { validateCertificatePath } from '../../src/index.js';
import { serialKey } from '../../src/revocation/serial.js';
import { buildName } from '../../src/testing/names.js';
import { createOcspResponse } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
const LDAP_A = 'ldap://ldap.example/cn=partA,o=thgov?certificateRevocationList';
const LDAP_B = 'ldap://ldap.example/cn=partB,o=thgov?certificateRevocationList';

function validate(cert: Uint8Array, revocation: { crls?: Uint8Array[]; ocspResponses?: Uint8Array[] }) {
  return validateCertificatePath(cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: {
      crls: [rootCrl, ...(revocation.crls ?? [])],
      ocspResponses: revocation.ocspResponses ?? [],
      required: true,
    },
  });
}

/** A CRLDistributionPoints extension value with one full-name directoryName. */
function directoryCdp(): Uint8Array {
  const dps = new pkijs.CRLDistributionPoints({
    distributionPoints: [
      new pkijs.DistributionPoint({
        distributionPoint: [
          new pkijs.GeneralName({
            type: 4,
            value: buildName({ country: 'TH', organization: 'thgov', commonName: 'partB' }),
          }),
        ],
      }),
    ],
  });
  return new Uint8Array(dps.toSchema().toBER(false));
}

const partitionA = () => h.crl(h.ca, { issuingDistributionPoint: { urls: [LDAP_A] } });

describe('partitioned CRLs', () => {
  it('an ldap:// partition CRL for another partition proves nothing', async () => {
    const signer = await issue(now, 'Partition B', 201, h.ca, { ...SIGNER_USAGE, crlUrl: LDAP_B });
    expectOutcome(await validate(signer.cert, { crls: [await partitionA()] }), 'INDETERMINATE', 'TRY_LATER');
  });

  it('the ldap:// partition CRL the certificate names is complete for it', async () => {
    const signer = await issue(now, 'Partition A', 202, h.ca, { ...SIGNER_USAGE, crlUrl: LDAP_A });
    expectOutcome(await validate(signer.cert, { crls: [await partitionA()] }), 'PASSED');
  });

  it('a certificate without CRL distribution point is outside every partition', async () => {
    const signer = await issue(now, 'No CDP', 203, h.ca, SIGNER_USAGE);
    const crl = await h.crl(h.ca, { issuingDistributionPoint: { urls: ['http://crl.example/partA.crl'] } });
    expectOutcome(await validate(signer.cert, { crls: [crl] }), 'INDETERMINATE', 'TRY_LATER');
  });

  it('a directoryName distribution point is not matched by a URI partition', async () => {
    const signer = await issue(now, 'Directory CDP', 204, h.ca, {
      ...SIGNER_USAGE,
      extensions: [{ oid: OID.crlDistributionPoints, value: directoryCdp() }],
    });
    expectOutcome(await validate(signer.cert, { crls: [await partitionA()] }), 'INDETERMINATE', 'TRY_LATER');
  });
});

/** Re-issues `base` with the serial number's DER content bytes set to `bytes`. */
async function withSerial(base: Identity, bytes: number[]): Promise<Uint8Array> {
  const c = pkijs.Certificate.fromBER(Uint8Array.from(base.cert).buffer);
  c.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(bytes).buffer });
  await c.sign(h.ca.key, 'SHA-256');
  return new Uint8Array(c.toSchema(true).toBER(false));
}

describe('serial numbers', async () => {
  const x = await issue(now, 'Officer X', 128, h.ca, SIGNER_USAGE); // DER 02 02 00 80: +128
  const y = await withSerial(await issue(now, 'Officer Y', 129, h.ca, SIGNER_USAGE), [0x80]); // -128

  it('an OCSP "good" about serial -128 is not an answer about +128', async () => {
    const goodForY = await createOcspResponse({
      certificate: y,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good',
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + DAY),
    });
    const r = await validate(x.cert, { ocspResponses: [goodForY] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
  });

  it('a CRL revoking +128 does not revoke -128', async () => {
    const crl = await h.crl(h.ca, {
      revoked: [{ serialNumber: 128, date: new Date(now.getTime() - 2 * DAY), reason: 'keyCompromise' }],
    });
    expectOutcome(await validate(y, { crls: [crl] }), 'PASSED');
    expect((await validate(x.cert, { crls: [crl] })).indication).not.toBe('PASSED');
  });
});

describe('serialKey', () => {
  const key = (bytes: number[]) => serialKey(new asn1js.Integer({ valueHex: new Uint8Array(bytes).buffer }));

  it('gives one key per integer, whatever the padding, and never one key for two integers', () => {
    expect(key([0x00, 0x80])).not.toBe(key([0x80]));
    expect(key([0x00, 0x05])).toBe(key([0x05]));
    expect(key([0x00, 0x00, 0x80])).toBe(key([0x00, 0x80]));
    expect(key([0xff, 0x80])).toBe(key([0x80]));
    expect(key([0xff, 0x7f])).not.toBe(key([0x7f]));
  });
});
