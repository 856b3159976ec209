import type { PdfDocument } from '../pdf/document.js';
import { dictOf } from '../pdf/objects.js';
import type { SignatureState } from './context.js';
import type { PadesLevel, SignatureReport } from './report.js';

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

/** Index of the first revision after `after` whose /DSS holds revocation data (a CRL or an OCSP response). */
function dssRevisionAfter(doc: PdfDocument, after: number): number | undefined {
  for (let i = after + 1; i < doc.revisions.length; i++) {
    const rev = doc.revisions[i]!;
    const dss = dictOf(doc.resolve(doc.catalog(rev)?.get('DSS'), rev));
    if (!dss) continue;
    const crls = doc.resolve(dss.get('CRLs'), rev);
    const ocsps = doc.resolve(dss.get('OCSPs'), rev);
    if ((Array.isArray(crls) && crls.length) || (Array.isArray(ocsps) && ocsps.length)) return i;
  }
  return undefined;
}

/**
 * Whether the document's /DSS proves the revocation status of every certificate of the signer's path but the
 * anchor: for each, a usable "good" answer read from /DSS. Any other revocation data in the store (for another
 * certificate, from another issuer, forged, stale) proves nothing for this signature; evidence supplied by the
 * caller or fetched online is not in the document.
 */
function revocationInDss(r: SignatureReport): boolean {
  return (
    r.revocation.length > 0 &&
    r.revocation.every(
      (e) => e.status === 'good' && (e.considered ?? []).some((c) => c.usable && c.source === 'dss'),
    )
  );
}

/**
 * B-LT and B-LTA, which later revisions add: a B-T signature whose validation data is in a /DSS written after
 * it reaches B-LT (when its chain passed and that /DSS proves the revocation status of its path), and B-LTA when
 * a verified document time-stamp covers that /DSS.
 */
export function upgradeLevels(doc: PdfDocument, reports: SignatureReport[]): void {
  const stamps = reports.filter((r) => r.kind === 'document-timestamp' && r.indication === 'TOTAL_PASSED');
  for (const r of reports) {
    if (r.level !== 'B-T' || r.revision === undefined) continue;
    if (!r.checks.some((c) => c.id === 'chain-and-revocation' && c.status === 'PASSED')) continue;
    if (!revocationInDss(r)) continue;
    const dssAt = dssRevisionAfter(doc, r.revision);
    if (dssAt === undefined) continue;
    r.level = stamps.some((s) => s.revision !== undefined && s.revision >= dssAt) ? 'B-LTA' : 'B-LT';
  }
}
