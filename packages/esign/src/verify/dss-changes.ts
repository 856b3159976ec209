import { parseCrl, parseOcspResponse } from '@thgov/pki';
import { certFromDer, OID, toArrayBuffer } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EsignError } from '../errors.js';
import type { PdfDocument } from '../pdf/document.js';
import { decodeStream } from '../pdf/filters.js';
import { collectRefs, PdfDict, type PdfObject, PdfRef, PdfStream } from '../pdf/objects.js';
import type { DiffScope } from './modifications.js';

/** What a /DSS slot holds: `/Certs` and VRI `/Cert` certificates, `/CRLs` and `/CRL` CRLs, … `/TS` a token. */
export type DataKind = 'certificate' | 'crl' | 'ocsp' | 'timestamp';
const SLOT: Record<string, DataKind> = {
  Certs: 'certificate',
  CRLs: 'crl',
  OCSPs: 'ocsp',
  Cert: 'certificate',
  CRL: 'crl',
  OCSP: 'ocsp',
};

/** The objects of the final /DSS, sorted by what they are. */
export interface DssObjects {
  /** Objects in a /DSS position: the store, its arrays, /VRI and its entries, their streams, indirect lengths. */
  shaped: Set<number>;
  /** Everything reachable from the final /DSS. */
  all: Set<number>;
  /** Streams in a data slot that do not read as what the slot holds (a content stream filed under /Certs). */
  misfiled: Set<number>;
}

/** Per document and object: whether a stream reads as a kind of validation data (decoded once per kind). */
const READS_AS = new WeakMap<PdfDocument, Map<string, boolean>>();

/** One DER tag-length-value at `at`: its tag and where its content starts and ends (undefined: malformed). */
function tlv(b: Uint8Array, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > b.length) return undefined;
  let length = b[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > b.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[start++]!;
  }
  return start + length <= b.length ? { tag: b[at]!, start, end: start + length } : undefined;
}

/**
 * The outline of a CertificateList (RFC 5280 §5.1) spanning all of `b`: tbsCertList (version, signature
 * algorithm, issuer, thisUpdate), signature algorithm, signature BIT STRING. For CRLs too large for the CRL
 * reader's node limit (national CRLs of many megabytes), which are still validation data.
 */
function crlOutline(b: Uint8Array): boolean {
  const outer = tlv(b, 0);
  const tbs = outer && tlv(b, outer.start);
  const alg = tbs && tlv(b, tbs.end);
  const sig = alg && tlv(b, alg.end);
  if (outer?.tag !== 0x30 || outer.end !== b.length || tbs?.tag !== 0x30) return false;
  if (alg?.tag !== 0x30 || sig?.tag !== 0x03 || sig.end !== outer.end) return false;
  let x = tlv(b, tbs.start);
  if (x?.tag === 0x02) x = tlv(b, x.end);
  const issuer = x?.tag === 0x30 ? tlv(b, x.end) : undefined;
  const thisUpdate = issuer?.tag === 0x30 ? tlv(b, issuer.end) : undefined;
  return thisUpdate?.tag === 0x17 || thisUpdate?.tag === 0x18;
}

