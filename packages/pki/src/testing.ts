// @thgov/pki/testing: builders for a test PKI (certificates, CRLs, OCSP responses, a time-stamp authority and
// keys). For tests, fixtures and the sandbox only; never for production certificates.
export {
  type CertificateSpec,
  createCertificate,
  type RawExtension,
  type TestSignatureHash,
} from './testing/certificates.js';
export {
  issueTestIdentity,
  type TestIdentity,
  type TestIdentityOptions,
} from './testing/identity.js';
export { generateSigningKeyPair } from './testing/keys.js';
export type { DistinguishedName, GeneralNameSpec } from './testing/names.js';
export { createPkcs12 } from './testing/pkcs12.js';
export { type CrlSpec, createCrl, createOcspResponse, type OcspResponseSpec } from './testing/revocation.js';
export { createTimeStampAuthority, type TimeStampAuthorityOptions } from './testing/tsa.js';
