/** Where a piece of revocation evidence came from (reports name it so a reader can find it). */
export type RevocationSource =
  | 'cms'
  | 'adbe-revocation-info'
  | 'dss'
  | 'supplied'
  | 'online-ocsp'
  | 'online-crl'
  | 'embedded';

/** RFC 5280 CRLReason names. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export const REASONS: readonly (RevocationReason | undefined)[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** One piece of evidence as a report shows it: what it says, whether it could be used, and why not. */
export interface RevocationEvidenceSummary {
  type: 'crl' | 'ocsp';
  source: RevocationSource;
  /** SHA-256 of the CRL or OCSP response DER, hex. */
  sha256: string;
  /** Who issued it (the CRL issuer, or the OCSP responder). */
  issuer: string;
  thisUpdate: string;
  nextUpdate?: string;
  /** OCSP only. */
  producedAt?: string;
  /** What it says about the certificate. */
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: string;
  revocationReason?: RevocationReason;
  /** Authentic, applicable and — for a "good" answer — fresh for the validated time. */
  usable: boolean;
  /** Why it was not usable. */
  reason?: string;
  /** For usable good answers: `covering` (thisUpdate ≤ t ≤ nextUpdate) or `later` (issued after t). */
  freshness?: 'covering' | 'later';
}

/** Freshness rules for revocation evidence (EN 319 102-1 §5.2.5, RFC 5280/6960). */
export interface FreshnessPolicy {
  /**
   * A policy maximum age: evidence issued more than this before the validated time is not fresh, even when its
   * nextUpdate covers that time. Default: none (nextUpdate decides).
   */
  maxAgeInMs?: number;
  /** How long an OCSP answer (or CRL) without nextUpdate counts after its thisUpdate. Default 24 hours. */
  maxAgeWithoutNextUpdateInMs?: number;
  /** Tolerated clock difference for evidence "from the future". Default 5 minutes. */
  clockSkewInMs?: number;
}

/** The default freshness rules. */
export const DEFAULT_FRESHNESS: Readonly<Required<Omit<FreshnessPolicy, 'maxAgeInMs'>>> = Object.freeze({
  maxAgeWithoutNextUpdateInMs: 24 * 3_600_000,
  clockSkewInMs: 5 * 60_000,
});
