import type { ResolvedAlgorithmPolicy } from '../algorithms.js';
import { dnToString } from '../certificate/describe.js';
import { basicConstraints } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import type { Cert } from '../certificate/parse.js';
import type { SignatureCache } from '../path/build.js';
import { type Authenticity, authenticateCrl, authenticateOcsp, otherKeysOf } from './authenticate.js';
import { crlEntryFor, crlInternals, crlReleases, crlScope, type ParsedCrl } from './crl.js';
import { validatedCrlSigner } from './crl-signer.js';
import { freshnessAt, type ResolvedFreshness } from './freshness.js';
import { namedResponder, ocspAnswersFor, type ParsedOcspResponse } from './ocsp.js';
import type { RevocationEvidenceSummary, RevocationReason } from './types.js';

/** Everything the evaluator needs for one validation: the evidence pool, the policies and caches. */
export interface EvidencePool {
  crls: ParsedCrl[];
  /** Certificates at hand (intermediates and anchors): where another key of a re-keyed CA is found. */
  certs: Cert[];
  /** The trust anchor of the path being checked: a CRL signed by another key must chain to it too. */
  anchor?: Cert;
  ocsps: ParsedOcspResponse[];
  policy: ResolvedAlgorithmPolicy;
  freshness: ResolvedFreshness;
  now: Date;
  sigs: SignatureCache;
  auth: Map<string, Promise<Authenticity>>;
}

/** The status of one certificate at one time, with every piece of evidence that was looked at. */
export interface StatusDecision {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: RevocationReason;
  decidedBy?: RevocationEvidenceSummary;
  considered: RevocationEvidenceSummary[];
}

/** Delegated responders whose own status needs evidence are looked up one level deep, never further. */
const MAX_DEPTH = 1;

function cached(pool: EvidencePool, key: string, make: () => Promise<Authenticity>): Promise<Authenticity> {
  let p = pool.auth.get(key);
  if (!p) {
    p = make();
    pool.auth.set(key, p);
  }
  return p;
}

interface Candidate {
  summary: RevocationEvidenceSummary;
  /** When the evidence speaks for (a CRL's or single response's thisUpdate). */
  thisUpdate: Date;
  revokedAt?: Date;
  reason?: RevocationReason;
}

/**
 * Judges one piece of evidence for time `t`: a revocation effective at or before `t` counts whatever the
 * evidence's age (revocations are permanent); a "good" answer (or a revocation after `t`) counts only when
 * fresh for `t` and, for CRLs, when the CRL is complete for the certificate.
 */
function judge(
  s: RevocationEvidenceSummary,
  auth: Authenticity,
  answer: { revokedAt?: Date; thisUpdate: Date; nextUpdate: Date | undefined; canSayGood: boolean | string },
  cert: Cert,
  t: Date,
  pool: EvidencePool,
): 'revoked' | 'good' | undefined {
  if (auth.signer) s.issuer = dnToString(auth.signer.pkijs.subject);
  if (!auth.ok) {
    s.usable = false;
    s.reason = auth.reason ?? 'not authentic';
    return undefined;
  }
  if (s.status === 'unknown') {
    s.usable = false;
    s.reason = 'the responder does not know the certificate';
    return undefined;
  }
  if (answer.revokedAt && answer.revokedAt.getTime() <= t.getTime()) {
    s.usable = true;
    return 'revoked';
  }
  // Revoked only after t: that is a "good" answer for t.
  s.status = 'good';
  if (answer.canSayGood !== true) {
    s.usable = false;
    s.reason = answer.canSayGood || 'a delta or partial CRL: not being listed in it proves nothing';
    return undefined;
  }
  const f = freshnessAt(answer.thisUpdate, answer.nextUpdate, t, cert, pool.freshness, pool.now);
  s.usable = f.fresh;
  if (f.fresh) s.freshness = f.kind;
  else s.reason = f.reason;
  return f.fresh ? 'good' : undefined;
}

/**
 * The CA's own key first; failing that, a signer of the CRL's issuer name whose certificate validates to the same
 * anchor (RFC 5280 §6.3.3 (f): the CRL then counts in full); failing that, another key of the same CA certified by
 * the same parent (`otherKeysOf`), whose CRL then only revokes.
 */
