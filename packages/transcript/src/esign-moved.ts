// Names that moved to @thgov/esign (the PDF signature engine), re-exported so that existing imports keep working.
import {
  type Anomaly as EsignAnomaly,
  type AnomalyCode as EsignAnomalyCode,
  type CertificateSummary as EsignCertificateSummary,
  type CheckId as EsignCheckId,
  type CheckResult as EsignCheckResult,
  type CheckStatus as EsignCheckStatus,
  type CoverageLevel as EsignCoverageLevel,
  DEFAULT_PDF_LIMITS as EsignDefaultPdfLimits,
  FontError as EsignFontError,
  type FontErrorCode as EsignFontErrorCode,
  FONT_ERROR_CODES as EsignFontErrorCodes,
  type Indication as EsignIndication,
  type ModificationLevel as EsignModificationLevel,
  PdfDocument as EsignPdfDocument,
  type PdfLimits as EsignPdfLimits,
  type Revision as EsignRevision,
  type RevocationEvidence as EsignRevocationEvidence,
  type SignatureReport as EsignSignatureReport,
  type SigningTimeEvidence as EsignSigningTimeEvidence,
  type SubIndication as EsignSubIndication,
  type VerificationReport as EsignVerificationReport,
  type XrefEntry as EsignXrefEntry,
  isFontError as esignIsFontError,
} from '@thgov/esign';

/** @deprecated Import from `@thgov/esign`. */
export const PdfDocument = EsignPdfDocument;
/** @deprecated Import from `@thgov/esign`. */
export type PdfDocument = EsignPdfDocument;
/** @deprecated Import from `@thgov/esign`. */
export const DEFAULT_PDF_LIMITS = EsignDefaultPdfLimits;
/** @deprecated Import from `@thgov/esign`. */
export type PdfLimits = EsignPdfLimits;
/** @deprecated Import from `@thgov/esign`. */
export type Anomaly = EsignAnomaly;
/** @deprecated Import from `@thgov/esign`. */
export type AnomalyCode = EsignAnomalyCode;
/** @deprecated Import from `@thgov/esign`. */
export type Revision = EsignRevision;
/** @deprecated Import from `@thgov/esign`. */
export type XrefEntry = EsignXrefEntry;
/** @deprecated Import from `@thgov/esign` (the font layer draws signature appearances there). */
export const FONT_ERROR_CODES = EsignFontErrorCodes;
/** @deprecated Import from `@thgov/esign`. */
export const FontError = EsignFontError;
/** @deprecated Import from `@thgov/esign`. */
export type FontError = EsignFontError;
/** @deprecated Import from `@thgov/esign`. */
export type FontErrorCode = EsignFontErrorCode;
/** @deprecated Import from `@thgov/esign`. */
export const isFontError = esignIsFontError;
/** @deprecated Import from `@thgov/esign` (the report model of every PDF signature verification). */
export type VerificationReport = EsignVerificationReport;
/** @deprecated Import from `@thgov/esign`. */
export type SignatureReport = EsignSignatureReport;
/** @deprecated Import from `@thgov/esign`. */
export type CheckResult = EsignCheckResult;
/** @deprecated Import from `@thgov/esign`. */
export type CheckId = EsignCheckId;
/** @deprecated Import from `@thgov/esign`. */
export type CheckStatus = EsignCheckStatus;
/** @deprecated Import from `@thgov/esign`. */
export type CoverageLevel = EsignCoverageLevel;
/** @deprecated Import from `@thgov/esign`. */
export type ModificationLevel = EsignModificationLevel;
/** @deprecated Import from `@thgov/esign`. */
export type Indication = EsignIndication;
/** @deprecated Import from `@thgov/esign`. */
export type SubIndication = EsignSubIndication;
/** @deprecated Import from `@thgov/esign`. */
export type RevocationEvidence = EsignRevocationEvidence;
/** @deprecated Import from `@thgov/esign`. */
export type SigningTimeEvidence = EsignSigningTimeEvidence;
/** @deprecated Import from `@thgov/esign`. */
export type CertificateSummary = EsignCertificateSummary;
