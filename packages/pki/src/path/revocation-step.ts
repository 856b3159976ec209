import { AbortError, type OperationOptions } from '@thgov/core';
import { hasOcspNoCheck, revocationUrls } from '../certificate/extensions.js';
import type { Cert } from '../certificate/parse.js';
import { positionLabel } from '../certificate/summary.js';
import { toCrls } from '../revocation/crl.js';
import { certificateStatus, type EvidencePool, type StatusDecision } from '../revocation/evaluate.js';
import { ocspRequestFor, parseOcspResponse } from '../revocation/ocsp.js';
import type { RevocationFetch } from '../revocation/online.js';
import type { CertificateRevocationStatus, PathValidationResult } from './result.js';
import type { CertificateUsage } from './usage.js';

/** How to fetch online for this validation, and which signal is the caller's own (abort ≠ deadline). */
export interface OnlineContext {
  fetch: RevocationFetch;
  signal?: AbortSignal;
  userSignal: AbortSignal | undefined;
  close(): Promise<void>;
}

type Verdict = Pick<
  PathValidationResult,
  'indication' | 'subIndication' | 'message' | 'revocation' | 'warnings' | 'failure'
>;

/** A revocation URL as reports show it: user information (never fetched anyway) is left out. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

async function fetchInto(
  online: OnlineContext,
  pool: EvidencePool,
  request: { type: 'crl' | 'ocsp'; url: string; body?: Uint8Array },
  problems: string[],
): Promise<void> {
  const op: OperationOptions = online.signal ? { abortSignal: online.signal } : {};
  const where = `${request.type.toUpperCase()} ${shownUrl(request.url)}`;
  try {
    const bytes = await online.fetch(request, op);
    if (request.type === 'ocsp') {
      const ocsp = parseOcspResponse(bytes, { source: 'online-ocsp' });
      pool.ocsps.push(ocsp);
      // tryLater, unauthorized, malformedRequest…: an answer that says nothing about the certificate, said so.
      if (ocsp.responseStatus !== 'successful')
        problems.push(`${where}: the responder answered ${ocsp.responseStatus}`);
    } else pool.crls.push(...toCrls([bytes], 'online-crl'));
  } catch (err) {
    problems.push(`${where}: ${fetchFailure(online, err)}`);
  }
}

/**
 * Why a fetch failed, as reports say it: the error code and HTTP status, never the server's text. The caller's own
 * abort is rethrown: it ends the validation rather than leaving a status unknown.
 */
export function fetchFailure(online: OnlineContext, err: unknown): string {
  if (online.userSignal?.aborted) throw new AbortError(online.userSignal.reason);
  const status = (err as { statusCode?: unknown })?.statusCode;
  const http =
    typeof status === 'number'
      ? ` (HTTP ${status}${status >= 300 && status < 400 ? ': redirects are not followed' : ''})`
      : '';
  return `${(err as { code?: string })?.code ?? 'failed'}${http}`;
}

/** No status yet, or a hold that newer evidence may have released (certificateHold is not permanent). */
function unsettled(d: StatusDecision): boolean {
  return d.status === 'unknown' || (d.status === 'revoked' && d.reason === 'certificateHold');
}

/**
 * Evidence at hand first; then, when still unknown (or on hold) and allowed, the OCSP responders, then the CRLs.
 */
async function statusOf(
  pool: EvidencePool,
  cert: Cert,
  issuer: Cert,
  at: Date,
  online: OnlineContext | undefined,
): Promise<{ decision: StatusDecision; problems: string[] }> {
  const problems: string[] = [];
  let decision = await certificateStatus(pool, cert, issuer, at);
  if (!unsettled(decision) || !online) return { decision, problems };
  const urls = revocationUrls(cert.pkijs);
  if (urls.ocsp.length > 0) {
    const body = await ocspRequestFor(cert, issuer);
    for (const url of urls.ocsp) await fetchInto(online, pool, { type: 'ocsp', url, body }, problems);
    decision = await certificateStatus(pool, cert, issuer, at);
  }
  if (unsettled(decision) && urls.crl.length > 0) {
    for (const url of urls.crl) await fetchInto(online, pool, { type: 'crl', url }, problems);
    decision = await certificateStatus(pool, cert, issuer, at);
  }
  if (urls.ocsp.length + urls.crl.length === 0)
    problems.push('the certificate names no OCSP responder or CRL distribution point');
  return { decision, problems };
}

