import type { PdfDocument } from '../pdf/document.js';
import { dssRevocationDigests } from '../pki/dss.js';
import type { SignatureState } from './context.js';
import type { PadesLevel, RevocationEvidence, SignatureReport } from './report.js';

/**
 * B-B or B-T from the signature itself: the PAdES baseline CMS (ETSI.CAdES.detached, ESS signing-certificate-v2,
 * no signing-time attribute), and a time proven by a verified time-stamp. Undefined for other signatures.
 */
export function signatureLevel(state: SignatureState): PadesLevel | undefined {
  const r = state.report;
  if (r.kind !== 'signature' || r.subFilter !== 'ETSI.CAdES.detached' || !state.cms) return undefined;
  const attrs = state.cms.signedAttributes;
  if (!attrs.includes('signingCertificateV2') || attrs.includes('signingTime')) return undefined;
  return r.signingTime.proof === 'none' ? 'B-B' : 'B-T';
}

/** The /DSS revocation digests of each revision, read once per document and revision. */
type DssDigests = (revision: number) => Set<string>;

function dssDigestsOf(doc: PdfDocument): DssDigests {
  const cache = new Map<number, Set<string>>();
  return (i) => {
    let digests = cache.get(i);
    if (!digests) {
      digests = dssRevocationDigests(doc, doc.revisions[i]!);
      cache.set(i, digests);
    }
    return digests;
  };
}

/** The usable "good" answers read from /DSS that prove one certificate's status (SHA-256 hex of each). */
function dssProofs(e: RevocationEvidence): string[] {
  if (e.status !== 'good') return [];
  return (e.considered ?? []).filter((c) => c.usable && c.source === 'dss').map((c) => c.sha256);
}

/**
 * The revision, after `after`, by which the /DSS held proof of every certificate's status in `evidence`: for
 * each certificate, the first later revision whose /DSS holds one of its proofs; the latest of those. Undefined
 * when some certificate has no such proof (supplied, fetched, forged, stale or no evidence proves nothing in the
 * document). Only that revision and later ones can be covered by an archive time-stamp over the data.
 */
function dssRevisionProving(
  evidence: RevocationEvidence[],
  after: number,
  last: number,
  digests: DssDigests,
): number | undefined {
  let at = after + 1;
  for (const e of evidence) {
    const proofs = dssProofs(e);
    let first: number | undefined;
    for (let i = after + 1; i <= last && first === undefined; i++)
      if (proofs.some((p) => digests(i).has(p))) first = i;
    if (first === undefined) return undefined;
    at = Math.max(at, first);
  }
  return at;
}

/**
 * B-LT and B-LTA, which later revisions add. A B-T signature whose chain passed reaches B-LT when a /DSS written
 * after it proves the revocation status of every certificate of its path but the anchor: for each, a usable
 * "good" answer read from /DSS (its arrays or its /VRI entries). Any other revocation data in the store (for
 * another certificate, from another issuer, forged, stale) proves nothing for this signature; evidence supplied
 * by the caller or fetched online is not in the document. B-LTA needs a verified document time-stamp covering
 * the revision by which all that data was in /DSS.
 */
export function upgradeLevels(doc: PdfDocument, reports: SignatureReport[]): void {
  const stamps = reports.filter((r) => r.kind === 'document-timestamp' && r.indication === 'TOTAL_PASSED');
  const digests = dssDigestsOf(doc);
  for (const r of reports) {
    if (r.level !== 'B-T' || r.revision === undefined || r.revocation.length === 0) continue;
    if (!r.checks.some((c) => c.id === 'chain-and-revocation' && c.status === 'PASSED')) continue;
    const dssAt = dssRevisionProving(r.revocation, r.revision, doc.last.index, digests);
    if (dssAt === undefined) continue;
    r.level = stamps.some((s) => s.revision !== undefined && s.revision >= dssAt) ? 'B-LTA' : 'B-LT';
  }
}
