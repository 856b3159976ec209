import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { cryptoEngine, OID, toArrayBuffer } from '../cms/engine.js';
import type { CryptoKey } from './crypto-types.js';

export interface DistinguishedName {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'keyCertSign'
  | 'cRLSign';

export interface CertificateSpec {
  subject: DistinguishedName;
  publicKey: CryptoKey;
  /** The issuer; omitted for a self-signed root (then `signingKey` is the subject's own private key). */
  issuer?: { certificate: Uint8Array };
  signingKey: CryptoKey;
  serialNumber: number;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  pathLength?: number;
  keyUsage?: KeyUsageName[];
  extendedKeyUsage?: string[];
  /** Mark the extended key usage critical (RFC 3161 wants it so for TSAs). */
  extendedKeyUsageCritical?: boolean;
  crlUrl?: string;
  ocspUrl?: string;
  ocspNoCheck?: boolean;
}

const KU_BITS: Record<KeyUsageName, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
};

export function buildName(dn: DistinguishedName): pkijs.RelativeDistinguishedNames {
  const rdns: asn1js.Set[] = [];
  const add = (type: string, value: string | undefined, printable = false) => {
    if (value === undefined) return;
    const tv = new pkijs.AttributeTypeAndValue({
      type,
      value: printable ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
    });
    rdns.push(new asn1js.Set({ value: [tv.toSchema()] }));
  };
  add('2.5.4.6', dn.country, true);
  add('2.5.4.10', dn.organization);
  add('2.5.4.11', dn.organizationalUnit);
  add('2.5.4.3', dn.commonName);
  // One attribute per RDN; pkijs would otherwise put them all in a single multi-valued RDN.
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

export function integerFromNumber(n: number): asn1js.Integer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(hex, 'hex')) });
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

async function spkiHash(key: CryptoKey): Promise<Uint8Array> {
  const spki = pkijs.PublicKeyInfo.fromBER(await webcrypto.subtle.exportKey('spki', key));
  return createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest();
}

/** Issues an X.509 v3 certificate (used by issuers' tests and by the sandbox's test PKI). */
export async function createCertificate(spec: CertificateSpec): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = integerFromNumber(spec.serialNumber);
  cert.subject = buildName(spec.subject);
  const issuerCert = spec.issuer ? parseCertificate(spec.issuer.certificate) : undefined;
  cert.issuer = issuerCert ? issuerCert.subject : buildName(spec.subject);
  cert.notBefore.value = spec.notBefore;
  cert.notAfter.value = spec.notAfter;
  await cert.subjectPublicKeyInfo.importKey(spec.publicKey, engine);
  const ext: pkijs.Extension[] = [];
  ext.push(
    new pkijs.Extension({
      extnID: OID.basicConstraints,
      critical: true,
      extnValue: new pkijs.BasicConstraints({
        cA: spec.ca ?? false,
        ...(spec.ca && spec.pathLength !== undefined ? { pathLenConstraint: spec.pathLength } : {}),
      })
        .toSchema()
        .toBER(false),
    }),
  );
  if (spec.keyUsage?.length) {
    let bits = 0;
    for (const k of spec.keyUsage) bits |= 0x80 >> KU_BITS[k];
    let unused = 0;
    while (unused < 7 && ((bits >> unused) & 1) === 0) unused++;
    ext.push(
      new pkijs.Extension({
        extnID: OID.keyUsage,
        critical: true,
        extnValue: new asn1js.BitString({
          valueHex: new Uint8Array([bits]).buffer,
          unusedBits: unused,
        }).toBER(false),
      }),
    );
  }
  if (spec.extendedKeyUsage?.length) {
    ext.push(
      new pkijs.Extension({
        extnID: OID.extKeyUsage,
        critical: spec.extendedKeyUsageCritical ?? false,
        extnValue: new pkijs.ExtKeyUsage({ keyPurposes: spec.extendedKeyUsage }).toSchema().toBER(false),
      }),
    );
  }
  const ski = await spkiHash(spec.publicKey);
  ext.push(
    new pkijs.Extension({
      extnID: OID.subjectKeyIdentifier,
      extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(ski) }).toBER(false),
    }),
  );
  if (issuerCert) {
    const issuerSki = createHash('sha1')
      .update(issuerCert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
      .digest();
    ext.push(
      new pkijs.Extension({
        extnID: OID.authorityKeyIdentifier,
        extnValue: new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(issuerSki) }),
        })
          .toSchema()
          .toBER(false),
      }),
    );
  }
  if (spec.crlUrl) {
    ext.push(
      new pkijs.Extension({
        extnID: OID.crlDistributionPoints,
        extnValue: new pkijs.CRLDistributionPoints({
          distributionPoints: [
            new pkijs.DistributionPoint({
              distributionPoint: [new pkijs.GeneralName({ type: 6, value: spec.crlUrl })],
            }),
          ],
        })
          .toSchema()
          .toBER(false),
      }),
    );
  }
  if (spec.ocspUrl) {
    ext.push(
      new pkijs.Extension({
        extnID: OID.authorityInfoAccess,
        extnValue: new pkijs.InfoAccess({
          accessDescriptions: [
            new pkijs.AccessDescription({
              accessMethod: '1.3.6.1.5.5.7.48.1',
              accessLocation: new pkijs.GeneralName({ type: 6, value: spec.ocspUrl }),
            }),
          ],
        })
          .toSchema()
          .toBER(false),
      }),
    );
  }
  if (spec.ocspNoCheck) {
    ext.push(new pkijs.Extension({ extnID: OID.ocspNoCheck, extnValue: new asn1js.Null().toBER(false) }));
  }
  cert.extensions = ext;
  await cert.sign(spec.signingKey, 'SHA-256', engine);
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