function toStatus(position: number, d: StatusDecision, fetchProblems: string[]): CertificateRevocationStatus {
  return {
    position,
    status: d.status,
    ...(d.revokedAt ? { revokedAt: d.revokedAt.toISOString() } : {}),
    ...(d.reason ? { revocationReason: d.reason } : {}),
    ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
    considered: d.considered,
    fetchProblems,
  };
}

function whyUnknown(s: CertificateRevocationStatus, n: number): string {
  const reasons = s.considered
    .filter((e) => !e.usable)
    .map((e) => `${e.type.toUpperCase()} from ${e.source}: ${e.reason}`);
  const all = [...reasons, ...s.fetchProblems];
  return `${positionLabel(s.position, n)}${all.length ? ` (${all.slice(0, 3).join('; ')})` : ' (no CRL or OCSP response for it)'}`;
}

/** The verdict over all statuses: a revocation decides; then missing statuses (TRY_LATER when required). */
function verdictOf(
  statuses: CertificateRevocationStatus[],
  n: number,
  proven: boolean,
  required: boolean,
): Verdict {
  const revoked = statuses.find((s) => s.status === 'revoked');
  if (revoked) {
    const by = revoked.decidedBy!;
    const message = `${positionLabel(revoked.position, n)} was revoked at ${revoked.revokedAt}${
      revoked.revocationReason ? ` (${revoked.revocationReason})` : ''
    }, according to ${by.type === 'ocsp' ? 'an OCSP response' : 'a CRL'} from ${by.source}`;
    const subIndication = proven
      ? 'REVOKED'
      : revoked.position === 0
        ? 'REVOKED_NO_POE'
        : 'REVOKED_CA_NO_POE';
    return {
      indication: proven ? 'FAILED' : 'INDETERMINATE',
      subIndication,
      message,
      revocation: statuses,
      warnings: [],
      failure: { check: 'revocation', position: revoked.position },
    };
  }
  const unknown = statuses.filter((s) => s.status === 'unknown');
  if (unknown.length > 0) {
    const message = `No usable revocation data for ${unknown.map((s) => whyUnknown(s, n)).join('; ')}`;
    return required
      ? {
          indication: 'INDETERMINATE',
          subIndication: 'TRY_LATER',
          message,
          revocation: statuses,
          warnings: [],
          failure: { check: 'revocation', position: unknown[0]!.position },
        }
      : {
          indication: 'PASSED',
          message: 'Path valid; revocation status incomplete',
          revocation: statuses,
          warnings: [message],
        };
  }
  return {
    indication: 'PASSED',
    message: 'Path valid and no certificate revoked',
    revocation: statuses,
    warnings: [],
  };
}

/** The revocation status of every certificate of the path but the anchor, at `at`. */
export async function checkPathRevocation(
  path: readonly Cert[],
  pool: EvidencePool,
  at: Date,
  proven: boolean,
  usage: CertificateUsage | undefined,
  online: OnlineContext | undefined,
): Promise<{ verdict(required: boolean): Verdict }> {
  const statuses: CertificateRevocationStatus[] = [];
  pool.anchor = path[path.length - 1];
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    // RFC 6960 §4.2.2.2.1: the CA vouches for a nocheck responder for its lifetime; elsewhere nocheck means nothing.
    if (i === 0 && usage === 'ocsp-signing' && hasOcspNoCheck(cert.pkijs)) {
      statuses.push({ position: 0, status: 'not-checked', considered: [], fetchProblems: [] });
      continue;
    }
    const { decision, problems } = await statusOf(pool, cert, path[i + 1]!, at, online);
    statuses.push(toStatus(i, decision, problems));
  }
  return { verdict: (required) => verdictOf(statuses, path.length, proven, required) };
}
