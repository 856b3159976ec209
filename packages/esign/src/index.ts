export type { SignatureAppearance } from './appearance/appearance.js';
export {
  FONT_ERROR_CODES,
  FontError,
  type FontErrorCode,
  isFontError,
} from './appearance/font/errors.js';
export {
  type CscAuthData,
  type CscAuthorizeInput,
  type CscCallOptions,
  CscClient,
  type CscClientOptions,
  type CscSignHashInput,
} from './csc/client.js';
export type { CscCredentialInfo, CscCredentialList, CscInfo } from './csc/schemas.js';
export {
  ESIGN_ERROR_CODES,
  EsignError,
  type EsignErrorCode,
  type EsignErrorOptions,
  isEsignError,
} from './errors.js';
export {
  type Anomaly,
  type AnomalyCode,
  PdfDocument,
  type Revision,
  type XrefEntry,
} from './pdf/document.js';
export { DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf/limits.js';
export { type ExtendPdfOptions, extendPdf } from './sign/extend.js';
export type {
  PadesLevel,
  SignPdfOptions,
  SuppliedValidationData,
} from './sign/options.js';
export { addDocumentTimeStamp, signPdf } from './sign/sign-pdf.js';
export type { TimeStampSource } from './sign/timestamp.js';
export {
  type CscAuth,
  type CscAuthDataRequest,
  type CscCredentialTokenRequest,
  type CscSignerOptions,
  cscSigner,
} from './signers/csc.js';
export { keyObjectSigner } from './signers/local.js';
export { type Pkcs11SignerOptions, pkcs11Signer } from './signers/pkcs11.js';
export { pkcs12Signer } from './signers/pkcs12.js';
export { signDigest } from './signers/sign-digest.js';
export type {
  DigestAlgorithm,
  KeyStoreSigner,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signers/signer.js';
export { verifyDigestSignature } from './signers/verify-digest.js';
export type {
  CertificateInput,
  RevocationOptions,
  VerifyPdfOptions,
} from './verify/options.js';
export { PDF_POLICY, type VerificationPolicy } from './verify/policy.js';
export type {
  CertificateSummary,
  CheckId,
  CheckResult,
  CheckStatus,
  CoverageLevel,
  Indication,
  ModificationLevel,
  RevocationEvidence,
  SignatureReport,
  SigningTimeEvidence,
  SubIndication,
  VerificationReport,
} from './verify/report.js';
export { verifyPdfSignatures } from './verify/verify-pdf.js';
