// A time-stamp token is embedded only if it would prove the time: a token from a certificate that is no TSA
// certificate (RFC 3161 §2.3: id-kp-timeStamping, the extended key usage marked critical), or whose TSA signature
// does not verify, is refused with ERR_ESIGN_TSA — never a signed file whose time-stamp every verifier rejects.
// The checks are @thgov/pki's (verifyTimeStampToken's): the ESS signing-certificate(-v2) attribute naming the TSA
// certificate, the signed contentType id-ct-TSTInfo, exactly one SignerInfo, a genTime in UTC, over HTTP too.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TimeStampFunction } from '@thgov/pki';
import { cryptoEngine, essSigningCertificateV2, OID, toArrayBuffer } from '@thgov/pki/internal';
import { createTimeStampAuthority } from '@thgov/pki/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import {
  countingSigner,
  createSigningPki,
  type Identity,
  issue,
  letterPdf,
  signerFor,
} from './helpers/pki.js';

const pki = await createSigningPki();
const sources = { trustAnchors: pki.root.cert, validationData: { crls: pki.crls } };

async function tsaWith(serial: number, extra: Parameters<typeof issue>[4]): Promise<TimeStampFunction> {
  const id: Identity = await issue(pki.now, `TSA ${serial}`, serial, pki.ca, {
    keyUsage: ['digitalSignature'],
    ...extra,
  });
  return createTimeStampAuthority({ certificate: id.cert, privateKey: id.key, chain: [pki.ca.cert] });
}

/** `tsa`, its tokens' TSA signature value altered (one bit): the token no longer verifies. */
function corrupted(tsa: TimeStampFunction): TimeStampFunction {
  return async (req) => {
    const ci = pkijs.ContentInfo.fromBER(Buffer.from(await tsa(req)));
    const sd = new pkijs.SignedData({ schema: ci.content });
    const sig = new Uint8Array(sd.signerInfos[0]!.signature.valueBlock.valueHexView);
    sig[sig.length - 5]! ^= 1;
    sd.signerInfos[0]!.signature = new asn1js.OctetString({ valueHex: sig.buffer });
    const out = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
    return new Uint8Array(out.toSchema().toBER(false));
  };
}

const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const goodTsa = await issue(pki.now, 'TSA 510', 510, pki.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: [TIME_STAMPING],
  extendedKeyUsageCritical: true,
});

/** `sd` as the DER of a ContentInfo, the token a TSA returns. */
function tokenDer(sd: pkijs.SignedData): Uint8Array {
  const out = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
  return new Uint8Array(out.toSchema().toBER(false));
}

/**
 * Tokens of a sound TSA (timeStamping, critical) edited by `change` and signed again with the TSA's key, so that the
 * TSA signature verifies and only the edit is wrong.
 */
function edited(change: (sd: pkijs.SignedData, si: pkijs.SignerInfo) => void): TimeStampFunction {
  const tsa = createTimeStampAuthority({
    certificate: goodTsa.cert,
    privateKey: goodTsa.key,
    chain: [pki.ca.cert],
  });
  return async (req) => {
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(await tsa(req)));
    const sd = new pkijs.SignedData({ schema: ci.content });
    const si = sd.signerInfos[0]!;
    change(sd, si);
    si.signedAttrs!.encodedValue = new ArrayBuffer(0);
    await sd.sign(goodTsa.key, 0, 'SHA-256', undefined, cryptoEngine());
    return tokenDer(sd);
  };
}

/** The signed attributes of `si` but `oid`'s, and `value` as `oid`'s when given. */
function setAttribute(si: pkijs.SignerInfo, oid: string, value?: asn1js.BaseBlock): void {
  const attrs = si.signedAttrs!.attributes.filter((a) => a.type !== oid);
  if (value) attrs.push(new pkijs.Attribute({ type: oid, values: [value] }));
  si.signedAttrs!.attributes = attrs;
}

/** The TSTInfo's genTime replaced by a GeneralizedTime written as `text`, messageDigest made again over it. */
function genTimeWritten(text: (d: Date) => string) {
  return (sd: pkijs.SignedData, si: pkijs.SignerInfo) => {
    const tst = asn1js.fromBER(sd.encapContentInfo.eContent!.getValue()).result as asn1js.Sequence;
    const fields = tst.valueBlock.value;
    fields[4] = new asn1js.Primitive({
      idBlock: { tagClass: 1, tagNumber: 24 },
      valueHex: toArrayBuffer(new TextEncoder().encode(text(pki.now))),
    });
    const der = new Uint8Array(new asn1js.Sequence({ value: fields }).toBER(false));
    sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(der) });
    setAttribute(
      si,
      OID.messageDigest,
      new asn1js.OctetString({ valueHex: toArrayBuffer(createHash('sha256').update(der).digest()) }),
    );
  };
}

const localTime = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '');

/** A second SignerInfo beside the TSA's, by the same TSA over the same content (copied). */
function twoSignerInfos(tsa: TimeStampFunction): TimeStampFunction {
  return async (req) => {
    const sd = new pkijs.SignedData({
      schema: pkijs.ContentInfo.fromBER(toArrayBuffer(await tsa(req))).content,
    });
    sd.signerInfos = [sd.signerInfos[0]!, new pkijs.SignerInfo({ schema: sd.signerInfos[0]!.toSchema() })];
    return tokenDer(sd);
  };
}

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));

