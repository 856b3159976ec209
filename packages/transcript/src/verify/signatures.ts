import type { PdfDocument, Revision } from '../pdf/document.js';
import { dictOf, isName, type PdfDict, type PdfObject, PdfRef, PdfString } from '../pdf/objects.js';
import { type CheckResult, type CoverageLevel, check, failed, indeterminate } from './report.js';

export interface FoundSignature {
  fieldName: string;
  /** Object holding the signature dictionary (the dictionary itself or the field when /V is direct). */
  containerNum: number;
  sigRef?: PdfRef;
  sig: PdfDict;
  kind: 'signature' | 'document-timestamp';
}

const FILTERS = new Set(['Adobe.PPKLite', 'Adobe.PPKMS']);
const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);
const WEAK_SUBFILTERS = new Set(['adbe.pkcs7.sha1', 'adbe.x509.rsa_sha1']);

/** Step 3: signatures through the AcroForm field tree of the final revision; stray dictionaries reported. */
export function discoverSignatures(doc: PdfDocument): { found: FoundSignature[]; check: CheckResult } {
  const rev = doc.last;
  const found: FoundSignature[] = [];
  const warnings: string[] = [];
  const catalog = doc.catalog(rev);
  const acro = catalog ? dictOf(doc.resolve(catalog.get('AcroForm'), rev)) : undefined;
  const fields = acro ? doc.resolve(acro.get('Fields'), rev) : undefined;
  const visited = new Set<number>();
  const walk = (
    items: PdfObject[] | undefined,
    parentName: string,
    parentFt: string | undefined,
    depth: number,
  ) => {
    if (!items || depth > 32) return;
    for (const item of items) {
      doc.budget.tick();
      if (!(item instanceof PdfRef)) continue;
      if (visited.has(item.num)) continue;
      visited.add(item.num);
      const field = dictOf(doc.resolve(item, rev));
      if (!field) continue;
      const t = field.get('T');
      const partial = t instanceof PdfString ? t.text() : '';
      const fullName = parentName && partial ? `${parentName}.${partial}` : partial || parentName;
      const ftObj = field.get('FT');
      const ft = isName(ftObj) ? ftObj.name : parentFt;
      const kids = doc.resolve(field.get('Kids'), rev);
      if (Array.isArray(kids) && kids.length > 0 && !field.has('V')) walk(kids, fullName, ft, depth + 1);
      if (ft !== 'Sig') continue;
      const v = field.get('V');
      if (v === undefined || v === null) continue;
      const sig = v instanceof PdfRef ? dictOf(doc.resolve(v, rev)) : dictOf(v);
      if (!sig) continue;
      const type = sig.get('Type');
      const sub = sig.get('SubFilter');
      const kind =
        isName(type, 'DocTimeStamp') || isName(sub, 'ETSI.RFC3161') ? 'document-timestamp' : 'signature';
      found.push({
        fieldName: fullName || `(field ${item.num})`,
        containerNum: v instanceof PdfRef ? v.num : item.num,
        ...(v instanceof PdfRef ? { sigRef: v } : {}),
        sig,
        kind,
      });
    }
  };
  walk(Array.isArray(fields) ? fields : undefined, '', undefined, 0);
  // Stray signature dictionaries: present in some revision but reachable from no signature field.
  const known = new Set(found.map((f) => f.containerNum));
  const seen = new Set<number>();
  for (const r of doc.revisions) {
    for (const [num, e] of r.own) {
      if (e.kind === 'free' || seen.has(num) || known.has(num)) continue;
      seen.add(num);
      const d = dictOf(doc.getObject(num, r));
      if (
        d &&
        (isName(d.get('Type'), 'Sig') ||
          isName(d.get('Type'), 'DocTimeStamp') ||
          (d.has('ByteRange') && d.has('Contents')))
      ) {
        warnings.push(
          `Stray signature dictionary (object ${num}, revision ${r.index}) not referenced by any signature field`,
        );
      }
    }
  }
  found.sort((a, b) => (doc.offsetOf(a.containerNum, rev) ?? 0) - (doc.offsetOf(b.containerNum, rev) ?? 0));
  return {
    found,
    check: check('signature-discovery', 'PASSED', `${found.length} signature field(s) with a value`, {
      warnings,
      evidence: { fields: found.map((f) => f.fieldName), stray: warnings.length },
    }),
  };
}

export interface SignatureGeometry {
  byteRange: [number, number, number, number];
  contents: PdfString;
  subFilter: string;
  filter: string;
}

