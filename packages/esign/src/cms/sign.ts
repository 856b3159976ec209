import { createHash } from 'node:crypto';
import type { CryptoKey, DigestName, TimeStampFunction } from '@thgov/pki';
import {
  cryptoEngine,
  digest,
  essSigningCertificateV2,
  OID,
  readBer,
  toArrayBuffer,
} from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EsignError } from '../errors.js';

export type { DigestName, TimeStampFunction };

export interface CmsSignOptions {
  data: Uint8Array[];
  privateKey: CryptoKey;
  /** Signer certificate first, then its CA certificates (DER). */
  chain: Uint8Array[];
  digestAlgorithm?: DigestName;
  signingTime?: Date;
  /** Adds ESS signing-certificate-v2 (required by CAdES/PAdES). */
  essSigningCertificate?: boolean;
  /** Adobe revocationInfoArchival signed attribute. */
  revocation?: { crls?: Uint8Array[]; ocsps?: Uint8Array[] };
  timeStamp?: TimeStampFunction;
  /** Test hook for attack fixtures: sign with another digest than the one declared. */
  eContentType?: string;
}

function attr(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** One DER value of the validation data, or ERR_ESIGN_VALIDATION_DATA: nothing unreadable is signed into a CMS. */
function derValue(bytes: Uint8Array, what: string): asn1js.AsnType {
  const asn = readBer(toArrayBuffer(bytes));
  if (asn.offset !== bytes.byteLength)
    throw new EsignError('ERR_ESIGN_VALIDATION_DATA', `${what} of the validation data is not one DER value`);
  return asn.result;
}

/** Adobe's revocationInfoArchival signed attribute value: `[0] CRLs, [1] OCSP responses`. */
export function revocationInfoArchival(rev: { crls?: Uint8Array[]; ocsps?: Uint8Array[] }): asn1js.Sequence {
  const value: asn1js.BaseBlock[] = [];
  if (rev.crls?.length) {
    value.push(
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Sequence({ value: rev.crls.map((c) => derValue(c, 'A CRL')) })],
      }),
    );
  }
  if (rev.ocsps?.length) {
    value.push(
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [new asn1js.Sequence({ value: rev.ocsps.map((c) => derValue(c, 'An OCSP response')) })],
      }),
    );
  }
  return new asn1js.Sequence({ value });
}

/** A detached CMS SignedData with one SignerInfo (what PDF signatures carry in /Contents). */
export async function signDetachedCms(options: CmsSignOptions): Promise<Uint8Array> {
  const engine = cryptoEngine();
  const alg = options.digestAlgorithm ?? 'SHA-256';
  const signerDer = options.chain[0]!;
  const signer = pkijs.Certificate.fromBER(toArrayBuffer(signerDer));
  const h = createHash(alg.replace('-', '').toLowerCase());
  for (const d of options.data) h.update(d);
  const md = h.digest();
  const attrs: pkijs.Attribute[] = [
    attr(OID.contentType, new asn1js.ObjectIdentifier({ value: options.eContentType ?? OID.data })),
    attr(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(md) })),
  ];
  if (options.signingTime)
    attrs.push(attr(OID.signingTime, new asn1js.UTCTime({ valueDate: options.signingTime })));
  if (options.essSigningCertificate)
    attrs.push(attr(OID.signingCertificateV2, essSigningCertificateV2(signerDer)));
  if (options.revocation && (options.revocation.crls?.length || options.revocation.ocsps?.length)) {
    attrs.push(attr(OID.adbeRevocationInfoArchival, revocationInfoArchival(options.revocation)));
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
      }),
    ],
    certificates: options.chain.map((c) => pkijs.Certificate.fromBER(toArrayBuffer(c))),
  });
  await signedData.sign(options.privateKey, 0, alg, undefined, engine);
  const si = signedData.signerInfos[0]!;
  if (options.timeStamp) {
    const sigValue = new Uint8Array(si.signature.valueBlock.valueHexView);
    const token = await options.timeStamp({ imprint: await digest(alg, sigValue), hashAlgorithm: alg });
    si.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [attr(OID.signatureTimeStamp, asn1js.fromBER(toArrayBuffer(token)).result)],
    });
  }
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}
