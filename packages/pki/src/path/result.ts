import type { CertificateSummary } from '../certificate/types.js';
import type { BlockIndication, SubIndication } from '../etsi.js';
import type { RevocationEvidenceSummary, RevocationReason } from '../revocation/types.js';

/** The revocation status of one certificate of the path, and the evidence behind it. */
export interface CertificateRevocationStatus {
  /** Index in `path` (0 = the end-entity certificate). */
  position: number;
  /** `not-checked`: an OCSP responder certificate with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1). */
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  revokedAt?: string;
  revocationReason?: RevocationReason;
  /** The evidence that decided: the earliest revocation if any, else the "good" answer used. */
  decidedBy?: RevocationEvidenceSummary;
  /** Every piece of evidence found for the certificate, usable or not, with the reason when not. */
  considered: RevocationEvidenceSummary[];
  /** Online fetches that failed (type, URL and error code). */
  fetchProblems: string[];
}

/** The outcome of `validateCertificatePath`, in the ETSI EN 319 102-1 vocabulary. */
export interface PathValidationResult {
  /** PASSED, INDETERMINATE (evidence missing or constraints not met) or FAILED (proven bad). */
  indication: BlockIndication;
  subIndication?: SubIndication;
  /** What decided, in words (no names: positions such as "CA certificate #1"). */
  message: string;
  /** The time validated at (ISO 8601). */
  validatedAt: string;
  /** Whether that time is proven (a verified time-stamp) rather than the current time. */
  timeProven: boolean;
  /** The built path, end entity first and trust anchor last; only the end entity when no path was found. */
  path: CertificateSummary[];
  /** DER of each certificate of `path`, same order. */
  certificates: Uint8Array[];
  /** One entry per certificate of the path except the anchor, when revocation was checked. */
  revocation: CertificateRevocationStatus[];
  /** Things that did not decide the result but a reader should know. */
  warnings: string[];
}
