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

/**
 * The rule that decided a result other than PASSED, as a stable name (ETSI sub-indications group several):
 *
 * - `trust-anchors`: none configured; `chain`: no path to an anchor; `chain-loop`: the certificates given only
 *   lead round in circles; `chain-length`: no path within `maxPathLength` (a longer one may exist);
 * - `public-key`, `signature-algorithm`: the algorithm policy;
 * - `basic-constraints`, `key-cert-sign`, `path-length`, `name-constraints`, `critical-extension`: what an issuer
 *   may do (RFC 5280 §6.1.4);
 * - `policy`: certificate policies (RFC 5280 §6.1): a CA's policyConstraints requires an explicit policy the path
 *   does not have (requireExplicitPolicy, with inhibitAnyPolicy and inhibitPolicyMapping), a policy mapping to or
 *   from anyPolicy, an unreadable policy extension, or more policies than the validator processes;
 * - `key-usage`, `extended-key-usage`: the end entity's usage;
 * - `validity`: a validity period at the validated time;
 * - `revocation`: a certificate revoked, or (when required) without a status.
 */
export type PathCheck =
  | 'trust-anchors'
  | 'chain'
  | 'chain-loop'
  | 'chain-length'
  | 'public-key'
  | 'signature-algorithm'
  | 'basic-constraints'
  | 'key-cert-sign'
  | 'path-length'
  | 'name-constraints'
  | 'critical-extension'
  | 'policy'
  | 'key-usage'
  | 'extended-key-usage'
  | 'validity'
  | 'revocation';

/** Which rule failed, and for which certificate (index in `path`; 0 when no path was built). */
export interface PathFailure {
  check: PathCheck;
  position: number;
}

/** Something the given `algorithmPolicy` let through that the default policy refuses. */
export interface WeakAlgorithmAccepted {
  check: 'public-key' | 'signature-algorithm';
  /** Index in `path`. */
  position: number;
  /** What is weak, without names (for example "RSA key of 1024 bits is shorter than 2048"). */
  message: string;
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
  /** Set when the result is not PASSED: the rule that decided it. */
  failure?: PathFailure;
  /** Set when a relaxed `algorithmPolicy` accepted keys or certificate signatures the default refuses. */
  weakAlgorithmsAccepted?: WeakAlgorithmAccepted[];
}
