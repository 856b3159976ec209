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

/** How many streams of one existing /DSS array are read to avoid writing their data twice (all are kept). */
const READ_AT_MOST = 1000;

/** One /DSS array: the entries it already holds (all kept, in order), by content hash where read, and new ones. */
interface Pool {
  kept: PdfObject[];
  byHash: Map<string, PdfRef>;
}

/** The final revision's `/DSS` array `key`: every entry kept, the first {@link READ_AT_MOST} streams hashed. */
function existing(doc: PdfDocument, dss: PdfDict | undefined, key: string): Pool {
  const byHash = new Map<string, PdfRef>();
  const arr = dss ? doc.resolve(dss.get(key), doc.last) : undefined;
  const kept = Array.isArray(arr) ? [...arr] : [];
  for (const r of kept.slice(0, READ_AT_MOST)) {
    const st = doc.resolve(r, doc.last);
    if (r instanceof PdfRef && st instanceof PdfStream) byHash.set(sha(decodeStream(st, doc.budget)), r);
  }
  return { kept, byHash };
}

const VRI_ARRAYS = { Cert: 'Certs', CRL: 'CRLs', OCSP: 'OCSPs' } as const;
const VRI_DATA = { Cert: 'certificates', CRL: 'crls', OCSP: 'ocsps' } as const;

/**
 * The /VRI dictionary: every entry found kept; the entry of each signature in `vri` merged into the one found
 * under its key (any case), its arrays joined without duplicates and its other keys (/TU, /TS…) kept.
 */
function mergedVri(
  doc: PdfDocument,
  old: PdfDict | undefined,
  vri: VriEntry[],
  refsOf: (key: keyof typeof VRI_ARRAYS, list: Uint8Array[]) => PdfRef[],
): PdfDict {
  const out = new PdfDict(new Map(old ? old.map : []), -1, -1);
  for (const v of vri) {
    const key = createHash('sha1').update(v.signatureContents).digest('hex').toUpperCase();
    const foundKey = [...out.map.keys()].find((k) => k.toUpperCase() === key) ?? key;
    const before = dictOf(doc.resolve(out.map.get(foundKey), doc.last));
    const entry = new PdfDict(new Map(before ? before.map : []), -1, -1);
    for (const k of Object.keys(VRI_ARRAYS) as (keyof typeof VRI_ARRAYS)[]) {
      const had = doc.resolve(entry.get(k), doc.last);
      const list: PdfObject[] = Array.isArray(had) ? [...had] : [];
      for (const r of refsOf(k, v.data[VRI_DATA[k]]))
        if (!list.some((x) => x instanceof PdfRef && x.num === r.num)) list.push(r);
      entry.map.set(k, list);
    }
    out.map.delete(foundKey);
    out.map.set(key, entry);
  }
  return out;
}

/**
 * Appends (or extends) the document security store in one incremental update: `/Certs`, `/CRLs`, `/OCSPs` as
 * streams, and a `/VRI` dictionary per signature. What the store already holds (another tool's entries, keys
 * and /VRI entries included) is kept and not written twice.
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
  const add = (key: keyof typeof pools, list: Uint8Array[]): PdfRef[] =>
    list.map((b) => {
      const h = sha(b);
      let r = pools[key].byHash.get(h);
      if (!r) {
        r = new PdfRef(next++, 0);
        objects.set(r.num, { stream: b, dict: dict({}) });
        pools[key].byHash.set(h, r);
        pools[key].kept.push(r);
      }
      return r;
    });
  add('Certs', data.certificates);
  add('CRLs', data.crls);
  add('OCSPs', data.ocsps);
  const vriOld = dictOf(doc.resolve(dssOld?.get('VRI'), rev));
  const vriDict = mergedVri(doc, vriOld, vri, (k, list) => add(VRI_ARRAYS[k], list));
  const dss = new PdfDict(new Map(dssOld ? dssOld.map : []), -1, -1);
  for (const k of ['Certs', 'CRLs', 'OCSPs'] as const) dss.map.set(k, pools[k].kept);
  if (vriDict.map.size) dss.map.set('VRI', vriDict);
  const newCatalog = new PdfDict(new Map(catalog.map), -1, -1);
  newCatalog.map.set('DSS', dss);
  objects.set(rootRef.num, { value: newCatalog, gen: rootRef.gen });
  const trailer: Record<string, PdfObject> = { Root: rootRef };
  for (const k of ['Info', 'ID']) {
    const v = rev.trailer.get(k);
    if (v !== undefined) trailer[k] = v;
  }
  return appendIncrementalUpdate(pdf, { objects, trailer }, rev.startxref, Math.max(size, next)).bytes;
}
