import { createHash } from 'node:crypto';
import { certFromDer } from '@thgov/pki/internal';
import { addCrl, addOcsp, type EvidencePool } from '../cms/evidence.js';
import type { PdfDocument, Revision } from '../pdf/document.js';
import { decodeStream } from '../pdf/filters.js';
import { dictOf, PdfRef, PdfStream } from '../pdf/objects.js';

/** At most this many entries are read from each `/DSS` array: a hostile file cannot make the reader spin. */
const MAX_DSS_ENTRIES = 1000;

/** The `/DSS` arrays and the `/VRI` entry arrays holding the same kind of data. */
const KINDS = { Certs: 'Cert', CRLs: 'CRL', OCSPs: 'OCSP' } as const;

/**
 * Every stream of one kind in the store of `rev` (`Certs`, `CRLs`, `OCSPs`): the top-level array, then each
 * `/VRI` entry's (`Cert`, `CRL`, `OCSP`), which some writers fill alone. An object referred to from several places
 * is decoded once, and equal contents are kept once. Bounded: at most MAX_DSS_ENTRIES VRI entries, MAX_DSS_ENTRIES
 * items per array and 4 × MAX_DSS_ENTRIES items in all, so a hostile file cannot make the reader spin.
 */
function dssStreams(doc: PdfDocument, key: keyof typeof KINDS, rev: Revision = doc.last): Uint8Array[] {
  const dss = dictOf(doc.resolve(doc.catalog(rev)?.get('DSS'), rev));
  if (!dss) return [];
  const arrays = [doc.resolve(dss.get(key), rev)];
  const vri = dictOf(doc.resolve(dss.get('VRI'), rev));
  for (const entry of [...(vri?.map.values() ?? [])].slice(0, MAX_DSS_ENTRIES)) {
    arrays.push(doc.resolve(dictOf(doc.resolve(entry, rev))?.get(KINDS[key]), rev));
  }
  const items = arrays.flatMap((a) => (Array.isArray(a) ? a.slice(0, MAX_DSS_ENTRIES) : []));
  const refs = new Set<string>();
  const contents = new Set<string>();
  const out: Uint8Array[] = [];
  for (const x of items.slice(0, 4 * MAX_DSS_ENTRIES)) {
    if (x instanceof PdfRef) {
      if (refs.has(`${x.num} ${x.gen}`)) continue;
      refs.add(`${x.num} ${x.gen}`);
    }
    const st = doc.resolve(x, rev);
    if (!(st instanceof PdfStream)) continue;
    let bytes: Uint8Array;
    try {
      bytes = decodeStream(st, doc.budget);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
      continue;
    }
    const id = createHash('sha256').update(bytes).digest('hex');
    if (contents.has(id)) continue;
    contents.add(id);
    out.push(bytes);
  }
  return out;
}

/**
 * The document security store of the final revision (PAdES B-LT): its CRLs and OCSP responses join `pool`
 * (source `dss`), its readable certificates are returned for path building. Both the store's arrays and its
 * `/VRI` entries are read.
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

/**
 * SHA-256 (hex) of every CRL and OCSP response the `/DSS` of revision `rev` holds: which revision first carried
 * a piece of revocation evidence (the `sha256` of its summary).
 */
export function dssRevocationDigests(doc: PdfDocument, rev: Revision): Set<string> {
  const streams = [...dssStreams(doc, 'CRLs', rev), ...dssStreams(doc, 'OCSPs', rev)];
  return new Set(streams.map((b) => createHash('sha256').update(b).digest('hex')));
}
