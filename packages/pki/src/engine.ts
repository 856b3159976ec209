import { createHash, webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

let engine: pkijs.CryptoEngine | undefined;

/** pkijs bound to Node's WebCrypto; set once, on first use, so importing the package has no side effect. */
export function cryptoEngine(): pkijs.CryptoEngine {
  if (!engine) {
    engine = new pkijs.CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
    });
    pkijs.setEngine('node', engine);
  }
  return engine;
}

/** Object identifiers used across the package (one table, so that a typo cannot hide in a literal). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  adbeRevocationInfoArchival: '1.2.840.113583.1.1.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
  ekuDocumentSigning: '1.3.6.1.5.5.7.3.36',
  ekuAny: '2.5.29.37.0',
  ekuAdobeAuthenticDocuments: '1.2.840.113583.1.1.5',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  accessCaIssuers: '1.3.6.1.5.5.7.48.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCrl: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

/** Digest algorithms accepted for signatures and imprints; SHA-1 is refused (SHAttered, pdf-insecurity). */
export const DIGEST_BY_OID: Readonly<Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = {
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

/** The OID of each digest name (SHA-1 included: CertIDs and ESS v1 still name it). */
export const OID_BY_DIGEST: Readonly<Record<string, string>> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

/** A copy of exactly the view's bytes as an ArrayBuffer (what asn1js and pkijs parse). */
export function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

const NODE_HASH: Readonly<Record<string, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * Digest of `data` (or of its parts, in order) as bytes. The SHA family is hashed by node:crypto on this
 * thread: for the few kilobytes to megabytes verified here, WebCrypto's round trip through the thread pool,
 * with its copy of the data, cost more than the hashing. Any other name goes to WebCrypto as before.
 */
export async function digest(alg: string, data: Uint8Array | readonly Uint8Array[]): Promise<Uint8Array> {
  const parts = data instanceof Uint8Array ? [data] : data;
  const name = NODE_HASH[alg];
  if (name) {
    const hash = createHash(name);
    for (const part of parts) hash.update(part);
    const out = hash.digest();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const whole = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
  return new Uint8Array(await webcrypto.subtle.digest(alg, whole));
}