async function crlAuthenticity(
  crl: ParsedCrl,
  issuer: Cert,
  pool: EvidencePool,
  depth: number,
): Promise<Authenticity> {
  // A CRL naming another issuer (an indirect CRL issuer, RFC 5280 §5.2.5) is never taken as the CA's own.
  const byCa = sameName(crlInternals(crl).crl.issuer, issuer.pkijs.subject);
  const own: Authenticity = byCa
    ? authenticateCrl(crl, issuer, pool.policy)
    : { ok: false, wrongKey: true, reason: 'issued by another CRL issuer than the CA' };
  if (own.ok || !own.wrongKey || depth >= MAX_DEPTH) return own;
  const status = async (c: Cert, ca: Cert, at: Date) =>
    (await certificateStatus(pool, c, ca, at, depth + 1)).status;
  const validated = await validatedCrlSigner(crl, issuer, pool, status);
  if (validated.ok) return validated;
  const why = `${own.reason}; ${validated.reason}`;
  if (!byCa) return { ok: false, reason: why };
  for (const other of otherKeysOf(issuer, pool.certs, pool.sigs)) {
    const a = authenticateCrl(crl, other, pool.policy);
    if (a.ok) return { ...a, otherKey: true, reason: `${OTHER_KEY_SILENCE} (${validated.reason})` };
  }
  return { ok: false, reason: why };
}

const OTHER_KEY_SILENCE =
  "signed by another key of the CA: not being listed in it proves nothing for this key's certificates";

function crlCandidates(
  pool: EvidencePool,
  cert: Cert,
  issuer: Cert,
  t: Date,
  depth: number,
): Promise<[Candidate, 'revoked' | 'good' | undefined]>[] {
  const isCa = basicConstraints(cert.pkijs)?.ca === true;
  return pool.crls.flatMap((crl) => {
    const scope = crlScope(crl, cert, isCa);
    if (scope === 'none') return [];
    return [
      (async (): Promise<[Candidate, 'revoked' | 'good' | undefined]> => {
        const auth = await cached(pool, `crl:${crl.sha256}:${issuer.sha256}:${depth}`, () =>
          crlAuthenticity(crl, issuer, pool, depth),
        );
        const entry = crlEntryFor(crl, cert);
        const summary: RevocationEvidenceSummary = {
          type: 'crl',
          source: crl.source,
          sha256: crl.sha256,
          issuer: crl.issuer,
          thisUpdate: crl.thisUpdate.toISOString(),
          ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.toISOString() } : {}),
          status: entry ? 'revoked' : 'good',
          ...(entry ? { revokedAt: entry.revokedAt.toISOString() } : {}),
          ...(entry?.reason ? { revocationReason: entry.reason } : {}),
          usable: false,
        };
        const verdict = judge(
          summary,
          auth,
          {
            revokedAt: entry?.revokedAt,
            thisUpdate: crl.thisUpdate,
            nextUpdate: crl.nextUpdate,
            canSayGood: auth.otherKey
              ? (auth.reason ?? OTHER_KEY_SILENCE)
              : scope === 'complete' || crlReleases(crl, cert),
          },
          cert,
          t,
          pool,
        );
        const said = entry ? { revokedAt: entry.revokedAt, reason: entry.reason } : {};
        return [{ summary, thisUpdate: crl.thisUpdate, ...said }, verdict];
      })(),
    ];
  });
}

