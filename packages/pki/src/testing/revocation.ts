import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoKey } from '../crypto-types.js';
import { cryptoEngine, OID, toArrayBuffer } from '../engine.js';
import { importPrivateKey } from '../keys.js';
import { REASONS, type RevocationReason } from '../revocation/types.js';
import type { TestSignatureHash } from './certificates.js';
import { integerFromNumber } from './names.js';

function parse(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

function reasonCode(reason: RevocationReason): asn1js.Enumerated {
  return new asn1js.Enumerated({ value: REASONS.indexOf(reason) });
}

/** What `createCrl` issues. */
export interface CrlSpec {
  /** Whose name the CRL carries as issuer. */
  issuerCertificate: Uint8Array;
  /** Who signs it (another CA's key makes a forged CRL). */
  signingKey: CryptoKey;
  thisUpdate: Date;
  /** Omit for a CRL without nextUpdate. */
  nextUpdate?: Date;
  /**
   * Revoked entries. `certificateIssuer` (a certificate whose subject is the issuer of this and the following
   * entries) makes the certificateIssuer entry extension of an indirect CRL (RFC 5280 §5.3.3).
   */
  revoked?: { serialNumber: number; date: Date; reason?: RevocationReason; certificateIssuer?: Uint8Array }[];
  crlNumber?: number;
  /** Make it a delta CRL over this base CRL number. */
  deltaOf?: number;
  issuingDistributionPoint?: {
    urls?: string[];
    onlyUserCerts?: boolean;
    onlyCaCerts?: boolean;
    indirect?: boolean;
  };
  /** Default SHA-256. */
  signatureHash?: TestSignatureHash;
}

function crlExtensions(spec: CrlSpec): pkijs.Extension[] {
  const out = [
    new pkijs.Extension({
      extnID: OID.crlNumber,
      extnValue: integerFromNumber(spec.crlNumber ?? 1).toBER(false),
    }),
  ];
  if (spec.deltaOf !== undefined)
    out.push(
      new pkijs.Extension({
        extnID: OID.deltaCrlIndicator,
        critical: true,
        extnValue: integerFromNumber(spec.deltaOf).toBER(false),
      }),
    );
  const idp = spec.issuingDistributionPoint;
  if (idp) {
    const value = new pkijs.IssuingDistributionPoint({
      ...(idp.urls?.length
        ? { distributionPoint: idp.urls.map((u) => new pkijs.GeneralName({ type: 6, value: u })) }
        : {}),
      onlyContainsUserCerts: idp.onlyUserCerts ?? false,
      onlyContainsCACerts: idp.onlyCaCerts ?? false,
      indirectCRL: idp.indirect ?? false,
    });
    out.push(
      new pkijs.Extension({
        extnID: OID.issuingDistributionPoint,
        critical: true,
        extnValue: value.toSchema().toBER(false),
      }),
    );
  }
  return out;
}

function revokedEntry(r: NonNullable<CrlSpec['revoked']>[number]): pkijs.RevokedCertificate {
  const extensions: pkijs.Extension[] = [];
  if (r.reason)
    extensions.push(
      new pkijs.Extension({ extnID: OID.crlReason, extnValue: reasonCode(r.reason).toBER(false) }),
    );
  if (r.certificateIssuer) {
    const names = new pkijs.GeneralNames({
      names: [new pkijs.GeneralName({ type: 4, value: parse(r.certificateIssuer).subject })],
    });
    extensions.push(
      new pkijs.Extension({
        extnID: OID.certificateIssuer,
        critical: true,
        extnValue: names.toSchema().toBER(false),
      }),
    );
  }
  return new pkijs.RevokedCertificate({
    userCertificate: integerFromNumber(r.serialNumber),
    revocationDate: new pkijs.Time({ type: 0, value: r.date }),
    ...(extensions.length ? { crlEntryExtensions: new pkijs.Extensions({ extensions }) } : {}),
  });
}

/**
 * Issues a CRL for tests and the sandbox: revoked entries with reasons, delta and partitioned CRLs, and any
 * signing key (a CRL naming one CA but signed by another is how a forged CRL is built).
 *
 * @example
 * ```ts
 * const crl = await createCrl({ issuerCertificate: ca, signingKey: caKey, thisUpdate: new Date(),
 *   nextUpdate: new Date(Date.now() + 7 * 86_400_000), revoked: [{ serialNumber: 102, date: new Date() }] });
 * ```
 */
export async function createCrl(spec: CrlSpec): Promise<Uint8Array> {
  const issuer = parse(spec.issuerCertificate);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = issuer.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: spec.thisUpdate });
  if (spec.nextUpdate) crl.nextUpdate = new pkijs.Time({ type: 0, value: spec.nextUpdate });
  if (spec.revoked?.length) crl.revokedCertificates = spec.revoked.map(revokedEntry);
  crl.crlExtensions = new pkijs.Extensions({ extensions: crlExtensions(spec) });
  const hash = spec.signatureHash ?? 'SHA-256';
  await crl.sign(await importPrivateKey(spec.signingKey, hash), hash, cryptoEngine());
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

