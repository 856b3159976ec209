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
import type { NormalizedVerifyOptions } from './options.js';
import { type CheckResult, check, failed, indeterminate, type RevocationEvidence } from './report.js';

/**
 * What every signature of one PDF is validated against: the anchors, the certificates of `/DSS`, all the
 * revocation evidence (embedded and supplied) and, when online checks are on, one fetcher for the whole file.
 */
export interface TrustContext {
  pool: EvidencePool;
  dssCerts: Uint8Array[];
  options: NormalizedVerifyOptions;
  fetcher: RevocationFetcher | undefined;
}

/** One trust context per document: the supplied evidence joins the pool, one fetcher serves every signature. */
export function createTrustContext(
  o: NormalizedVerifyOptions,
  pool: EvidencePool,
  dssCerts: Uint8Array[],
): TrustContext {
  pool.crls.push(...o.suppliedCrls);
  pool.ocsps.push(...o.suppliedOcsps);
  return {
    pool,
    dssCerts,
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

/**
 * An RFC 3161 token over `data` against the TSA anchors; an unknown TSA status is a warning, a revoked TSA fails.
 * The TSA must also stand at `provenLater` (a later document time-stamp's time, else the validation time): see
 * {@link tsaStandsAt}.
 */
export async function checkTimeStamp(
  ctx: TrustContext,
  token: Uint8Array,
  data: Uint8Array[],
  provenLater: Date | undefined,
): Promise<TimeStampVerification> {
  const ts = await verifyTimeStampToken(token, {
    data,
    trustAnchors: ctx.options.tsaTrust,
    intermediates: ctx.dssCerts,
    revocation: revocationOptions(ctx, false),
    ...(ctx.options.abortSignal ? { abortSignal: ctx.options.abortSignal } : {}),
  });
  if (ts.indication !== 'PASSED' || !ts.genTime || !ts.path) return ts;
  return tsaStandsAt(ctx, ts, provenLater ?? ctx.options.validationTime);
}

/**
 * A token states its own genTime: its TSA checked at that time alone would let whoever holds a revoked (say
 * compromised) TSA key backdate anything. As EN 319 102-1 §5.6.2 (EU DSS, pyHanko), the TSA's path must also
 * pass at a time proven without the token — a later document time-stamp's, else the validation time — or the
 * token is INDETERMINATE (revoked or expired with no proof that the token came before).
 */
async function tsaStandsAt(
  ctx: TrustContext,
  ts: TimeStampVerification,
  at: Date,
): Promise<TimeStampVerification> {
  const tsa = ts.path!.certificates[0];
  if (!tsa || at.getTime() <= new Date(ts.genTime!).getTime()) return ts;
  const path = await validateCertificatePath(tsa, {
    trustAnchors: ctx.options.tsaTrust,
    intermediates: [...ts.certificates, ...ctx.dssCerts],
    at,
    usage: 'timestamping',
    revocation: revocationOptions(ctx, false),
    ...(ctx.options.abortSignal ? { abortSignal: ctx.options.abortSignal } : {}),
  });
  if (path.indication === 'PASSED') return ts;
  return {
    ...ts,
    indication: 'INDETERMINATE',
    subIndication: path.subIndication ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
    message: `TSA certificate at ${at.toISOString()}, a time proven without this token: ${path.message}`,
    path,
    warnings: [],
  };
}

/** The signer's path at `at` (proven or not), with revocation required when the policy says so. */
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
    revocation: revocationOptions(ctx, ctx.options.policy.requireRevocation),
    ...(ctx.options.requestId ? { requestId: ctx.options.requestId } : {}),
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
