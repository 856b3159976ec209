// Attack class: revocation data carrying what the validator does not understand, or saying more than one thing.
// A CRL or OCSP answer with a critical extension this validator does not process (RFC 5280 §5.2, §5.3; RFC 6960
// §4.4: critical extensions must be understood) may narrow or change what it says: its silence ("good") must not
// pass the certificate. A CRL limited to some reasons only speaks of revocations. Several single responses in one
// OCSP response are matched by CertID, whatever their order.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import type { CryptoKey } from '../../src/crypto-types.js';
import { cryptoEngine, toArrayBuffer } from '../../src/engine.js';
import { importPrivateKey, validateCertificatePath } from '../../src/index.js';
import { createOcspResponse } from '../../src/testing.js';
import { expectOutcome } from '../helpers/expect.js';
import { createHierarchy, DAY, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
const UNKNOWN_OID = '1.3.6.1.4.1.99999.42';

function unknownExtension(critical: boolean): pkijs.Extension {
  return new pkijs.Extension({ extnID: UNKNOWN_OID, critical, extnValue: new asn1js.Null().toBER(false) });
}

/** Changes a CRL and signs it again with `key` (the CA's own: the result is authentic). */
async function resignCrl(
  der: Uint8Array,
  key: CryptoKey,
  change: (crl: pkijs.CertificateRevocationList) => void,
): Promise<Uint8Array> {
  const crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
  change(crl);
  await crl.sign(await importPrivateKey(key, 'SHA-256'), 'SHA-256', cryptoEngine());
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

/** Changes the basic response of an OCSP response and signs it again with `key`. */
async function resignOcsp(
  der: Uint8Array,
  key: CryptoKey,
  change: (basic: pkijs.BasicOCSPResponse) => void,
): Promise<Uint8Array> {
  const resp = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
  const octets = resp.responseBytes!.response.valueBlock.valueHexView;
  const basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(octets));
  change(basic);
  await basic.sign(await importPrivateKey(key, 'SHA-256'), 'SHA-256', cryptoEngine());
  resp.responseBytes!.response = new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) });
  return new Uint8Array(resp.toSchema().toBER(false));
}

