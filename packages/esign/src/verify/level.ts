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

/** How a certificate of a TSA path is named in a warning: by position, never by name. */
const tsaPosition = (i: number) => (i === 0 ? 'the TSA certificate' : `TSA CA certificate #${i}`);

/**
 * The revision by which /DSS proved the status of the TSA path of one of the signature's time-stamps (the one
 * proven earliest), with no warning; else undefined and a warning naming the unproven TSA certificates. The
 * time-stamps are the verified signature time-stamps, or (when only a document time-stamp proves the signing time)
 * that document time-stamp.
 */
function timeStampRevisionProving(
  tokens: RevocationEvidence[][],
  after: number,
  last: number,
  digests: DssDigests,
): { at?: number; warning?: string } {
  let at: number | undefined;
  for (const evidence of tokens) {
    const proven = dssRevisionProving(evidence, after, last, digests);
    if (proven !== undefined && (at === undefined || proven < at)) at = proven;
  }
  if (at !== undefined || tokens.length === 0) return { at: at ?? after + 1 };
  const missing = (tokens[0] ?? []).flatMap((e, i) =>
    dssRevisionProving([e], after, last, digests) === undefined ? [tsaPosition(i)] : [],
  );
  return {
    warning:
      `Not B-LT: /DSS proves the signer's path, but holds no usable revocation data for the time-stamp's ` +
      `TSA path (${missing.join(', ') || 'its certificates'}): ETSI EN 319 142-1 B-LT needs both`,
  };
}

/** The TSA evidence of the time-stamps proving `r`'s time (see {@link timeStampRevisionProving}). */
function timeStampEvidence(
  r: SignatureReport,
  reports: SignatureReport[],
  tokens: Map<SignatureReport, RevocationEvidence[][]>,
): RevocationEvidence[][] {
  if (r.signingTime.proof === 'signature-timestamp') return tokens.get(r) ?? [];
  const stamp = reports.find(
    (s) =>
      s.kind === 'document-timestamp' &&
      s.indication === 'TOTAL_PASSED' &&
      s.revision !== undefined &&
      s.revision >= r.revision! &&
      s.signingTime.proven === r.signingTime.proven,
  );
  return stamp ? [stamp.revocation] : [];
}

/**
 * B-LT and B-LTA, which later revisions add. A B-T signature whose chain passed reaches B-LT when a /DSS written
 * after it proves the revocation status of every certificate of its path but the anchor, and of every
 * certificate of the TSA path of the time-stamp that proves its time (ETSI EN 319 142-1, EN 319 102-1, as EU DSS
 * checks it): for each, a usable "good" answer read from /DSS (its arrays or its /VRI entries). Any other
 * revocation data in the store (for another certificate, from another issuer, forged, stale) proves nothing for
 * this signature; evidence supplied by the caller or fetched online is not in the document. B-LTA needs a
 * verified document time-stamp covering the revision by which all that data was in /DSS. A signature held at B-T
 * only for want of the TSA's data says so in a warning of its `time` check.
 */
export function upgradeLevels(
  doc: PdfDocument,
  reports: SignatureReport[],
  timeStampRevocation: Map<SignatureReport, RevocationEvidence[][]> = new Map(),
): void {
  const stamps = reports.filter((r) => r.kind === 'document-timestamp' && r.indication === 'TOTAL_PASSED');
  const digests = dssDigestsOf(doc);
  for (const r of reports) {
    if (r.level !== 'B-T' || r.revision === undefined || r.revocation.length === 0) continue;
    if (!r.checks.some((c) => c.id === 'chain-and-revocation' && c.status === 'PASSED')) continue;
    const signerAt = dssRevisionProving(r.revocation, r.revision, doc.last.index, digests);
    if (signerAt === undefined) continue;
    const tokens = timeStampEvidence(r, reports, timeStampRevocation);
    const tsa = timeStampRevisionProving(tokens, r.revision, doc.last.index, digests);
    if (tsa.at === undefined) {
      r.checks.find((c) => c.id === 'time')?.warnings.push(tsa.warning!);
      continue;
    }
    const dssAt = Math.max(signerAt, tsa.at);
    r.level = stamps.some((s) => s.revision !== undefined && s.revision >= dssAt) ? 'B-LTA' : 'B-LT';
  }
}
