import { createHash, X509Certificate } from 'node:crypto';
import type { TimeStampFunction } from '@thgov/pki';
import { essSigningCertificateV2, OID, toArrayBuffer } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { revocationInfoArchival } from '../cms/sign.js';
import { EsignError } from '../errors.js';
import {
  DIGEST_OID,
  describePublicKey,
  NODE_DIGEST,
  pssParameters,
  signatureOid,
} from '../signers/algorithms.js';
import type { DigestAlgorithm, SignatureAlgorithm, Signer } from '../signers/signer.js';

/** What one CMS signature over a PDF's byte ranges needs. */
export interface SignerCmsInput {
  /** The two signed byte ranges. */
  parts: Uint8Array[];
  signer: Signer;
  digest: DigestAlgorithm;
  /**
   * PAdES baseline (`ETSI.CAdES.detached`): ESS signing-certificate-v2 and no CMS signing-time (the time is
   * the dictionary's /M). False: Adobe's `adbe.pkcs7.detached` with signing-time and revocationInfoArchival.
   */
  cades: boolean;
  signingTime: Date;
  /** For `adbe.pkcs7.detached` only: revocation data inside the signed attributes. */
  revocation?: { crls: Uint8Array[]; ocsps: Uint8Array[] };
  /** Adds the RFC 3161 signature time-stamp (PAdES B-T) as an unsigned attribute. */
  timeStamp?: TimeStampFunction;
  abortSignal?: AbortSignal;
}

function attr(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function der(bytes: Uint8Array): asn1js.BaseBlock {
  return asn1js.fromBER(toArrayBuffer(bytes)).result;
}

function hash(digest: DigestAlgorithm, parts: Uint8Array[]): Uint8Array {
  const h = createHash(NODE_DIGEST[digest]);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function signedAttributes(input: SignerCmsInput, signerDer: Uint8Array): pkijs.Attribute[] {
  const md = hash(input.digest, input.parts);
  const attrs = [
    attr(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attr(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(md) })),
  ];
  if (input.cades) {
    attrs.push(attr(OID.signingCertificateV2, essSigningCertificateV2(signerDer)));
    return attrs;
  }
  attrs.push(attr(OID.signingTime, new asn1js.UTCTime({ valueDate: input.signingTime })));
  const rev = input.revocation;
  if (rev && (rev.crls.length || rev.ocsps.length))
    attrs.push(attr(OID.adbeRevocationInfoArchival, revocationInfoArchival(rev)));
  return attrs;
}

/** The scheme the signer prefers, else the first its certificate's key can produce. */
export function signatureAlgorithmFor(signer: Signer, digest: DigestAlgorithm): SignatureAlgorithm {
  const first = signer.certificateChain[0];
  if (!first) throw new EsignError('ERR_ESIGN_SIGNER_CERT', 'The signer has no certificate');
  const scheme =
    signer.schemes?.[0] ?? describePublicKey(new X509Certificate(Buffer.from(first)).publicKey).schemes[0]!;
  return { scheme, digest };
}

function algorithmIdentifiers(algorithm: SignatureAlgorithm) {
  const digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[algorithm.digest] });
  const params =
    algorithm.scheme === 'RSA-PSS'
      ? der(pssParameters(algorithm.digest))
      : algorithm.scheme === 'RSASSA-PKCS1-v1_5'
        ? new asn1js.Null()
        : undefined;
  const signatureAlgorithm = new pkijs.AlgorithmIdentifier({
    algorithmId: signatureOid(algorithm),
    ...(params ? { algorithmParams: params } : {}),
  });
  return { digestAlgorithm, signatureAlgorithm };
}

/**
 * A detached CMS SignedData with one SignerInfo, signed through the {@link Signer} contract: the signed
 * attributes are DER-encoded (as a SET, RFC 5652 §5.4), their digest goes to `signer.sign` with the bytes
 * themselves as `toBeSigned`.
 */
export async function signCms(input: SignerCmsInput): Promise<Uint8Array> {
  const signerDer = input.signer.certificateChain[0]!;
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(signerDer));
  const algorithm = signatureAlgorithmFor(input.signer, input.digest);
  const ids = algorithmIdentifiers(algorithm);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: signedAttributes(input, signerDer),
  });
  const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31; // signed over as a SET OF, carried as [0] IMPLICIT
  const signature = await input.signer.sign(hash(input.digest, [toBeSigned]), algorithm, {
    toBeSigned,
    ...(input.abortSignal ? { abortSignal: input.abortSignal } : {}),
  });
  const si = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: ids.digestAlgorithm,
    signedAttrs,
    signatureAlgorithm: ids.signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  if (input.timeStamp) {
    const token = await input.timeStamp({
      imprint: hash(input.digest, [signature]),
      hashAlgorithm: input.digest,
    });
    si.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [attr(OID.signatureTimeStamp, der(token))],
    });
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [ids.digestAlgorithm],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [si],
    certificates: input.signer.certificateChain.map((c) => pkijs.Certificate.fromBER(toArrayBuffer(c))),
  });
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}
