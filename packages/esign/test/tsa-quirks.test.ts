// What real RFC 3161 time-stamp authorities answer, served on 127.0.0.1 by a TSA built here (its token shape is
// varied per case): every quirk either signs a document that verifies at B-T, or is ERR_ESIGN_TSA saying why —
// never a signature silently without its time-stamp, never a token for another request.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TimeStampFunction } from '@thgov/pki';
import { cryptoEngine, digest, essSigningCertificateV2, OID, toArrayBuffer } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, issue, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const tsaId = await issue(pki.now, 'Quirky TSA', 250, pki.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});

interface Quirks {
  /** PKIStatus (0 granted, 1 grantedWithMods, 2 rejection, …). */
  status?: number;
  /** PKIFailureInfo bit number, with a rejection. */
  failInfo?: number;
  nonce?: 'echo' | 'other' | 'none';
  accuracy?: boolean;
  /** ESS signing-certificate (v1, SHA-1) instead of signing-certificate-v2. */
  essV1?: boolean;
  /** No certificates in the token although the request asked for them (certReq true). */
  noCertificates?: boolean;
  contentType?: string;
  /** HTTP 200 with a web page (a captive portal, a login page). */
  html?: boolean;
}
let quirks: Quirks = {};

const attr = (type: string, v: asn1js.BaseBlock) => new pkijs.Attribute({ type, values: [v] });

async function token(imprint: Uint8Array, requested: asn1js.Integer | undefined): Promise<pkijs.ContentInfo> {
  const tsaCert = pkijs.Certificate.fromBER(toArrayBuffer(tsaId.cert));
  const nonce =
    quirks.nonce === 'none'
      ? undefined
      : quirks.nonce === 'other'
        ? new asn1js.Integer({ value: 12345 })
        : requested;
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: '1.3.6.1.4.1.99999.1.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
    }),
    serialNumber: new asn1js.Integer({ value: 7 }),
    genTime: new Date(),
    ordering: false,
    ...(nonce ? { nonce } : {}),
    ...(quirks.accuracy ? { accuracy: new pkijs.Accuracy({ seconds: 1, millis: 500 }) } : {}),
  });
  const tstDer = new Uint8Array(tst.toSchema().toBER(false));
  const essV1 = () =>
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [
            new asn1js.Sequence({
              value: [
                new asn1js.OctetString({
                  valueHex: toArrayBuffer(createHash('sha1').update(tsaId.cert).digest()),
                }),
              ],
            }),
          ],
        }),
      ],
    });
  const sd = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: tsaCert.issuer, serialNumber: tsaCert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            attr(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.tstInfo })),
            attr(
              OID.messageDigest,
              new asn1js.OctetString({ valueHex: toArrayBuffer(await digest('SHA-256', tstDer)) }),
            ),
            quirks.essV1
              ? attr(OID.signingCertificate, essV1())
              : attr(OID.signingCertificateV2, essSigningCertificateV2(tsaId.cert)),
          ],
        }),
      }),
    ],
    ...(quirks.noCertificates
      ? {}
      : { certificates: [tsaId.cert, pki.ca.cert].map((c) => pkijs.Certificate.fromBER(toArrayBuffer(c))) }),
  });
  sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(tstDer) });
  await sd.sign(tsaId.key, 0, 'SHA-256', undefined, cryptoEngine());
  return new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
}

function failInfoBits(bit: number): asn1js.BitString {
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  return new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: 0 });
}

const server: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    if (quirks.html)
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><body>Please log in</body></html>');
    const tsq = pkijs.TimeStampReq.fromBER(toArrayBuffer(new Uint8Array(Buffer.concat(chunks))));
    const imprint = new Uint8Array(tsq.messageImprint.hashedMessage.valueBlock.valueHexView);
    const status = quirks.status ?? 0;
    const resp =
      status >= 2
        ? new pkijs.TimeStampResp({
            status: new pkijs.PKIStatusInfo({
              status,
              ...(quirks.failInfo !== undefined ? { failInfo: failInfoBits(quirks.failInfo) } : {}),
            }),
          })
        : new pkijs.TimeStampResp({
            status: new pkijs.PKIStatusInfo({ status }),
            timeStampToken: await token(imprint, tsq.nonce),
          });
    res.writeHead(200, { 'content-type': quirks.contentType ?? 'application/timestamp-reply' });
    res.end(Buffer.from(resp.toSchema().toBER(false)));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function signWith(q: Quirks): Promise<Uint8Array> {
  quirks = q;
  return signPdf(await letterPdf(), {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: url,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls },
  });
}