function ocspCandidates(
  pool: EvidencePool,
  cert: Cert,
  issuer: Cert,
  t: Date,
  depth: number,
): Promise<[Candidate, 'revoked' | 'good' | undefined]>[] {
  const responderStatus =
    depth < MAX_DEPTH
      ? async (responder: Cert, ca: Cert, at: Date) =>
          (await certificateStatus(pool, responder, ca, at, depth + 1)).status
      : undefined;
  return pool.ocsps.flatMap((r) =>
    ocspAnswersFor(r, cert, issuer).map(async (a): Promise<[Candidate, 'revoked' | 'good' | undefined]> => {
      const authentic = await cached(pool, `ocsp:${r.sha256}:${issuer.sha256}:${depth}`, () =>
        authenticateOcsp(r, issuer, pool.policy, pool.sigs, responderStatus, pool.certs),
      );
      // An answer with a critical extension not understood may say something else than its status: unusable.
      const auth =
        a.unsupported && authentic.ok ? { ...authentic, ok: false, reason: a.unsupported } : authentic;
      const named = namedResponder(r, issuer, pool.certs);
      const summary: RevocationEvidenceSummary = {
        type: 'ocsp',
        source: r.source,
        sha256: r.sha256,
        issuer: named ? dnToString(named.pkijs.subject) : '(a responder the response does not identify)',
        thisUpdate: a.thisUpdate.toISOString(),
        ...(a.nextUpdate ? { nextUpdate: a.nextUpdate.toISOString() } : {}),
        ...(r.producedAt ? { producedAt: r.producedAt.toISOString() } : {}),
        status: a.status,
        ...(a.revokedAt ? { revokedAt: a.revokedAt.toISOString() } : {}),
        ...(a.reason ? { revocationReason: a.reason } : {}),
        usable: false,
      };
      const verdict = judge(
        summary,
        auth,
        { revokedAt: a.revokedAt, thisUpdate: a.thisUpdate, nextUpdate: a.nextUpdate, canSayGood: true },
        cert,
        t,
        pool,
      );
      const said = a.revokedAt ? { revokedAt: a.revokedAt, reason: a.reason } : {};
      return [{ summary, thisUpdate: a.thisUpdate, ...said }, verdict];
    }),
  );
}

const RELEASED = 'a hold that newer evidence releases';

/**
 * Whether a hold (certificateHold, RFC 5280 §5.3.1) had ended by `t`: a hold is not permanent, and usable "good"
 * evidence issued after the evidence of the hold and no later than `t` (a newer complete CRL without it, a delta
 * CRL's removeFromCRL, a newer OCSP answer) releases it. Not when the hold is known to have lasted over `t` (its
 * evidence dates from `t` or later), nor when the only release came after `t`: the hold may have covered `t`
 * (a CRL issued later proves only that no permanent revocation came before it). Other revocations stay.
 */
function releasedHold(
  judged: [Candidate, 'revoked' | 'good' | undefined][],
  t: Date,
): (c: Candidate) => boolean {
  const newest = judged.reduce(
    (n, [c, v]) =>
      v === 'good' && c.thisUpdate.getTime() <= t.getTime() ? Math.max(n, c.thisUpdate.getTime()) : n,
    Number.NEGATIVE_INFINITY,
  );
  return (c) =>
    c.reason === 'certificateHold' && c.thisUpdate.getTime() < t.getTime() && newest > c.thisUpdate.getTime();
}

/**
 * The revocation status of `cert` (issued by `issuer`) at time `t` from ALL the evidence in the pool
 * (EN 319 102-1 / EU DSS): any authentic revocation effective at or before `t` wins over every "good" answer;
 * otherwise a fresh, authentic "good" answer decides (one covering `t` preferred, then the newest); otherwise
 * the status is unknown.
 */
export async function certificateStatus(
  pool: EvidencePool,
  cert: Cert,
  issuer: Cert,
  t: Date,
  depth = 0,
): Promise<StatusDecision> {
  const judged = await Promise.all([
    ...crlCandidates(pool, cert, issuer, t, depth),
    ...ocspCandidates(pool, cert, issuer, t, depth),
  ]);
  const considered = judged.map(([c]) => c.summary);
  const released = releasedHold(judged, t);
  const revocations = judged.filter(([c, v]) => v === 'revoked' && !released(c)).map(([c]) => c);
  for (const [c, v] of judged)
    if (v === 'revoked' && released(c)) Object.assign(c.summary, { usable: false, reason: RELEASED });
  if (revocations.length > 0) {
    const first = revocations.sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime())[0]!;
    return {
      status: 'revoked',
      revokedAt: first.revokedAt!,
      ...(first.reason ? { reason: first.reason } : {}),
      decidedBy: first.summary,
      considered,
    };
  }
  const goods = judged.filter(([, v]) => v === 'good').map(([c]) => c.summary);
  if (goods.length > 0) {
    const rank = (s: RevocationEvidenceSummary) => (s.freshness === 'covering' ? 1 : 0);
    goods.sort((a, b) => rank(b) - rank(a) || Date.parse(b.thisUpdate) - Date.parse(a.thisUpdate));
    return { status: 'good', decidedBy: goods[0]!, considered };
  }
  return { status: 'unknown', considered };
}
