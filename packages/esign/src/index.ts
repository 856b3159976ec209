export { FONT_ERROR_CODES, FontError, type FontErrorCode } from './appearance/font/errors.js';
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
export type {
  DigestAlgorithm,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signers/signer.js';
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
