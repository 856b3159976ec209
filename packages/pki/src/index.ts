export {
  type AlgorithmPolicy,
  DEFAULT_ALGORITHM_POLICY,
} from './algorithms.js';
export { summarizeCertificate } from './certificate/summary.js';
export type { CertificateInput, CertificateSummary, KeyUsageName } from './certificate/types.js';
export type { CryptoKey, CryptoKeyPair } from './crypto-types.js';
export { isPkiError, PKI_ERROR_CODES, PkiError, type PkiErrorCode } from './errors.js';
export type { BlockIndication, SubIndication } from './etsi.js';
export { exportPkcs8Pem, importPrivateKey, type KeyInput, publicKeyType } from './keys.js';
export type { PathRevocationOptions, ValidateCertificatePathOptions } from './path/options.js';
export type { CertificateRevocationStatus, PathValidationResult } from './path/result.js';
export type { CertificateUsage, CustomUsage } from './path/usage.js';
export { validateCertificatePath } from './path/validate.js';
export { decodeCertificates, toPem } from './pem.js';
export { type ParsedCrl, parseCrl } from './revocation/crl.js';
export { type OcspResponseStatus, type ParsedOcspResponse, parseOcspResponse } from './revocation/ocsp.js';
export {
  createRevocationFetcher,
  type OnlineRevocationOptions,
  type RevocationFetch,
  type RevocationFetcher,
  type RevocationFetchRequest,
} from './revocation/online.js';
export {
  DEFAULT_FRESHNESS,
  type FreshnessPolicy,
  type RevocationEvidenceSummary,
  type RevocationReason,
  type RevocationSource,
} from './revocation/types.js';
export type { DigestName, TimeStampFunction } from './timestamp/function.js';
export {
  type TimeStampVerification,
  type VerifyTimeStampTokenOptions,
  verifyTimeStampToken,
} from './timestamp/verify.js';
