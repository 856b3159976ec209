import {
  type CertificateRevocationStatus,
  createRevocationFetcher,
  type PathRevocationOptions,
  type PathValidationResult,
  type RevocationFetcher,
  type TimeStampVerification,
  validateCertificatePath,
  verifyTimeStampToken,
} from '@thgov/pki';
import type { EvidencePool } from '../cms/evidence.js';
import type { NormalizedOptions } from './options.js';
import { type CheckResult, check, failed, indeterminate, type RevocationEvidence } from './report.js';

/**
 * What every signature of one PDF is validated against: the anchors, the certificates of `/DSS`, all the
 * revocation evidence (embedded and supplied) and, when online checks are on, one fetcher for the whole file.
 */
export interface TrustContext {
  pool: EvidencePool;
  dssCerts: Uint8Array[];
  strict: boolean;
  options: NormalizedOptions;
  fetcher: RevocationFetcher | undefined;
}

export function createTrustContext(
  o: NormalizedOptions,
  pool: EvidencePool,
  dssCerts: Uint8Array[],
  strict: boolean,
): TrustContext {
  pool.crls.push(...o.suppliedCrls);
  pool.ocsps.push(...o.suppliedOcsps);
  return {
    pool,
    dssCerts,
    strict,
    options: o,
    fetcher: o.online ? createRevocationFetcher(o.online) : undefined,
  };
}

function revocationOptions(ctx: TrustContext, required: boolean): PathRevocationOptions {
  return {
    crls: ctx.pool.crls,
    ocspResponses: ctx.pool.ocsps,
    required,
    ...ctx.options.freshness,
    ...(ctx.fetcher ? { fetch: ctx.fetcher } : {}),
  };
}

/** An RFC 3161 token over `data` against the TSA anchors; an unknown TSA status is a warning, a revoked TSA fails. */
export function checkTimeStamp(
  ctx: TrustContext,
  token: Uint8Array,
  data: Uint8Array[],
): Promise<TimeStampVerification> {
  return verifyTimeStampToken(token, {
    data,
    trustAnchors: ctx.options.tsaTrust,
    intermediates: ctx.dssCerts,
    revocation: revocationOptions(ctx, false),
    ...(ctx.options.abortSignal ? { abortSignal: ctx.options.abortSignal } : {}),
  });
}

/** The signer's path at `at` (proven or not), with revocation required under the strict policy. */
export function checkSignerPath(
  ctx: TrustContext,
  signer: Uint8Array,
  certs: Uint8Array[],
  at: Date,
  proven: boolean,
): Promise<PathValidationResult> {
  return validateCertificatePath(signer, {
    trustAnchors: ctx.options.trust,
    intermediates: [...certs, ...ctx.dssCerts],
    at,
    timeProven: proven,
    usage: 'document-signing',
    revocation: revocationOptions(ctx, ctx.strict),
    ...(ctx.options.abortSignal ? { abortSignal: ctx.options.abortSignal } : {}),
  });
}

/** One report entry per certificate: the evidence that decided, or `none`. */
export function revocationEvidence(r: PathValidationResult): RevocationEvidence[] {
  return r.revocation.map((s: CertificateRevocationStatus) => {
    const certificate = r.path[s.position]?.subject ?? '';
    const extra = {
      considered: s.considered,
      ...(s.fetchProblems.length ? { fetchProblems: s.fetchProblems } : {}),
    };
    const d = s.decidedBy;
    if (!d)
      return {
        certificate,
        source: 'none',
        type: 'none',
        status: s.status === 'revoked' ? 'revoked' : 'unknown',
        ...extra,
      };
    return {
      certificate,
      source: d.source,
      type: d.type,
      status: s.status === 'not-checked' ? 'good' : s.status,
      ...(s.revokedAt ? { revokedAt: s.revokedAt } : {}),
      ...(s.revocationReason ? { revocationReason: s.revocationReason } : {}),
      thisUpdate: d.thisUpdate,
      ...(d.nextUpdate ? { nextUpdate: d.nextUpdate } : {}),
      decided: true,
      ...(d.freshness ? { freshness: d.freshness } : {}),
      ...extra,
    };
  });
}

/** Step 10 as a check: the path result in the report's words. */
export function chainCheck(r: PathValidationResult): CheckResult {
  const evidence = {
    validatedAt: r.validatedAt,
    timeProven: r.timeProven,
    anchor: r.path.length > 1 || r.indication === 'PASSED' ? r.path[r.path.length - 1]?.subject : undefined,
  };
  if (r.indication === 'FAILED')
    return failed('chain-and-revocation', r.subIndication ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE', r.message, {
      evidence,
    });
  if (r.indication === 'INDETERMINATE')
    return indeterminate(
      'chain-and-revocation',
      r.subIndication ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
      r.message,
      {
        evidence,
      },
    );
  return check(
    'chain-and-revocation',
    'PASSED',
    `Chain of ${r.path.length} to a configured anchor at ${r.validatedAt}`,
    {
      warnings: r.warnings,
      evidence,
    },
  );
}
