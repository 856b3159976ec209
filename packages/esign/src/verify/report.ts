import type {
  CertificateSummary,
  SubIndication as PkiSubIndication,
  RevocationEvidenceSummary,
} from '@thgov/pki';

/** ETSI EN 319 102-1 style result model (as used by EU DSS), with pyHanko's coverage/modification levels. */

/** The overall result of a verification (EN 319 102-1), plus `NO_SIGNATURE_FOUND` for an unsigned file. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE' | 'NO_SIGNATURE_FOUND';

/** ETSI EN 319 102-1 sub-indications (the vocabulary of `@thgov/pki`, shared with other signature formats). */
export type SubIndication = PkiSubIndication;

/** The status of one check. */
export type CheckStatus = 'PASSED' | 'FAILED' | 'INDETERMINATE' | 'NOT_APPLICABLE';

/**
 * The steps of a verification, in order. `pdfa-attachment` and `xml` are run by profiles built on this package
 * (the transcript profile of `@thgov/transcript`), never by `verifyPdfSignatures` itself.
 */
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

/** The step number of each check: the report lists checks in this order and the first failing one decides. */
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

/** One check of the report: its step, status, ETSI indication when not passed, message, warnings and evidence. */
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

/** pyHanko's coverage levels: how much of the file a signature's byte range covers. */
export type CoverageLevel = 'UNCLEAR' | 'CONTIGUOUS_BLOCK_FROM_START' | 'ENTIRE_REVISION' | 'ENTIRE_FILE';
/** pyHanko's modification levels: the strongest kind of change made after a signature. */
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

/** What is claimed and what is proven about when a signature was made. */
export interface SigningTimeEvidence {
  /** CMS signingTime attribute: a claim only. */
  claimedCms?: string;
  /** The signature dictionary's /M: a claim only. */
  claimedPdf?: string;
  /** Earliest time proven by a valid time-stamp. */
  proven?: string;
  proof: 'signature-timestamp' | 'document-timestamp' | 'none';
}

/** PAdES baseline levels (ETSI EN 319 142-1): each adds to the one before. */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/** The verification of one signature or document time-stamp. */
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
  /**
   * DocMDP level when this is a certification signature (its /Reference has the DocMDP transform): the rule its
   * modifications are judged by, also when the catalog's /Perms does not designate it (a warning then says so).
   */
  docMdp?: 1 | 2 | 3;
  /**
   * The PAdES baseline level the signature reaches, from what verification proved: B-B (ETSI.CAdES.detached with
   * ESS signing-certificate-v2 and no CMS signing-time), B-T (+ a verified time-stamp), B-LT (+ a later /DSS
   * holding usable revocation data for every certificate of its path), B-LTA (+ a verified document time-stamp
   * over the /DSS revision that holds that data). Absent for other signatures.
   */
  level?: PadesLevel;
  checks: CheckResult[];
}

/** The verification of a whole document: its indication, document-level checks and every signature's report. */
export interface VerificationReport {
  indication: Indication;
  subIndication?: SubIndication;
  /** The name of the policy applied (`pdf`, or a profile's such as `transcript`). */
  policy: string;
  validationTime: string;
  fileSize: number;
  revisions: number;
  anomalies: { code: string; severity: 'error' | 'warning'; message: string; revision?: number }[];
  /** Document-level checks (1, 2, 3, 12, 13, 14, 15). */
  checks: CheckResult[];
  signatures: SignatureReport[];
  /**
   * The embedded attachment (a transcript's XML), only when the attachment check (13) passed: a failed or
   * indeterminate check describes the file it examined in its own evidence instead.
   */
  attachment?: { fileName: string; relationship?: string; mimeType?: string; size: number };
  /** Set when reading stopped on a typed error (the error's code). */
  errorCode?: string;
}

/** A check of step `id` with the given status. */
export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return { id, step: CHECK_STEP[id], status, message, warnings: [], ...extra };
}

/** A FAILED check (TOTAL_FAILED with `sub`). */
export function failed(
  id: CheckId,
  sub: SubIndication,
  message: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return check(id, 'FAILED', message, { indication: 'TOTAL_FAILED', subIndication: sub, ...extra });
}

/** An INDETERMINATE check with `sub`. */
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

/**
 * The document's indication from its own checks and its signatures' (a document-level failure wins, then a failed
 * signature, then an indeterminate one), recorded as the closing `aggregation` check.
 */
export function finish(report: VerificationReport): void {
  const realSigs = report.signatures.filter((s) => s.kind === 'signature');
  const docAgg = aggregate(report.checks);
  let indication: VerificationReport['indication'];
  let sub: SubIndication | undefined;
  if (docAgg.indication === 'TOTAL_FAILED') {
    indication = 'TOTAL_FAILED';
    sub = docAgg.subIndication;
  } else if (realSigs.length === 0 && report.checks.some((c) => c.id === 'signature-discovery')) {
    indication = 'NO_SIGNATURE_FOUND';
  } else {
    const failedSig = report.signatures.find((s) => s.indication === 'TOTAL_FAILED');
    const indSig = report.signatures.find((s) => s.indication === 'INDETERMINATE');
    if (failedSig) {
      indication = 'TOTAL_FAILED';
      sub = failedSig.subIndication;
    } else if (indSig) {
      indication = 'INDETERMINATE';
      sub = indSig.subIndication;
    } else if (docAgg.indication === 'INDETERMINATE') {
      indication = 'INDETERMINATE';
      sub = docAgg.subIndication;
    } else indication = realSigs.length ? 'TOTAL_PASSED' : 'INDETERMINATE';
  }
  report.indication = indication;
  if (sub) report.subIndication = sub;
  else delete report.subIndication;
  report.checks.push(
    check('aggregation', 'PASSED', `Overall ${indication}${sub ? ` / ${sub}` : ''}`, {
      evidence: {
        signatures: report.signatures.map((s) => ({
          field: s.fieldName,
          indication: s.indication,
          subIndication: s.subIndication,
        })),
      },
    }),
  );
}
