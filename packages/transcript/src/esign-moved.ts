// Names that moved to @thgov/esign (the PDF signature engine), re-exported so that existing imports keep working.
import type {
  Anomaly as EsignAnomaly,
  AnomalyCode as EsignAnomalyCode,
  CertificateSummary as EsignCertificateSummary,
  CheckId as EsignCheckId,
  CheckResult as EsignCheckResult,
  CheckStatus as EsignCheckStatus,
  CoverageLevel as EsignCoverageLevel,
  FontErrorCode as EsignFontErrorCode,
  Indication as EsignIndication,
  ModificationLevel as EsignModificationLevel,
  PdfLimits as EsignPdfLimits,
  Revision as EsignRevision,
  RevocationEvidence as EsignRevocationEvidence,
  SignatureReport as EsignSignatureReport,
  SigningTimeEvidence as EsignSigningTimeEvidence,
  SubIndication as EsignSubIndication,
  VerificationReport as EsignVerificationReport,
  XrefEntry as EsignXrefEntry,
  FontError as RootFontError,
  PdfDocument as RootPdfDocument,
  isFontError as rootIsFontError,
} from '@thgov/esign';
// The same values as the root entry's, from the internal entry: importing the root one would load esign's signing
// and remote-signing modules with every verification. Their declared types name the root entry's, so that the
// published declarations never refer to the internal entry (whose font types need more than applications have).
import {
  DEFAULT_PDF_LIMITS as EsignDefaultPdfLimits,
  FontError as EsignFontError,
  FONT_ERROR_CODES as EsignFontErrorCodes,
  PdfDocument as EsignPdfDocument,
  isFontError as esignIsFontError,
} from '@thgov/esign/internal';

/** @deprecated Import from `@thgov/esign`. */
export const PdfDocument: typeof RootPdfDocument = EsignPdfDocument;
/** @deprecated Import from `@thgov/esign`. */
export type PdfDocument = RootPdfDocument;
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
export const FontError: typeof RootFontError = EsignFontError;
/** @deprecated Import from `@thgov/esign`. */
export type FontError = RootFontError;
/** @deprecated Import from `@thgov/esign`. */
export type FontErrorCode = EsignFontErrorCode;
/** @deprecated Import from `@thgov/esign`. */
export const isFontError: typeof rootIsFontError = esignIsFontError;
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
