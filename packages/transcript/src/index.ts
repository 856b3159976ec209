export type { DigestName, TimeStampFunction } from '@thgov/pki';
export {
  isTranscriptError,
  TRANSCRIPT_ERROR_CODES,
  TranscriptError,
  type TranscriptErrorCode,
} from './errors.js';
export {
  type Anomaly,
  type AnomalyCode,
  type CertificateSummary,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type CoverageLevel,
  DEFAULT_PDF_LIMITS,
  FONT_ERROR_CODES,
  FontError,
  type FontErrorCode,
  type Indication,
  isFontError,
  type ModificationLevel,
  PdfDocument,
  type PdfLimits,
  type Revision,
  type RevocationEvidence,
  type SignatureReport,
  type SigningTimeEvidence,
  type SubIndication,
  type VerificationReport,
  type XrefEntry,
} from './esign-moved.js';
export { type ExtractedTranscript, extractTranscript } from './extract.js';
export { type IssueTranscriptInput, issueTranscript } from './issue/deprecated.js';
export {
  addDocumentTimeStamp,
  addDss,
  type SignPdfOptions,
  type SubFilter,
  signPdf,
} from './issue/sign-pdf.js';
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
export { TRANSCRIPT_POLICY } from './verify/transcript-policy.js';
export { verifyPdfSignatures, verifyTranscript } from './verify/verify-transcript.js';
export { xmlToData } from './xml/check-xml.js';