function ocspFor(cert: Uint8Array, status: 'good' | 'revoked' = 'good') {
  return createOcspResponse({
    certificate: cert,
    issuerCertificate: h.ca.cert,
    responderCertificate: h.ca.cert,
    responderKey: h.ca.key,
    status,
    ...(status === 'revoked'
      ? { revokedAt: new Date(now.getTime() - 2 * DAY), revocationReason: 'keyCompromise' }
      : {}),
    thisUpdate: new Date(now.getTime() - DAY),
    nextUpdate: new Date(now.getTime() + DAY),
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

describe('CRLs with what the validator does not understand', () => {
  it('a CRL with an unknown critical extension says nothing "good"; the same one non-critical does', async () => {
    const base = await h.crl(h.ca);
    const critical = await resignCrl(base, h.ca.key, (crl) => {
      crl.crlExtensions!.extensions.push(unknownExtension(true));
    });
    const r = await validate({ crls: [critical] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining(UNKNOWN_OID),
    });
    const nonCritical = await resignCrl(base, h.ca.key, (crl) => {
      crl.crlExtensions!.extensions.push(unknownExtension(false));
    });
    expectOutcome(await validate({ crls: [nonCritical] }), 'PASSED');
  });

  it('an unknown critical extension on another entry makes the whole CRL say nothing "good"', async () => {
    const base = await h.crl(h.ca, { revoked: [{ serialNumber: 555, date: new Date(now.getTime() - DAY) }] });
    const crl = await resignCrl(base, h.ca.key, (c) => {
      c.revokedCertificates![0]!.crlEntryExtensions = new pkijs.Extensions({
        extensions: [unknownExtension(true)],
      });
    });
    expectOutcome(await validate({ crls: [crl] }), 'INDETERMINATE', 'TRY_LATER');
  });

  it('a CRL for some reasons only (onlySomeReasons) proves nothing by silence, yet its revocations count', async () => {
    const someReasons = (revoked: boolean) =>
      h
        .crl(h.ca, {
          revoked: revoked ? [{ serialNumber: h.signer.serial, date: new Date(now.getTime() - DAY) }] : [],
        })
        .then((der) =>
          resignCrl(der, h.ca.key, (c) => {
            const idp = new pkijs.IssuingDistributionPoint({
              // keyCompromise only: ReasonFlags bit 1.
              onlySomeReasons: 0x40,
            });
            c.crlExtensions!.extensions.push(
              new pkijs.Extension({
                extnID: '2.5.29.28',
                critical: true,
                extnValue: idp.toSchema().toBER(false),
              }),
            );
          }),
        );
    expectOutcome(await validate({ crls: [await someReasons(false)] }), 'INDETERMINATE', 'TRY_LATER');
    expectOutcome(await validate({ crls: [await someReasons(true)] }), 'INDETERMINATE', 'REVOKED_NO_POE');
  });
});

describe('OCSP answers with what the validator does not understand', () => {
  it('a "good" single response with an unknown critical extension says nothing "good"', async () => {
    const ocsp = await resignOcsp(await ocspFor(h.signer.cert), h.ca.key, (basic) => {
      basic.tbsResponseData.responses[0]!.singleExtensions = [unknownExtension(true)];
    });
    const r = await validate({ ocspResponses: [ocsp] });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.considered[0]).toMatchObject({
      usable: false,
      reason: expect.stringContaining(UNKNOWN_OID),
    });
  });

  it('the same extension non-critical is ignored', async () => {
    const ocsp = await resignOcsp(await ocspFor(h.signer.cert), h.ca.key, (basic) => {
      basic.tbsResponseData.responses[0]!.singleExtensions = [unknownExtension(false)];
    });
    expectOutcome(await validate({ ocspResponses: [ocsp] }), 'PASSED');
  });

  it('a critical extension on the single response about another certificate does not spoil ours', async () => {
    const other = await issue(now, 'Other Signer', 101, h.ca, SIGNER_USAGE);
    const otherAnswer = pkijs.BasicOCSPResponse.fromBER(
      toArrayBuffer(
        pkijs.OCSPResponse.fromBER(toArrayBuffer(await ocspFor(other.cert))).responseBytes!.response
          .valueBlock.valueHexView,
      ),
    ).tbsResponseData.responses[0]!;
    otherAnswer.singleExtensions = [unknownExtension(true)];
    const ocsp = await resignOcsp(await ocspFor(h.signer.cert), h.ca.key, (basic) => {
      basic.tbsResponseData.responses.unshift(otherAnswer);
    });
    expectOutcome(await validate({ ocspResponses: [ocsp] }), 'PASSED');
  });
});

describe('OCSP responses about several certificates', () => {
  it('a revocation in a later single response is found, after a "good" one about another certificate', async () => {
    const other = await issue(now, 'Other Signer', 102, h.ca, SIGNER_USAGE);
    const single = (der: Uint8Array) =>
      pkijs.BasicOCSPResponse.fromBER(
        toArrayBuffer(
          pkijs.OCSPResponse.fromBER(toArrayBuffer(der)).responseBytes!.response.valueBlock.valueHexView,
        ),
      ).tbsResponseData.responses[0]!;
    const ours = single(await ocspFor(h.signer.cert, 'revoked'));
    const ocsp = await resignOcsp(await ocspFor(other.cert), h.ca.key, (basic) => {
      basic.tbsResponseData.responses.push(ours);
    });
    const r = await validate({ ocspResponses: [ocsp] });
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
  });
});

describe('a CRL that lists the certificate more than once', () => {
  const listed = (entries: { date: Date; reason?: 'keyCompromise' | 'superseded' | 'removeFromCRL' }[]) =>
    h.crl(h.ca, { revoked: entries.map((e) => ({ serialNumber: h.signer.serial, ...e })) });

  it('a later removeFromCRL entry does not undo a revocation listed before it', async () => {
    const crl = await listed([
      { date: new Date(now.getTime() - 2 * DAY), reason: 'keyCompromise' },
      { date: new Date(now.getTime() - DAY), reason: 'removeFromCRL' },
    ]);
    const r = await validate({ crls: [crl] });
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
  });

  it('the earliest revocation date decides, whatever the order of the entries', async () => {
    const early = { date: new Date(now.getTime() - DAY), reason: 'keyCompromise' as const };
    const late = { date: new Date(now.getTime() + 3 * DAY), reason: 'superseded' as const };
    for (const order of [
      [early, late],
      [late, early],
    ]) {
      const r = await validate({ crls: [await listed(order)] });
      expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
      expect(r.revocation[0]).toMatchObject({ revokedAt: early.date.toISOString() });
    }
  });
});