/** What `createOcspResponse` issues. */
export interface OcspResponseSpec {
  certificate: Uint8Array;
  issuerCertificate: Uint8Array;
  responderCertificate: Uint8Array;
  responderKey: CryptoKey;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  revocationReason?: RevocationReason;
  thisUpdate: Date;
  nextUpdate?: Date;
  producedAt?: Date;
  nonce?: Uint8Array;
  /** Name the responder by key hash instead of by name. */
  responderIdByKey?: boolean;
  /** Certificates to include (default: the responder's). */
  certificates?: Uint8Array[];
  /** Default SHA-256. */
  signatureHash?: TestSignatureHash;
}

function certStatus(spec: OcspResponseSpec): asn1js.BaseBlock {
  if (spec.status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (spec.status === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  const value: asn1js.BaseBlock[] = [
    new asn1js.GeneralizedTime({ valueDate: spec.revokedAt ?? spec.thisUpdate }),
  ];
  if (spec.revocationReason)
    value.push(
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [reasonCode(spec.revocationReason)],
      }),
    );
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value });
}

/**
 * A complete OCSPResponse (successful, basic) for one certificate, signed by the CA or any responder.
 *
 * @example
 * ```ts
 * const ocsp = await createOcspResponse({ certificate: signer, issuerCertificate: ca, responderCertificate: ca,
 *   responderKey: caKey, status: 'good', thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000) });
 * ```
 */
export async function createOcspResponse(spec: OcspResponseSpec): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const cert = parse(spec.certificate);
  const responder = parse(spec.responderCertificate);
  const certID = new pkijs.CertID();
  await certID.createForCertificate(
    cert,
    { hashAlgorithm: 'SHA-1', issuerCertificate: parse(spec.issuerCertificate) },
    engine,
  );
  const basic = new pkijs.BasicOCSPResponse();
  if (spec.responderIdByKey) {
    const h = createHash('sha1')
      .update(responder.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
      .digest();
    basic.tbsResponseData.responderID = new asn1js.OctetString({ valueHex: toArrayBuffer(h) });
  } else basic.tbsResponseData.responderID = responder.subject;
  basic.tbsResponseData.producedAt = spec.producedAt ?? spec.thisUpdate;
  basic.tbsResponseData.responses.push(
    new pkijs.SingleResponse({
      certID,
      certStatus: certStatus(spec),
      thisUpdate: spec.thisUpdate,
      ...(spec.nextUpdate ? { nextUpdate: spec.nextUpdate } : {}),
    }),
  );
  if (spec.nonce) {
    basic.tbsResponseData.responseExtensions = [
      new pkijs.Extension({
        extnID: OID.ocspNonce,
        extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(spec.nonce) }).toBER(false),
      }),
    ];
  }
  basic.certs = (spec.certificates ?? [spec.responderCertificate]).map(parse);
  const hash = spec.signatureHash ?? 'SHA-256';
  await basic.sign(await importPrivateKey(spec.responderKey, hash), hash, engine);
  const resp = new pkijs.OCSPResponse();
  resp.responseStatus.valueBlock.valueDec = 0;
  resp.responseBytes = new pkijs.ResponseBytes({
    responseType: OID.ocspBasic,
    response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
  });
  return new Uint8Array(resp.toSchema().toBER(false));
}