/** Whether `der` is DER validation data of `kind`: what a /DSS slot of that kind may hold. */
export function readsAsValidationData(kind: DataKind, der: Uint8Array): boolean {
  if (der[0] !== 0x30) return false;
  try {
    if (kind === 'certificate') certFromDer(der);
    else if (kind === 'crl') {
      try {
        parseCrl(der);
      } catch {
        return crlOutline(der);
      }
    } else if (kind === 'ocsp') parseOcspResponse(der);
    else {
      const asn = asn1js.fromBER(toArrayBuffer(der));
      if (asn.offset !== der.length) return false;
      const ci = new pkijs.ContentInfo({ schema: asn.result });
      if (ci.contentType !== OID.signedData) return false;
      return new pkijs.SignedData({ schema: ci.content }).encapContentInfo.eContentType === OID.tstInfo;
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether stream `num` of the final revision is DER validation data of `kind` (the slot it is filed under). */
function readsAs(doc: PdfDocument, num: number, st: PdfStream, kind: DataKind): boolean {
  let memo = READS_AS.get(doc);
  if (!memo) {
    memo = new Map();
    READS_AS.set(doc, memo);
  }
  const key = `${num}:${kind}`;
  let ok = memo.get(key);
  if (ok === undefined) {
    try {
      ok = readsAsValidationData(kind, decodeStream(st, doc.budget));
    } catch (cause) {
      if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
      ok = false;
    }
    memo.set(key, ok);
  }
  return ok;
}

/** Every object reachable from `start` in the final revision (bounded). */
function reachableFrom(doc: PdfDocument, scope: DiffScope, start: PdfObject | undefined): Set<number> {
  const out = new Set<number>();
  const stack: (PdfObject | undefined)[] = [start];
  while (stack.length && out.size <= doc.budget.limits.maxObjects) {
    doc.budget.tick();
    for (const r of collectRefs(stack.pop())) {
      if (out.has(r.num)) continue;
      out.add(r.num);
      stack.push(doc.getObject(r.num, scope.last));
    }
  }
  return out;
}

/**
 * The objects under the final /DSS: those in a /DSS position, every one reachable, and the streams whose bytes are
 * not what their slot holds (each stream of a data slot must parse as a certificate, CRL, OCSP response or, in a
 * VRI entry's /TS, a time-stamp token).
 */
export function dssObjects(scope: DiffScope): DssObjects {
  const { doc, last } = scope;
  const shaped = new Set<number>();
  const misfiled = new Set<number>();
  const seenArrays = new Set<string>();
  const hold = (o: PdfObject | undefined, want: 'dict' | 'array' | 'stream'): PdfObject | undefined => {
    const v = o instanceof PdfRef ? doc.getObject(o.num, last) : o;
    const ok =
      want === 'array' ? Array.isArray(v) : want === 'dict' ? v instanceof PdfDict : v instanceof PdfStream;
    if (!ok) return undefined;
    if (o instanceof PdfRef) shaped.add(o.num);
    // An indirect /Length belongs to its stream.
    if (v instanceof PdfStream)
      for (const r of collectRefs(v.dict))
        if (typeof doc.getObject(r.num, last) === 'number') shaped.add(r.num);
    return v;
  };
  const data = (o: PdfObject | undefined, kind: DataKind) => {
    const st = hold(o, 'stream');
    if (o instanceof PdfRef && st instanceof PdfStream && !readsAs(doc, o.num, st, kind)) misfiled.add(o.num);
  };
  const streams = (o: PdfObject | undefined, kind: DataKind) => {
    // The same array is often shared by many VRI entries: read it once per kind.
    const key = o instanceof PdfRef ? `${o.num}:${kind}` : undefined;
    if (key && seenArrays.has(key)) return;
    if (key) seenArrays.add(key);
    const arr = hold(o, 'array');
    if (Array.isArray(arr)) for (const s of arr) if (s instanceof PdfRef) data(s, kind);
  };
  const start = doc.catalog(last)?.get('DSS');
  const dss = hold(start, 'dict');
  if (dss instanceof PdfDict) {
    for (const k of ['Certs', 'CRLs', 'OCSPs']) streams(dss.get(k), SLOT[k]!);
    const vri = hold(dss.get('VRI'), 'dict');
    for (const e of vri instanceof PdfDict ? vri.map.values() : []) {
      doc.budget.tick();
      const entry = hold(e, 'dict');
      if (!(entry instanceof PdfDict)) continue;
      for (const k of ['Cert', 'CRL', 'OCSP']) streams(entry.get(k), SLOT[k]!);
      if (entry.get('TS') instanceof PdfRef) data(entry.get('TS'), 'timestamp');
    }
  }
  return { shaped, misfiled, all: reachableFrom(doc, scope, start) };
}

/**
 * Objects of a /DSS position that something outside the store refers to: a changed or new object that is not part
 * of /DSS (the catalog through any key but /DSS), or a later trailer. Validation data is read by verifiers only;
 * what else points at it is content in disguise.
 */
export function referredFromOutside(
  scope: DiffScope,
  dss: DssObjects,
  values: Map<number, PdfObject | undefined>,
): Set<number> {
  const out = new Set<number>();
  const visit = (o: PdfObject | undefined) => {
    for (const r of collectRefs(o)) if (dss.shaped.has(r.num)) out.add(r.num);
  };
  for (const [num, v] of values) {
    if (dss.shaped.has(num)) continue;
    if (num === scope.rootNum && v instanceof PdfDict) {
      for (const [k, x] of v.map) if (k !== 'DSS') visit(x);
    } else visit(v);
  }
  for (const r of scope.doc.revisions) if (r.index > scope.signed.index) visit(r.trailer);
  return out;
}
