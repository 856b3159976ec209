import { EsignError } from '../errors.js';
import { decodeStream } from '../pdf/filters.js';
import { dictOf, isName, type PdfDict, type PdfObject, PdfStream, PdfString } from '../pdf/objects.js';
import type { DiffScope } from './modifications.js';
import type { ModificationLevel } from './report.js';

/** A rectangle of zero width and height (an invisible widget). */
const ZERO_RECT = (r: PdfObject | undefined): boolean =>
  Array.isArray(r) && r.length === 4 && typeof r[0] === 'number' && r[0] === r[2] && r[1] === r[3];

function isDocTimeStamp(d: PdfDict | undefined): boolean {
  return Boolean(d && (isName(d.get('Type'), 'DocTimeStamp') || isName(d.get('SubFilter'), 'ETSI.RFC3161')));
}

/** More widgets than this under one new signature field: not shown to be invisible. */
const MAX_WIDGETS = 64;

/**
 * What the signature dictionary `d` is when its /ByteRange covers a revision after the signed one (a signature or
 * document time-stamp added later, which the verifier checks in its own right); undefined for anything else.
 */
export function laterSignature(
  scope: DiffScope,
  d: PdfDict | undefined,
): 'signature' | 'timestamp' | undefined {
  const br = d?.get('ByteRange');
  if (!d || !Array.isArray(br) || br.length !== 4 || !(d.get('Contents') instanceof PdfString))
    return undefined;
  if (!br.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) return undefined;
  const [, , from, length] = br as number[];
  const rev = scope.doc.revisionEndingAt(from! + length!);
  if (!rev || rev.index <= scope.signed.index) return undefined;
  return isDocTimeStamp(d) ? 'timestamp' : 'signature';
}

/** The widget annotations of a signature field: the field itself when merged, else its /Kids (undefined: too many). */
function widgetsOf(scope: DiffScope, d: PdfDict): PdfDict[] | undefined {
  if (isName(d.get('Subtype'), 'Widget') || d.has('Rect')) return [d];
  const kids = scope.doc.resolve(d.get('Kids'), scope.last);
  if (!Array.isArray(kids)) return [];
  if (kids.length > MAX_WIDGETS) return undefined;
  return kids
    .map((k) => dictOf(scope.doc.resolve(k, scope.last)))
    .filter((k): k is PdfDict => k !== undefined);
}

/** The field's /V, inherited through /Parent (a widget of a field with several). */
function fieldValue(scope: DiffScope, d: PdfDict): PdfObject | undefined {
  let cur: PdfDict | undefined = d;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.has('V')) return cur.get('V');
    cur = dictOf(scope.doc.resolve(cur.get('Parent'), scope.last));
  }
  return undefined;
}

/** True when every appearance stream of `ap` decodes to white space only (or there is none). */
function appearanceEmpty(scope: DiffScope, ap: PdfObject | undefined): boolean {
  const { doc, last } = scope;
  const apDict = dictOf(doc.resolve(ap, last));
  if (!apDict) return ap === undefined || ap === null;
  const streams: PdfObject[] = [];
  for (const k of ['N', 'R', 'D']) {
    const v = doc.resolve(apDict.get(k), last);
    if (v === undefined || v === null) continue;
    if (v instanceof PdfStream) streams.push(v);
    else {
      const states = dictOf(v);
      if (!states || states.map.size > MAX_WIDGETS) return false;
      for (const s of states.map.values()) streams.push(doc.resolve(s, last) ?? null);
    }
  }
  return streams.every((s) => s === null || (s instanceof PdfStream && blank(scope, s)));
}

function blank(scope: DiffScope, s: PdfStream): boolean {
  try {
    return decodeStream(s, scope.doc.budget).every(
      (c) => c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32,
    );
  } catch (cause) {
    if (cause instanceof EsignError && cause.code === 'ERR_PDF_LIMIT') throw cause;
    return false;
  }
}

/**
 * The level of a signature field written after the signed revision (Sneaky Signature, Mainka et al.): form filling
 * only when its /V is a signature of a later revision, or when it is an empty field that shows nothing (every
 * widget of zero size with no appearance that paints); a document time-stamp without appearance is an LTA
 * update. A field or widget with an action (/A, /AA), an empty field that shows something, or a field whose /V signs
 * no later revision (another field's signature), is an annotation.
 */
export function signatureFieldLevel(scope: DiffScope, d: PdfDict): ModificationLevel {
  const widgets = widgetsOf(scope, d);
  if (!widgets || [d, ...widgets].some((x) => x.has('A') || x.has('AA'))) return 'ANNOTATIONS';
  const signed = laterSignature(scope, dictOf(scope.doc.resolve(fieldValue(scope, d), scope.last)));
  if (signed === 'timestamp' && widgets.every((w) => ZERO_RECT(w.get('Rect')))) return 'LTA_UPDATES';
  if (signed) return 'FORM_FILLING';
  // Not empty: a value that signs no later revision (another field's signature, a stray dictionary) signs nothing.
  const value = fieldValue(scope, d);
  if (value !== undefined && value !== null) return 'ANNOTATIONS';
  const invisible = widgets.every((w) => ZERO_RECT(w.get('Rect')) && appearanceEmpty(scope, w.get('AP')));
  return invisible ? 'FORM_FILLING' : 'ANNOTATIONS';
}