export interface CrlSpec {
  issuerCertificate: Uint8Array;
  signingKey: CryptoKey;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked?: { serialNumber: number; date: Date }[];
  crlNumber?: number;
}

export async function createCrl(spec: CrlSpec): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const issuer = parseCertificate(spec.issuerCertificate);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = issuer.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: spec.thisUpdate });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: spec.nextUpdate });
  if (spec.revoked?.length) {
    crl.revokedCertificates = spec.revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: integerFromNumber(r.serialNumber),
          revocationDate: new pkijs.Time({ type: 0, value: r.date }),
        }),
    );
  }
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      new pkijs.Extension({
        extnID: '2.5.29.20',
        extnValue: integerFromNumber(spec.crlNumber ?? 1).toBER(false),
      }),
    ],
  });
  await crl.sign(spec.signingKey, 'SHA-256', engine);
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

export interface OcspResponseSpec {
  certificate: Uint8Array;
  issuerCertificate: Uint8Array;
  responderCertificate: Uint8Array;
  responderKey: CryptoKey;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  producedAt?: Date;
  nonce?: Uint8Array;
}

/** A complete OCSPResponse (successful, basic) for one certificate. */
export async function createOcspResponse(spec: OcspResponseSpec): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const cert = parseCertificate(spec.certificate);
  const issuer = parseCertificate(spec.issuerCertificate);
  const responder = parseCertificate(spec.responderCertificate);
  const certID = new pkijs.CertID();
  await certID.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer }, engine);
  let certStatus: asn1js.BaseBlock;
  if (spec.status === 'good') {
    certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  } else if (spec.status === 'revoked') {
    certStatus = new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 1 },
      value: [new asn1js.GeneralizedTime({ valueDate: spec.revokedAt ?? spec.thisUpdate })],
    });
  } else {
    certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  }
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = responder.subject;
  basic.tbsResponseData.producedAt = spec.producedAt ?? spec.thisUpdate;
  basic.tbsResponseData.responses.push(
    new pkijs.SingleResponse({
      certID,
      certStatus,
      thisUpdate: spec.thisUpdate,
      ...(spec.nextUpdate ? { nextUpdate: spec.nextUpdate } : {}),
    }),
  );
  if (spec.nonce) {
    basic.tbsResponseData.responseExtensions = [
      new pkijs.Extension({
        extnID: '1.3.6.1.5.5.7.48.1.2',
        extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(spec.nonce) }).toBER(false),
      }),
    ];
  }
  basic.certs = [responder];
  await basic.sign(spec.responderKey, 'SHA-256', engine);
  const resp = new pkijs.OCSPResponse();
  resp.responseStatus.valueBlock.valueDec = 0;
  resp.responseBytes = new pkijs.ResponseBytes({
    responseType: OID.ocspBasic,
    response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
  });
  return new Uint8Array(resp.toSchema().toBER(false));
}