async function expectTimeStamped(q: Quirks): Promise<void> {
  const report = await verifyPdfSignatures(await signWith(q), {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
  });
  expect(report.indication).toBe('TOTAL_PASSED');
  expect(report.signatures[0]?.level).toBe('B-T');
  expect(report.signatures[0]?.signingTime.proof).toBe('signature-timestamp');
}

async function tsaError(q: Quirks): Promise<Error> {
  const err = await signWith(q).catch((e: unknown) => e);
  expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
  return err as Error;
}

describe('time-stamp authorities as they answer in the field', () => {
  it('grantedWithMods (status 1) with a valid token is a time-stamp (RFC 3161 §2.4.2)', async () => {
    await expectTimeStamped({ status: 1 });
  });

  it('any response Content-Type is read by its content: timestamp-reply, timestamp-response, octet-stream', async () => {
    for (const contentType of [
      'application/timestamp-reply',
      'application/timestamp-response',
      'application/octet-stream',
    ])
      await expectTimeStamped({ contentType });
  });

  it('a token with or without accuracy, with ESS signing-certificate v1 (SHA-1) or v2, verifies', async () => {
    await expectTimeStamped({ accuracy: true });
    await expectTimeStamped({ essV1: true });
  });

  it('a rejection names its PKIFailureInfo', async () => {
    expect((await tsaError({ status: 2, failInfo: 0 })).message).toMatch(/rejection.*badAlg/);
    expect((await tsaError({ status: 2, failInfo: 15 })).message).toMatch(/unacceptedPolicy/);
    expect((await tsaError({ status: 2, failInfo: 25 })).message).toMatch(/systemFailure/);
    expect((await tsaError({ status: 2 })).message).toMatch(/rejection/);
    expect((await tsaError({ status: 3 })).message).toMatch(/waiting/);
  });

  it('a token for another request (another nonce) is refused', async () => {
    expect((await tsaError({ nonce: 'other' })).message).toMatch(/nonce/);
  });

  it('a token without the nonce the request carried is refused (RFC 3161 §2.4.2: it MUST be echoed)', async () => {
    expect((await tsaError({ nonce: 'none' })).message).toMatch(/nonce/);
  });

  it('a token without the TSA certificate although certReq was true is refused, not a silent B-B', async () => {
    expect((await tsaError({ noCertificates: true })).message).toMatch(/certificate/);
  });

  it('a TSA ignoring certReq is fine at B-LT when its certificate is supplied: /DSS carries it', async () => {
    quirks = { noCertificates: true };
    const signed = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-LT',
      tsa: url,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, certificates: [tsaId.cert] },
    });
    const report = await verifyPdfSignatures(signed, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.signingTime.proof).toBe('signature-timestamp');
    expect(report.signatures[0]?.level).toBe('B-LT');
  });

  it('HTTP 200 with a web page is ERR_ESIGN_TSA', async () => {
    await tsaError({ html: true });
  });
});

describe('a time-stamp authority given as a function (a CSC signatures/timestamp call, an in-house TSA client)', () => {
  const signWithFunction = async (stamp: TimeStampFunction, q: Quirks = {}) => {
    quirks = q;
    return signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: stamp,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
  };
  const der = (ci: pkijs.ContentInfo) => new Uint8Array(ci.toSchema().toBER(false));
  const echoing: TimeStampFunction = async ({ imprint, nonce }) =>
    der(await token(imprint, nonce ? new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }) : undefined));

  it('is given a fresh nonce per request, and a token echoing it verifies at B-T', async () => {
    const seen: string[] = [];
    const spy: TimeStampFunction = async (req) => {
      seen.push(Buffer.from(req.nonce ?? []).toString('hex'));
      return echoing(req);
    };
    const report = await verifyPdfSignatures(await signWithFunction(spy), {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.signingTime.proof).toBe('signature-timestamp');
    await signWithFunction(spy);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('a token without any nonce is taken from a function (it may not pass one on)', async () => {
    const report = await verifyPdfSignatures(await signWithFunction(echoing, { nonce: 'none' }), {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.level).toBe('B-T');
  });

  it('a token for another request (another nonce) is refused', async () => {
    const err = await signWithFunction(echoing, { nonce: 'other' }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
    expect((err as Error).message).toMatch(/nonce/);
  });

  it('a token without the TSA certificate is refused, not a silent B-B', async () => {
    const err = await signWithFunction(echoing, { noCertificates: true }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
    expect((err as Error).message).toMatch(/certificate/);
  });

  it('bytes that are no token are ERR_ESIGN_TSA', async () => {
    const err = await signWithFunction(async () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])).catch(
      (e: unknown) => e,
    );
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
  });
});
