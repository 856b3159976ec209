import { createHash } from 'node:crypto';
import { EsignError } from '../errors.js';
import type { PdfDocument } from '../pdf/document.js';
import { decodeStream } from '../pdf/filters.js';
import { dictOf, PdfDict, type PdfObject, PdfRef, PdfStream } from '../pdf/objects.js';
import { appendIncrementalUpdate, dict, type UpdateObject } from '../pdf/writer.js';

/** Validation data for the document security store (PAdES B-LT): DER certificates, CRLs, OCSP responses. */
export interface ValidationData {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
}

/** Adds `more` to `data` (the /DSS writer keeps each item once). */
export function addTo(data: ValidationData, more: ValidationData): void {
  data.certificates.push(...more.certificates);
  data.crls.push(...more.crls);
  data.ocsps.push(...more.ocsps);
}

/** A `/VRI` entry: the validation data of one signature, keyed by the SHA-1 of its /Contents value. */
export interface VriEntry {
  signatureContents: Uint8Array;
  data: ValidationData;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The streams already in the final revision's `/DSS` array `key`, by content hash (kept, never duplicated). */
function existing(doc: PdfDocument, dss: PdfDict | undefined, key: string): Map<string, PdfRef> {
  const out = new Map<string, PdfRef>();
  const arr = dss ? doc.resolve(dss.get(key), doc.last) : undefined;
  for (const r of Array.isArray(arr) ? arr.slice(0, 1000) : []) {
    const st = doc.resolve(r, doc.last);
    if (r instanceof PdfRef && st instanceof PdfStream) out.set(sha(decodeStream(st, doc.budget)), r);
  }
  return out;
}

/**
 * Appends (or extends) the document security store in one incremental update: `/Certs`, `/CRLs`, `/OCSPs` as
 * streams, and a `/VRI` dictionary per signature. What the store already holds is kept and not written twice.
 */
export function appendDss(
  doc: PdfDocument,
  pdf: Uint8Array,
  data: ValidationData,
  vri: VriEntry[],
): Uint8Array {
  const rev = doc.last;
  const catalog = doc.catalog(rev);
  const rootRef = rev.trailer.get('Root');
  if (!catalog || !(rootRef instanceof PdfRef))
    throw new EsignError('ERR_ESIGN_DOCUMENT', 'The PDF has no catalog');
  const dssOld = dictOf(doc.resolve(catalog.get('DSS'), rev));
  let next = doc.nextObjectNumber(rev);
  const size = next;
  const objects = new Map<number, UpdateObject>();
  const pools = {
    Certs: existing(doc, dssOld, 'Certs'),
    CRLs: existing(doc, dssOld, 'CRLs'),
    OCSPs: existing(doc, dssOld, 'OCSPs'),
  };
  const refsOf = (key: keyof typeof pools, list: Uint8Array[]): PdfRef[] =>
    list.map((b) => {
      const h = sha(b);
      let r = pools[key].get(h);
      if (!r) {
        r = new PdfRef(next++, 0);
        objects.set(r.num, { stream: b, dict: dict({}) });
        pools[key].set(h, r);
      }
      return r;
    });
  refsOf('Certs', data.certificates);
  refsOf('CRLs', data.crls);
  refsOf('OCSPs', data.ocsps);
  const vriOld = dictOf(doc.resolve(dssOld?.get('VRI'), rev));
  const vriDict = new PdfDict(new Map(vriOld ? vriOld.map : []), -1, -1);
  for (const v of vri) {
    const key = createHash('sha1').update(v.signatureContents).digest('hex').toUpperCase();
    vriDict.map.set(
      key,
      dict({
        Cert: refsOf('Certs', v.data.certificates),
        CRL: refsOf('CRLs', v.data.crls),
        OCSP: refsOf('OCSPs', v.data.ocsps),
      }),
    );
  }
  const dss = dict({
    Certs: [...pools.Certs.values()],
    CRLs: [...pools.CRLs.values()],
    OCSPs: [...pools.OCSPs.values()],
  });
  if (vriDict.map.size) dss.map.set('VRI', vriDict);
  const newCatalog = new PdfDict(new Map(catalog.map), -1, -1);
  newCatalog.map.set('DSS', dss);
  objects.set(rootRef.num, { value: newCatalog });
  const trailer: Record<string, PdfObject> = { Root: rootRef };
  for (const k of ['Info', 'ID']) {
    const v = rev.trailer.get(k);
    if (v !== undefined) trailer[k] = v;
  }
  return appendIncrementalUpdate(pdf, { objects, trailer }, rev.startxref, Math.max(size, next)).bytes;
}
