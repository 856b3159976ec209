import type {
  CertificateSummary,
  SubIndication as PkiSubIndication,
  RevocationEvidenceSummary,
} from '@thgov/pki';

/** ETSI EN 319 102-1 style result model (as used by EU DSS), with pyHanko's coverage/modification levels. */

export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE' | 'NO_SIGNATURE_FOUND';

/** ETSI EN 319 102-1 sub-indications (the vocabulary of `@thgov/pki`, shared with other signature formats). */
export type SubIndication = PkiSubIndication;

export type CheckStatus = 'PASSED' | 'FAILED' | 'INDETERMINATE' | 'NOT_APPLICABLE';

export type CheckId =
  | 'input-guards'
  | 'structure'
  | 'signature-discovery'
  | 'signature-dictionary'
  | 'byte-range'
  | 'coverage'
  | 'cms'
  | 'signer-certificate'
  | 'time'
  | 'chain-and-revocation'
  | 'modifications'
  | 'shadow-signals'
  | 'pdfa-attachment'
  | 'xml'
  | 'aggregation';

export const CHECK_STEP: Record<CheckId, number> = {
  'input-guards': 1,
  structure: 2,
  'signature-discovery': 3,
  'signature-dictionary': 4,
  'byte-range': 5,
  coverage: 6,
  cms: 7,
  'signer-certificate': 8,
  time: 9,
  'chain-and-revocation': 10,
  modifications: 11,
  'shadow-signals': 12,
  'pdfa-attachment': 13,
  xml: 14,
  aggregation: 15,
};

export interface CheckResult {
  id: CheckId;
  step: number;
  status: CheckStatus;
  /** Set when status is FAILED (TOTAL_FAILED) or INDETERMINATE. */
  indication?: 'TOTAL_FAILED' | 'INDETERMINATE';
  subIndication?: SubIndication;
  message: string;
  warnings: string[];
  evidence?: Record<string, unknown>;
}

export type CoverageLevel = 'UNCLEAR' | 'CONTIGUOUS_BLOCK_FROM_START' | 'ENTIRE_REVISION' | 'ENTIRE_FILE';
export type ModificationLevel = 'NONE' | 'LTA_UPDATES' | 'FORM_FILLING' | 'ANNOTATIONS' | 'OTHER';

export type { CertificateSummary };

/**
 * The revocation status of one certificate of a signer's (or TSA's) path: the evidence that decided it, or
 * `source: 'none'` when nothing usable was found. `considered` lists every CRL and OCSP answer looked at, with
 * the reason when one could not be used (forged, stale, from an unauthorised responder, …).
 */
export interface RevocationEvidence {
  certificate: string;
  source:
    | 'adbe-revocation-info'
    | 'dss'
    | 'cms'
    | 'supplied'
    | 'online-ocsp'
    | 'online-crl'
    | 'embedded'
    | 'none';
  type: 'crl' | 'ocsp' | 'none';
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: string;
  revocationReason?: string;
  thisUpdate?: string;
  nextUpdate?: string;
  /** True on the evidence that decided the status. */
  decided?: boolean;
  /** For a good answer: it covers the validated time, or was issued after it. */
  freshness?: 'covering' | 'later';
  considered?: RevocationEvidenceSummary[];
  /** Online fetches that failed. */
  fetchProblems?: string[];
}

export interface SigningTimeEvidence {
  /** CMS signingTime attribute: a claim only. */
  claimedCms?: string;
  /** The signature dictionary's /M: a claim only. */
  claimedPdf?: string;
  /** Earliest time proven by a valid time-stamp. */
  proven?: string;
  proof: 'signature-timestamp' | 'document-timestamp' | 'none';
}

export interface SignatureReport {
  fieldName: string;
  kind: 'signature' | 'document-timestamp';
  filter?: string;
  subFilter?: string;
  indication: Exclude<Indication, 'NO_SIGNATURE_FOUND'>;
  subIndication?: SubIndication;
  byteRange?: number[];
  /** Index of the revision this signature covers. */
  revision?: number;
  coverage: CoverageLevel;
  /** Strongest change made after this signature. */
  modification: ModificationLevel;
  digestAlgorithm?: string;
  signer?: CertificateSummary;
  chain: CertificateSummary[];
  signingTime: SigningTimeEvidence;
  revocation: RevocationEvidence[];
  /** DocMDP level when this is a certification signature. */
  docMdp?: 1 | 2 | 3;
  checks: CheckResult[];
}

export interface VerificationReport {
  indication: Indication;
  subIndication?: SubIndication;
  policy: 'transcript' | 'pdf';
  validationTime: string;
  fileSize: number;
  revisions: number;
  anomalies: { code: string; severity: 'error' | 'warning'; message: string; revision?: number }[];
  /** Document-level checks (1, 2, 3, 12, 13, 14, 15). */
  checks: CheckResult[];
  signatures: SignatureReport[];
  attachment?: { fileName: string; relationship?: string; mimeType?: string; size: number };
  /** Set when reading stopped on a typed error (the error's code). */
  errorCode?: string;
}

export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return { id, step: CHECK_STEP[id], status, message, warnings: [], ...extra };
}

export function failed(
  id: CheckId,
  sub: SubIndication,
  message: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return check(id, 'FAILED', message, { indication: 'TOTAL_FAILED', subIndication: sub, ...extra });
}

export function indeterminate(
  id: CheckId,
  sub: SubIndication,
  message: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return check(id, 'INDETERMINATE', message, { indication: 'INDETERMINATE', subIndication: sub, ...extra });
}

/** The first check (in step order) that failed or was indeterminate decides; TOTAL_FAILED beats INDETERMINATE. */
export function aggregate(checks: CheckResult[]): {
  indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
  subIndication?: SubIndication;
} {
  const sorted = [...checks].sort((a, b) => a.step - b.step);
  const fail = sorted.find((c) => c.status === 'FAILED');
  if (fail)
    return {
      indication: 'TOTAL_FAILED',
      ...(fail.subIndication ? { subIndication: fail.subIndication } : {}),
    };
  const ind = sorted.find((c) => c.status === 'INDETERMINATE');
  if (ind)
    return {
      indication: 'INDETERMINATE',
      ...(ind.subIndication ? { subIndication: ind.subIndication } : {}),
    };
  return { indication: 'TOTAL_PASSED' };
}
