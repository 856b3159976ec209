export type { DigestName, TimeStampFunction } from './cms/sign.js';
export {
  isTranscriptError,
  TRANSCRIPT_ERROR_CODES,
  TranscriptError,
  type TranscriptErrorCode,
} from './errors.js';
export { type ExtractedTranscript, extractTranscript } from './extract.js';
export { FONT_ERROR_CODES, FontError, type FontErrorCode, isFontError } from './issue/font/errors.js';
export {
  addDocumentTimeStamp,
  addDss,
  type IssueTranscriptInput,
  issueTranscript,
  type SignPdfOptions,
  type SubFilter,
  signPdf,
} from './issue/issue-transcript.js';
export {
  type Anomaly,
  type AnomalyCode,
  PdfDocument,
  type Revision,
  type XrefEntry,
} from './pdf/document.js';
export { DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf/limits.js';
export { importPrivateKey, type KeyInput } from './pki/keys.js';
export {
  type CertificateSpec,
  type CrlSpec,
  type CryptoKey,
  type CryptoKeyPair,
  createCertificate,
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  type DistinguishedName,
  exportPkcs8Pem,
  generateSigningKeyPair,
  type KeyUsageName,
  type OcspResponseSpec,
  type TimeStampAuthorityOptions,
  toPem,
} from './pki/moved.js';
export { decodeCertificates } from './pki/pem.js';
export type { XmpInfo } from './verify/attachment.js';
export type {
  CertificateInput,
  RevocationOptions,
  VerifyOptions,
  XmlValidator,
  XmlValidatorResult,
} from './verify/options.js';
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
export { verifyPdfSignatures, verifyTranscript } from './verify/verify.js';
export { xmlToData } from './xml/check-xml.js';
