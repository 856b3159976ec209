import { certFromDer } from '@thgov/pki/internal';
import { addCrl, addOcsp, type EvidencePool } from '../cms/evidence.js';
import type { PdfDocument } from '../pdf/document.js';
import { decodeStream } from '../pdf/filters.js';
import { dictOf, PdfStream } from '../pdf/objects.js';

/** At most this many entries are read from each `/DSS` array: a hostile file cannot make the reader spin. */
const MAX_DSS_ENTRIES = 1000;

/** The decoded streams of one `/DSS` array (`Certs`, `CRLs`, `OCSPs`); unreadable entries are skipped. */
function dssStreams(doc: PdfDocument, key: string): Uint8Array[] {
  const rev = doc.last;
  const dss = dictOf(doc.resolve(doc.catalog(rev)?.get('DSS'), rev));
  const arr = dss ? doc.resolve(dss.get(key), rev) : undefined;
  if (!Array.isArray(arr)) return [];
  const out: Uint8Array[] = [];
  for (const x of arr.slice(0, MAX_DSS_ENTRIES)) {
    const st = doc.resolve(x, rev);
    if (!(st instanceof PdfStream)) continue;
    try {
      out.push(decodeStream(st, doc.budget));
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
    }
  }
  return out;
}

/**
 * The document security store of the final revision (PAdES B-LT): its CRLs and OCSP responses join `pool`
 * (source `dss`), its readable certificates are returned for path building.
 */
export function readDss(doc: PdfDocument, pool: EvidencePool): Uint8Array[] {
  const certs: Uint8Array[] = [];
  for (const c of dssStreams(doc, 'Certs')) {
    try {
      certs.push(certFromDer(c).der);
    } catch {
      // An unreadable certificate helps no path: skip it.
    }
  }
  for (const c of dssStreams(doc, 'CRLs')) addCrl(pool, c, 'dss');
  for (const c of dssStreams(doc, 'OCSPs')) addOcsp(pool, c, 'dss');
  return certs;
}
