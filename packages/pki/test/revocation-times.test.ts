// CRL and OCSP times as written (RFC 5280 §5.1.2.4–5.1.2.6: UTCTime with seconds in UTC; RFC 6960 §4.2.2.1:
// GeneralizedTime in UTC). asn1js misreads other forms: a UTCTime without seconds as 1899-11-30 (a revocation
// "since 1899"), a GeneralizedTime in local time by the process time zone and with the day of the week as the day.
// Evidence with such a time is not usable: it never decides by a date it does not carry.
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../src/index.js';
import { createOcspResponse } from '../src/testing.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, issue } from './helpers/hierarchy.js';
import { children, generalizedText, resigned, timeBlock, utcText } from './helpers/resign.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);

function validate(revocation: { crls?: Uint8Array[]; ocspResponses?: Uint8Array[] }, at?: Date) {
  return validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: {
      crls: [rootCrl, ...(revocation.crls ?? [])],
      ocspResponses: revocation.ocspResponses ?? [],
    },
    ...(at ? { at, timeProven: true } : {}),
  });
}

describe('CRL times', () => {
  it('a revocation date written without seconds is not read as 1899: the CRL is not used', async () => {
    const revokedAt = new Date(now.getTime() - 5 * DAY);
    const crl = await h.crl(h.ca, { revoked: [{ serialNumber: h.signer.serial, date: revokedAt }] });
    const written = resigned(crl, h.ca.key, (fields) => {
      const entry = children(children(fields[5]!)[0]!);
      entry[1] = timeBlock(utcText(revokedAt, 'Z'));
    });
    // A signature proven 20 days ago predates the revocation.
    const r = await validate({ crls: [written] }, new Date(now.getTime() - 20 * DAY));
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/UTC/),
    });
  });

  it('guard: the same CRL written as RFC 5280 asks passes the signature made before the revocation', async () => {
    const revokedAt = new Date(now.getTime() - 5 * DAY);
    const crl = await h.crl(h.ca, { revoked: [{ serialNumber: h.signer.serial, date: revokedAt }] });
    const written = resigned(crl, h.ca.key, (fields) => {
      const entry = children(children(fields[5]!)[0]!);
      entry[1] = timeBlock(utcText(revokedAt));
    });
    expectOutcome(await validate({ crls: [written] }, new Date(now.getTime() - 20 * DAY)), 'PASSED');
    expectOutcome(await validate({ crls: [written] }), 'INDETERMINATE', 'REVOKED_NO_POE');
  });
});

describe('OCSP times', () => {
  it('a thisUpdate in local time (GeneralizedTime without Z) makes the answer unusable', async () => {
    // The 20th of the month before: asn1js would read a day of the week as the day.
    const earlier = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 20, 12));
    const response = await createOcspResponse({
      certificate: h.signer.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good',
      thisUpdate: earlier,
      nextUpdate: new Date(now.getTime() + 7 * DAY),
    });
    const outer = asn1js.fromBER(response).result as asn1js.Sequence;
    const bytes = children(children(outer.valueBlock.value[1]!)[0]!)[1] as asn1js.OctetString;
    const basic = resigned(new Uint8Array(bytes.valueBlock.valueHexView), h.ca.key, (fields) => {
      const single = children(children(fields.find((f) => f instanceof asn1js.Sequence)!)[0]!);
      single[2] = timeBlock(generalizedText(earlier, '00'));
    });
    const r = await validate({ ocspResponses: [basic] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/UTC/),
    });
  });

  it('a delegated responder whose notBefore is written without seconds is not taken as valid since 1899', async () => {
    const base = await issue(now, 'Written responder', 600, h.ca, {
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
    });
    // Valid only from ten days on, as written; asn1js would read 1899-11-30.
    const responderCert = resigned(base.cert, h.ca.key, (fields) => {
      fields[4] = new asn1js.Sequence({
        value: [
          timeBlock(utcText(new Date(now.getTime() + 10 * DAY), 'Z')),
          timeBlock(utcText(new Date(now.getTime() + 365 * DAY))),
        ],
      });
    });
    const response = await createOcspResponse({
      certificate: h.signer.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: responderCert,
      responderKey: base.key,
      status: 'good',
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + 7 * DAY),
    });
    const r = await validate({ ocspResponses: [response] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/notBefore/),
    });
  });
});