/** Step 4: the dictionary's shape. */
export function checkSignatureDictionary(
  doc: PdfDocument,
  s: FoundSignature,
): { result: CheckResult; geometry?: SignatureGeometry } {
  const filter = s.sig.get('Filter');
  const sub = s.sig.get('SubFilter');
  const filterName = isName(filter) ? filter.name : '';
  const subName = isName(sub) ? sub.name : '';
  const evidence = { filter: filterName, subFilter: subName };
  if (!FILTERS.has(filterName))
    return {
      result: failed(
        'signature-dictionary',
        'FORMAT_FAILURE',
        `Filter /${filterName || '?'} is not allowed`,
        { evidence },
      ),
    };
  if (WEAK_SUBFILTERS.has(subName)) {
    return {
      result: indeterminate(
        'signature-dictionary',
        'CRYPTO_CONSTRAINTS_FAILURE',
        `SubFilter /${subName} relies on SHA-1`,
        { evidence },
      ),
    };
  }
  const okSub = s.kind === 'document-timestamp' ? subName === 'ETSI.RFC3161' : SUBFILTERS.has(subName);
  if (!okSub)
    return {
      result: failed(
        'signature-dictionary',
        'FORMAT_FAILURE',
        `SubFilter /${subName || '?'} is not allowed`,
        { evidence },
      ),
    };
  const entry = doc.entry(s.containerNum, doc.last);
  if (entry?.kind !== 'offset') {
    return {
      result: failed(
        'signature-dictionary',
        'FORMAT_FAILURE',
        'The signature dictionary is inside an object stream',
        { evidence },
      ),
    };
  }
  const br = s.sig.get('ByteRange');
  if (
    !Array.isArray(br) ||
    br.length !== 4 ||
    !br.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)
  ) {
    return {
      result: failed(
        'signature-dictionary',
        'FORMAT_FAILURE',
        '/ByteRange is not a direct array of four non-negative integers',
        { evidence },
      ),
    };
  }
  const contents = s.sig.get('Contents');
  if (!(contents instanceof PdfString) || !contents.hex) {
    return {
      result: failed('signature-dictionary', 'FORMAT_FAILURE', '/Contents is not a direct hex string', {
        evidence,
      }),
    };
  }
  if (contents.bytes.length === 0 || contents.bytes.every((b) => b === 0)) {
    return { result: failed('signature-dictionary', 'FORMAT_FAILURE', '/Contents is empty', { evidence }) };
  }
  return {
    result: check(
      'signature-dictionary',
      'PASSED',
      'Filter, SubFilter, /ByteRange and /Contents are well-formed',
      { evidence },
    ),
    geometry: {
      byteRange: br as [number, number, number, number],
      contents,
      subFilter: subName,
      filter: filterName,
    },
  };
}

/** Step 5: the gap is exactly this dictionary's /Contents token, everything in bounds. */
export function checkByteRange(doc: PdfDocument, g: SignatureGeometry): CheckResult {
  const [a, b, c, d] = g.byteRange;
  const len = doc.bytes.length;
  const evidence = {
    byteRange: g.byteRange,
    contentsToken: [g.contents.start, g.contents.end],
    fileSize: len,
  };
  if (a !== 0) return failed('byte-range', 'FORMAT_FAILURE', '/ByteRange does not start at 0', { evidence });
  if (b !== g.contents.start || c !== g.contents.end) {
    return failed(
      'byte-range',
      'FORMAT_FAILURE',
      "The /ByteRange gap is not exactly this signature dictionary's /Contents",
      { evidence },
    );
  }
  if (!(b < c) || c + d > len || d < 0)
    return failed('byte-range', 'FORMAT_FAILURE', '/ByteRange is out of bounds or overlapping', { evidence });
  return check('byte-range', 'PASSED', 'The gap is exactly the /Contents token', { evidence });
}

/** Step 6: which revision the signature covers, and what comes after it. */
export function checkCoverage(
  doc: PdfDocument,
  s: FoundSignature,
  g: SignatureGeometry,
): { result: CheckResult; coverage: CoverageLevel; revision?: Revision } {
  const end = g.byteRange[2] + g.byteRange[3];
  const rev = doc.revisionEndingAt(end);
  const sigOffset = doc.offsetOf(s.containerNum, doc.last) ?? Number.MAX_SAFE_INTEGER;
  if (!rev) {
    return {
      coverage: 'UNCLEAR',
      result: failed('coverage', 'FORMAT_FAILURE', 'The signed bytes do not end at a revision boundary', {
        evidence: { signedEnd: end },
      }),
    };
  }
  if (sigOffset >= rev.end || sigOffset < rev.start) {
    return {
      coverage: 'UNCLEAR',
      revision: rev,
      result: failed(
        'coverage',
        'FORMAT_FAILURE',
        'The signature dictionary is not part of the revision it signs',
        { evidence: { signedEnd: end } },
      ),
    };
  }
  const coverage: CoverageLevel = end === doc.bytes.length ? 'ENTIRE_FILE' : 'ENTIRE_REVISION';
  const later = doc.revisions.filter((r) => r.index > rev.index).map((r) => r.index);
  return {
    coverage,
    revision: rev,
    result: check(
      'coverage',
      'PASSED',
      coverage === 'ENTIRE_FILE'
        ? 'Covers the entire file'
        : `Covers revision ${rev.index}; ${later.length} later revision(s)`,
      {
        evidence: { revision: rev.index, signedEnd: end, fileSize: doc.bytes.length, laterRevisions: later },
      },
    ),
  };
}

/** DocMDP permission level of a certification signature (undefined for approval signatures). */
export function docMdpLevel(doc: PdfDocument, s: FoundSignature): 1 | 2 | 3 | undefined {
  const refs = doc.resolve(s.sig.get('Reference'), doc.last);
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    const d = dictOf(doc.resolve(r, doc.last));
    if (!d || !isName(d.get('TransformMethod'), 'DocMDP')) continue;
    const tp = dictOf(doc.resolve(d.get('TransformParams'), doc.last));
    const p = tp?.get('P');
    return p === 1 || p === 3 ? p : 2;
  }
  return undefined;
}