/** An RFC 3161 HTTP TSA on 127.0.0.1 answering (granted) with `tsa`'s tokens; its URL. */
async function httpTsa(tsa: TimeStampFunction): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const tsq = pkijs.TimeStampReq.fromBER(toArrayBuffer(new Uint8Array(Buffer.concat(chunks))));
      const imprint = new Uint8Array(tsq.messageImprint.hashedMessage.valueBlock.valueHexView);
      const nonce = new Uint8Array(tsq.nonce!.valueBlock.valueHexView);
      const token = await tsa({ imprint, hashAlgorithm: 'SHA-256', nonce });
      const resp = new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({ status: 0 }),
        timeStampToken: pkijs.ContentInfo.fromBER(toArrayBuffer(token)),
      });
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
      res.end(Buffer.from(resp.toSchema().toBER(false)));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
}

/** What is wrong, how the refusal must name it, and a TSA that is wrong so. */
const cases: [string, RegExp, () => Promise<TimeStampFunction>][] = [
  [
    'a TSA certificate without the timeStamping extended key usage',
    /no extended key usage/,
    () => tsaWith(501, {}),
  ],
  [
    'a TSA certificate whose timeStamping extended key usage is not critical',
    /must be critical/,
    () => tsaWith(502, { extendedKeyUsage: [TIME_STAMPING], extendedKeyUsageCritical: false }),
  ],
  [
    'a certificate for another purpose (emailProtection, critical)',
    /TSA certificate may not sign time-stamps/,
    () => tsaWith(503, { extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'], extendedKeyUsageCritical: true }),
  ],
  [
    'a token whose TSA signature does not verify',
    /TSA signature does not verify/,
    async () => corrupted(pki.tsa),
  ],
  [
    'a TSA certificate for time-stamping and another purpose (RFC 3161 §2.3: timeStamping only)',
    /list only/,
    () =>
      tsaWith(504, {
        extendedKeyUsage: [TIME_STAMPING, '1.3.6.1.5.5.7.3.4'],
        extendedKeyUsageCritical: true,
      }),
  ],
  [
    'a token without the ESS signing-certificate(-v2) attribute',
    /no ESS signing-certificate/,
    async () => edited((_, si) => setAttribute(si, OID.signingCertificateV2)),
  ],
  [
    'a token whose ESS signing-certificate-v2 names another certificate than the TSA’s',
    /ESS signing-certificate does not name the TSA certificate/,
    async () =>
      edited((_, si) => setAttribute(si, OID.signingCertificateV2, essSigningCertificateV2(pki.ca.cert))),
  ],
  [
    'a token without the signed contentType attribute',
    /contentType attribute/,
    async () => edited((_, si) => setAttribute(si, OID.contentType)),
  ],
  [
    'a token whose signed contentType is id-data, not id-ct-TSTInfo',
    /contentType attribute/,
    async () =>
      edited((_, si) => setAttribute(si, OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data }))),
  ],
  [
    'a token whose content type is id-data (signed as such), not id-ct-TSTInfo',
    /does not carry a TSTInfo/,
    async () =>
      edited((sd, si) => {
        sd.encapContentInfo.eContentType = OID.data;
        setAttribute(si, OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data }));
      }),
  ],
  ['a token with two SignerInfos', /exactly one SignerInfo/, async () => twoSignerInfos(edited(() => {}))],
  [
    'a token whose genTime is a local time (no Z)',
    /genTime is not a UTC time/,
    async () => edited(genTimeWritten(localTime)),
  ],
  [
    'a token whose genTime has an offset (+0700)',
    /genTime is not a UTC time/,
    async () => edited(genTimeWritten((d) => `${localTime(d)}+0700`)),
  ],
];

describe('time-stamp tokens that would prove nothing are refused while signing', () => {
  for (const [what, named, make] of cases) {
    it(`B-T: ${what} → ERR_ESIGN_TSA`, async () => {
      const signer = countingSigner(pki, pki.officer);
      const err = await signPdf(await letterPdf(), {
        signer,
        level: 'B-T',
        tsa: await make(),
        ...sources,
      }).catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
      expect((err as Error).message).toMatch(named);
    });

    it(`B-LTA archive time-stamp: ${what} → ERR_ESIGN_TSA`, async () => {
      const bt = await signPdf(await letterPdf(), {
        signer: signerFor(pki, pki.officer),
        level: 'B-T',
        tsa: pki.tsa,
        ...sources,
      });
      const err = await extendPdf(bt, { level: 'B-LTA', tsa: await make(), ...sources }).catch(
        (e: unknown) => e,
      );
      expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
      expect((err as Error).message).toMatch(named);
    });
  }

  it('over HTTP: a token without the ESS signing-certificate attribute → ERR_ESIGN_TSA', async () => {
    const url = await httpTsa(edited((_, si) => setAttribute(si, OID.signingCertificateV2)));
    const err = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: url,
      ...sources,
    }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
    expect((err as Error).message).toMatch(/ESS signing-certificate/);
  });

  it('guard: a token edited in nothing and signed again is accepted', async () => {
    const bt = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: edited(() => {}),
      ...sources,
    });
    const report = await verifyPdfSignatures(bt, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.level).toBe('B-T');
  });

  it('guard: the test PKI’s TSA (timeStamping, critical) is accepted and verifies at B-T', async () => {
    const bt = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      ...sources,
    });
    const report = await verifyPdfSignatures(bt, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.level).toBe('B-T');
  });
});
