import type { PdfDocument, Revision } from '../pdf/document.js';
import {
  collectRefs,
  dictOf,
  isName,
  PdfDict,
  type PdfObject,
  PdfRef,
  PdfString,
  pdfEquals,
  repeatedKeys,
} from '../pdf/objects.js';
import { catalogMetadataLevel } from './catalog-keys.js';
import { dssObjects, referredFromOutside } from './dss-changes.js';
import { resourceChanges } from './form-resources.js';
import { type CheckResult, check, failed, type ModificationLevel } from './report.js';
import { laterSignature, signatureFieldLevel } from './signature-fields.js';
import { isXmpStream } from './xmp.js';

const RANK: Record<ModificationLevel, number> = {
  NONE: 0,
  LTA_UPDATES: 1,
  FORM_FILLING: 2,
  ANNOTATIONS: 3,
  OTHER: 4,
};

/** The stronger of two modification levels. */
export function maxLevel(a: ModificationLevel, b: ModificationLevel): ModificationLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when `level` is no stronger than `allowed`. */
export function levelAllowed(level: ModificationLevel, allowed: ModificationLevel): boolean {
  return RANK[level] <= RANK[allowed];
}

/** One object written after the signed revision, classified. */
export interface Change {
  object: number;
  kind: 'new' | 'changed' | 'deleted';
  level: ModificationLevel;
  reason: string;
}

/** Everything written after a signed revision: the strongest level and each change. */
export interface DiffResult {
  level: ModificationLevel;
  changes: Change[];
  /** New objects no changed object refers to (harmless to a conforming reader, a signal for a reconstructing one). */
  unreferenced: number[];
  /** The catalog's XMP /Metadata stream replaced as Acrobat and iText do on saving ({@link xmpReplacement}). */
  xmpReplaced?: XmpReplacement;
}

/** An XMP /Metadata replacement after signing: the object of the new stream, and whether the policy allows it. */
export interface XmpReplacement {
  object: number;
  allowed: boolean;
}

function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  return [...keys].filter((k) => !pdfEquals(a.get(k), b.get(k)));
}

function isPrefixExtension(
  oldArr: PdfObject | undefined,
  newArr: PdfObject | undefined,
): PdfObject[] | undefined {
  const o = Array.isArray(oldArr) ? oldArr : oldArr === undefined ? [] : undefined;
  if (!o || !Array.isArray(newArr) || newArr.length < o.length) return undefined;
  for (let i = 0; i < o.length; i++) if (!pdfEquals(o[i], newArr[i])) return undefined;
  return newArr.slice(o.length);
}

/** What the comparison of one document needs: the two revisions, and the signed catalog's key objects. */
export interface DiffScope {
  doc: PdfDocument;
  signed: Revision;
  last: Revision;
  rootNum: number;
  acroNum: number;
  pageNums: Set<number>;
  /** The signature fields reachable from the final AcroForm /Fields tree, and the objects that are their /V. */
  sig: { fields: Set<number>; values: Set<number> };
  /** The document information dictionaries (/Info) the signed revision's trailer and later ones name. */
  info: Set<number>;
  /** Set when a later revision replaced the catalog's XMP /Metadata stream harmlessly ({@link xmpReplacement}). */
  xmp?: XmpReplacement | undefined;
}

const XMP_REPLACED = 'XMP metadata (/Metadata) was replaced after signing';

/** The level and reason of an XMP replacement: an LTA-level update when the policy allows it, else OTHER. */
function xmpChange(xmp: XmpReplacement): { level: ModificationLevel; reason: string } {
  return xmp.allowed
    ? { level: 'LTA_UPDATES', reason: XMP_REPLACED }
    : { level: 'OTHER', reason: `${XMP_REPLACED}; the policy allows no metadata change after signing` };
}

/**
 * The level of a new object by its own type; undefined when it has none (it inherits from what refers to it).
 * An annotation is what its /Subtype says, whatever other keys it carries; only a widget of a signature field
 * reachable from AcroForm /Fields signs, and only such a field's /V is a signature (or document time-stamp).
 */
function classifyNew(scope: DiffScope, num: number, v: PdfObject | undefined): ModificationLevel | undefined {
  const d = dictOf(v);
  if (!d) return undefined;
  const type = d.get('Type');
  if (isName(d.get('Subtype'), 'Widget')) {
    if (scope.sig.fields.has(num)) return signatureFieldLevel(scope, d);
    // A signature widget no field of /Fields owns signs nothing: it is an annotation (sneaky signature).
    return isName(d.get('FT'), 'Sig') ? 'ANNOTATIONS' : 'OTHER';
  }
  if (isName(type, 'Annot') || (d.has('Subtype') && d.has('Rect'))) return 'ANNOTATIONS';
  if (scope.sig.fields.has(num)) return signatureFieldLevel(scope, d);
  // A field's /V is a signature only when it signs a later revision; anything else takes its field's level.
  const signs = scope.sig.values.has(num) ? laterSignature(scope, d) : undefined;
  if (signs) return signs === 'timestamp' ? 'LTA_UPDATES' : 'FORM_FILLING';
  for (const t of ['Page', 'Pages', 'Catalog', 'Filespec', 'EmbeddedFile', 'Metadata'])
    if (isName(type, t)) return 'OTHER';
  return undefined;
}

/**
 * Widget keys a program rewrites whenever it touches an annotation, whatever it changes: /M, the annotation's
 * modification date (poppler stamps it on the widget of the field it signs). They change nothing shown.
 */
const ANNOTATION_BOOKKEEPING = new Set(['M']);

/** True when every changed key is one of `allowed` or annotation bookkeeping. */
function onlyKeys(keys: string[], allowed: string[]): boolean {
  return keys.every((k) => allowed.includes(k) || ANNOTATION_BOOKKEEPING.has(k));
}

/** An empty signature field (or its widget) given a /V: form filling only when that /V signs a later revision. */
function emptySignatureFieldSigned(
  scope: DiffScope,
  newD: PdfDict,
): { level: ModificationLevel; reason: string } {
  return laterSignature(scope, dictOf(scope.doc.resolve(newD.get('V'), scope.last)))
    ? { level: 'FORM_FILLING', reason: 'An empty signature field was signed' }
    : { level: 'ANNOTATIONS', reason: 'An empty signature field changed without a later signature' };
}

/** The level of a change to an object of the signed revision, by what it is and which keys changed. */
function classifyChanged(
  scope: DiffScope,
  num: number,
  oldD: PdfDict | undefined,
  newD: PdfDict | undefined,
): { level: ModificationLevel; reason: string } {
  const { doc, signed, last } = scope;
  if (num === scope.rootNum && oldD && newD) {
    const keys = changedKeys(oldD, newD);
    let l: ModificationLevel = 'NONE';
    for (const k of keys) {
      const metadata = catalogMetadataLevel(doc, last, k, newD.get(k));
      if (metadata) l = maxLevel(l, metadata);
      else if (k === 'DSS') l = maxLevel(l, 'LTA_UPDATES');
      else if (k === 'Metadata' && scope.xmp) l = maxLevel(l, xmpChange(scope.xmp).level);
      else if (k === 'AcroForm' && scope.acroNum === -1) {
        const before = dictOf(doc.resolve(oldD.get(k), signed));
        l = maxLevel(l, acroFormLevel(scope, before, dictOf(doc.resolve(newD.get(k), last))));
      } else l = 'OTHER';
    }
    return { level: l, reason: `Catalog keys changed: ${keys.join(', ')}` };
  }
  if (num === scope.acroNum && oldD && newD)
    return {
      level: acroFormLevel(scope, oldD, newD),
      reason: `AcroForm keys changed: ${changedKeys(oldD, newD).join(', ')}`,
    };
  if (scope.pageNums.has(num) && oldD && newD) return pageChange(scope, oldD, newD);
  const kid = oldD && newD ? kidWidgetChange(scope, oldD, newD) : undefined;
  if (kid) return kid;
  if (oldD && newD && isName(oldD.get('FT')) && !isName(oldD.get('FT'), 'Sig')) {
    if (onlyKeys(changedKeys(oldD, newD), ['V', 'AS', 'AP']))
      return { level: 'FORM_FILLING', reason: 'A form field value was filled in' };
  } else if (oldD && newD && isName(oldD.get('FT'), 'Sig') && !oldD.has('V') && scope.sig.fields.has(num)) {
    if (onlyKeys(changedKeys(oldD, newD), ['V', 'AP'])) return emptySignatureFieldSigned(scope, newD);
  }
  return { level: 'OTHER', reason: 'A signed object was changed' };
}

/**
 * Whether object `num` is referred to, in the signed revision, only by `owner` under `key` (`key` of the owner's
 * direct `inner` dictionary, e.g. a catalog's direct /AcroForm, when given).
 */
function onlyOwner(scope: DiffScope, num: number, owner: number, key: string, inner?: string): boolean {
  const { doc, signed } = scope;
  const without = (d: PdfDict | undefined, k: string) =>
    d ? new PdfDict(new Map([...d.map].filter(([x]) => x !== k)), -1, -1) : undefined;
  const o = dictOf(doc.getObject(owner, signed));
  const rest = inner ? [without(o, inner), without(dictOf(o?.get(inner)), key)] : [without(o, key)];
  if (collectRefs(rest as PdfObject[]).some((r) => r.num === num)) return false;
  for (const [n, e] of signed.xref) {
    doc.budget.tick();
    if (n === owner || e.kind === 'free') continue;
    if (collectRefs(doc.getObject(n, signed)).some((r) => r.num === num)) return false;
  }
  return true;
}

/** The field a widget without its own /FT belongs to in `rev` (the first /Parent with /FT, bounded), and its type. */
function parentField(
  scope: DiffScope,
  d: PdfDict,
  rev: Revision,
): { field: PdfDict; ft: string } | undefined {
  let cur = dictOf(scope.doc.resolve(d.get('Parent'), rev));
  for (let i = 0; cur && i < 8; i++) {
    const ft = cur.get('FT');
    if (isName(ft)) return { field: cur, ft: ft.name };
    cur = dictOf(scope.doc.resolve(cur.get('Parent'), rev));
  }
  return undefined;
}

/**
 * A widget of a field's /Kids (radio buttons, a field shown in several places, a signature field whose widget is
 * its own object) that only changed what it shows, as the same change of a field merged with its widget is
 * judged: /AS or /AP of a form field is form filling; /AP of a signature field is form filling once the field (as
 * signed, and still) holds a signature of a later revision, and so is a /V on the widget of an empty signature
 * field that signs a later revision. The field is the one its parent was when signed. /M may change with them.
 */
function kidWidgetChange(
  scope: DiffScope,
  oldD: PdfDict,
  newD: PdfDict,
): { level: ModificationLevel; reason: string } | undefined {
  if (!isName(oldD.get('Subtype'), 'Widget') || oldD.has('FT') || newD.has('FT')) return undefined;
  const parent = parentField(scope, oldD, scope.signed);
  const keys = changedKeys(oldD, newD);
  if (parent === undefined) return undefined;
  if (parent.ft !== 'Sig') {
    if (!onlyKeys(keys, ['AS', 'AP'])) return undefined;
    return { level: 'FORM_FILLING', reason: "A widget of a form field shows the field's new value" };
  }
  const now = parentField(scope, newD, scope.last);
  if (now?.ft !== 'Sig') return undefined;
  // poppler writes the /V of a field it signs on the field's widget (discovery reads it there too).
  const ownValue = keys.includes('V') && !oldD.has('V') && !parent.field.has('V') && !now.field.has('V');
  if (ownValue && onlyKeys(keys, ['V', 'AP'])) return emptySignatureFieldSigned(scope, newD);
  if (!onlyKeys(keys, ['AP'])) return undefined;
  const signs = laterSignature(scope, dictOf(scope.doc.resolve(now.field.get('V'), scope.last)));
  return signs ? { level: 'FORM_FILLING', reason: 'The widget of a field signed later shows it' } : undefined;
}

/** A page may only gain annotations at the end of its /Annots; they are classified by what they are. */
function pageChange(
  scope: DiffScope,
  oldD: PdfDict,
  newD: PdfDict,
): { level: ModificationLevel; reason: string } {
  const { doc, signed, last } = scope;
  const keys = changedKeys(oldD, newD);
  const added =
    keys.length === 1 && keys[0] === 'Annots'
      ? isPrefixExtension(doc.resolve(oldD.get('Annots'), signed), doc.resolve(newD.get('Annots'), last))
      : undefined;
  if (!added) return { level: 'OTHER', reason: `Page keys changed: ${keys.join(', ')}` };
  return { level: addedAnnotsLevel(scope, added), reason: `Annotations added to a page (${added.length})` };
}

/** The strongest level of annotations added to a page, each by what it is. */
function addedAnnotsLevel(scope: DiffScope, added: PdfObject[]): ModificationLevel {
  let l: ModificationLevel = 'NONE';
  for (const a of added) {
    const v = a instanceof PdfRef ? scope.doc.getObject(a.num, scope.last) : undefined;
    l = maxLevel(l, a instanceof PdfRef ? (classifyNew(scope, a.num, v) ?? 'OTHER') : 'OTHER');
  }
  return l;
}

/**
 * Which list the array object `num` is in both revisions: a signed page's /Annots, or the AcroForm's /Fields,
 * held as an indirect array (poppler and iText write the array object again and leave its owner as it is), and
 * nothing else of the signed revision uses (an array that is also a page's /Contents is no list of annotations).
 */
function indirectList(scope: DiffScope, num: number): 'Annots' | 'Fields' | undefined {
  const { doc, signed, last } = scope;
  const is = (o: PdfObject | undefined) => o instanceof PdfRef && o.num === num;
  const fields = (rev: Revision) =>
    dictOf(doc.resolve(doc.catalog(rev)?.get('AcroForm'), rev))?.get('Fields');
  const direct = scope.acroNum === -1;
  const [owner, inner] = direct ? [scope.rootNum, 'AcroForm'] : [scope.acroNum, undefined];
  if (is(fields(signed)) && is(fields(last)))
    return onlyOwner(scope, num, owner, 'Fields', inner) ? 'Fields' : undefined;
  for (const p of scope.pageNums) {
    doc.budget.tick();
    const annots = (rev: Revision) => dictOf(doc.getObject(p, rev))?.get('Annots');
    if (is(annots(signed)) && is(annots(last)))
      return onlyOwner(scope, num, p, 'Annots') ? 'Annots' : undefined;
  }
  return undefined;
}

/**
 * A changed array object that is a page's /Annots or the form's /Fields: judged as the same change of a direct
 * array is (entries only appended, each new entry by what it is). Undefined for any other object.
 */
function listChange(
  scope: DiffScope,
  num: number,
  oldV: PdfObject | undefined,
  newV: PdfObject | undefined,
): { level: ModificationLevel; reason: string } | undefined {
  if (!Array.isArray(oldV) || !Array.isArray(newV)) return undefined;
  const list = indirectList(scope, num);
  if (!list) return undefined;
  const added = isPrefixExtension(oldV, newV);
  if (!added) return { level: 'OTHER', reason: `Entries of /${list} changed or removed` };
  if (list === 'Annots')
    return { level: addedAnnotsLevel(scope, added), reason: `Annotations added to a page (${added.length})` };
  let l: ModificationLevel = 'NONE';
  for (const f of added) l = maxLevel(l, f instanceof PdfRef ? newFieldLevel(scope, f) : 'OTHER');
  return { level: l, reason: `Fields added to the form (${added.length})` };
}

/** New objects without a type of their own inherit the level of what refers to them (a bounded fixpoint). */
function inheritLevels(
  scope: DiffScope,
  touched: Set<number>,
  newObjects: Set<number>,
  values: Map<number, PdfObject | undefined>,
  level: Map<number, ModificationLevel>,
): void {
  const parents = new Map<number, number[]>();
  for (const num of touched) {
    for (const r of collectRefs(values.get(num))) {
      if (!newObjects.has(r.num) || r.num === num) continue;
      const p = parents.get(r.num) ?? [];
      p.push(num);
      parents.set(r.num, p);
    }
  }
  for (let round = 0; round < 16; round++) {
    let changed = false;
    for (const num of newObjects) {
      if (level.has(num) && classifyNew(scope, num, values.get(num))) continue;
      let l: ModificationLevel | undefined;
      for (const p of parents.get(num) ?? []) {
        const pl = level.get(p);
        if (pl !== undefined) l = l === undefined ? pl : maxLevel(l, pl);
      }
      if (l !== undefined && level.get(num) !== l) {
        level.set(num, l);
        changed = true;
      }
    }
    if (!changed) break;
  }
}

function diffScope(doc: PdfDocument, signed: Revision): DiffScope {
  const oldCatalogRef = signed.trailer.get('Root');
  const acroRef = doc.catalog(signed)?.get('AcroForm');
  const pageNums = new Set<number>();
  collectPages(doc, signed, pageNums);
  return {
    doc,
    signed,
    last: doc.last,
    rootNum: oldCatalogRef instanceof PdfRef ? oldCatalogRef.num : -1,
    acroNum: acroRef instanceof PdfRef ? acroRef.num : -1,
    pageNums,
    sig: signatureFields(doc, doc.last),
    info: infoObjects(doc, signed),
  };
}

/** The objects the signed trailer and every later one name as /Info. */
function infoObjects(doc: PdfDocument, signed: Revision): Set<number> {
  const out = new Set<number>();
  for (const r of doc.revisions) {
    const info = r.trailer.get('Info');
    if (r.index >= signed.index && info instanceof PdfRef) out.add(info.num);
  }
  return out;
}

/** The signature fields reachable from the AcroForm /Fields tree of `rev` (/FT inherited through /Kids) and their /V. */
function signatureFields(doc: PdfDocument, rev: Revision): { fields: Set<number>; values: Set<number> } {
  const fields = new Set<number>();
  const values = new Set<number>();
  const acro = dictOf(doc.resolve(doc.catalog(rev)?.get('AcroForm'), rev));
  const top = doc.resolve(acro?.get('Fields'), rev);
  const stack = (Array.isArray(top) ? top : []).map((ref) => ({ ref, sig: false, depth: 0 }));
  const seen = new Set<number>();
  while (stack.length) {
    const { ref, sig, depth } = stack.pop()!;
    if (!(ref instanceof PdfRef) || seen.has(ref.num) || depth > 64 || seen.size > 100_000) continue;
    seen.add(ref.num);
    const d = dictOf(doc.getObject(ref.num, rev));
    if (!d) continue;
    const ft = d.get('FT');
    const isSig = ft === undefined ? sig : isName(ft, 'Sig');
    if (isSig) fields.add(ref.num);
    const v = d.get('V');
    if (isSig && v instanceof PdfRef) values.add(v.num);
    const kids = doc.resolve(d.get('Kids'), rev);
    if (Array.isArray(kids)) for (const k of kids) stack.push({ ref: k, sig: isSig, depth: depth + 1 });
  }
  return { fields, values };
}

/** The generation of object `num` in `rev` (an object in an object stream has generation 0). */
function generation(rev: Revision, num: number): number | undefined {
  const e = rev.xref.get(num);
  return e?.kind === 'offset' ? e.gen : e?.kind === 'compressed' ? 0 : undefined;
}

/** Whether `num` resolves to the same place (or to nothing) in both revisions; free and missing are the same. */
function sameEntry(num: number, a: Revision, b: Revision): boolean {
  const x = a.xref.get(num);
  const y = b.xref.get(num);
  if (!x || x.kind === 'free' || !y || y.kind === 'free')
    return (!x || x.kind === 'free') && (!y || y.kind === 'free');
  if (x.kind === 'offset') return y.kind === 'offset' && x.offset === y.offset && x.gen === y.gen;
  if (y.kind !== 'compressed' || x.stream !== y.stream || x.index !== y.index) return false;
  const hx = a.xref.get(x.stream);
  const hy = b.xref.get(x.stream);
  return hx?.kind === 'offset' && hy?.kind === 'offset' && hx.offset === hy.offset && hx.gen === hy.gen;
}

/**
 * The objects to compare: every object a later revision writes, and every object the final document (what a
 * viewer shows) resolves differently from the signed revision, whichever section says so.
 */
function touchedObjects(doc: PdfDocument, signed: Revision, last: Revision): Set<number> {
  const touched = new Set<number>();
  for (const r of doc.revisions)
    if (r.index > signed.index) for (const k of r.own.keys()) if (k !== 0) touched.add(k);
  for (const nums of [signed.xref.keys(), last.xref.keys()]) {
    for (const num of nums) {
      doc.budget.tick();
      if (num !== 0 && !touched.has(num) && !sameEntry(num, signed, last)) touched.add(num);
    }
  }
  return touched;
}

/** Which of `nums` an object (or, with `trailer`, the trailer) of the signed revision already refers to. */
function referencedWhenSigned(scope: DiffScope, nums: Set<number>, trailer = true): Set<number> {
  const { doc, signed } = scope;
  const out = new Set<number>();
  if (!nums.size) return out;
  const visit = (o: PdfObject | undefined) => {
    for (const r of collectRefs(o)) if (nums.has(r.num)) out.add(r.num);
  };
  if (trailer) visit(signed.trailer);
  for (const [num, e] of signed.xref) {
    doc.budget.tick();
    if (e.kind !== 'free') visit(doc.getObject(num, signed));
  }
  return out;
}

/**
 * New objects that must not inherit a harmless level: one the signed revision already referred to (a dangling
 * reference filled in changes what signed content shows); one under /DSS that is not in a /DSS position, or not
 * what its slot holds (a certificate, CRL, OCSP response, time-stamp token); and validation data something
 * outside /DSS also refers to.
 */
function restrictNew(
  scope: DiffScope,
  newObjects: Set<number>,
  values: Map<number, PdfObject | undefined>,
  level: Map<number, ModificationLevel>,
  reasons: Map<number, string>,
): void {
  const other = (num: number, reason: string) => {
    level.set(num, 'OTHER');
    reasons.set(num, reason);
  };
  for (const num of referencedWhenSigned(scope, newObjects))
    other(num, 'A reference of the signed revision to a missing object now resolves to it');
  const dss = dssObjects(scope);
  for (const num of dss.all) {
    if (!newObjects.has(num)) continue;
    const l = level.get(num);
    if (l !== undefined && !levelAllowed(l, 'LTA_UPDATES')) continue;
    if (!dss.shaped.has(num)) other(num, 'Under /DSS but not validation data in a /DSS position');
    else if (dss.misfiled.has(num)) other(num, 'Filed under /DSS but not the validation data its slot holds');
  }
  for (const num of referredFromOutside(scope, dss, values))
    if (newObjects.has(num)) other(num, 'Validation data that something outside /DSS refers to');
}

/**
 * The document information dictionary (/Info) a trailer names, written after signing: metadata, an LTA-level
 * update as pyHanko's DocInfoRule has it (Adobe and pyHanko rewrite /ModDate and /Producer when they add a
 * signature or time-stamp). Only a dictionary of direct text, names, numbers and booleans that no signed object
 * refers to qualifies; anything else is OTHER. Undefined: `num` is no /Info (or is also the catalog, AcroForm or
 * a page, judged as such).
 */
function infoChange(
  scope: DiffScope,
  num: number,
  value: PdfObject | undefined,
  sharedWhenSigned: Set<number>,
): { level: ModificationLevel; reason: string } | undefined {
  if (!scope.info.has(num) || num === scope.rootNum || num === scope.acroNum || scope.pageNums.has(num))
    return undefined;
  const plain = (v: PdfObject) =>
    v === null || typeof v === 'boolean' || typeof v === 'number' || v instanceof PdfString || isName(v);
  if (!(value instanceof PdfDict) || ![...value.map.values()].every(plain))
    return { level: 'OTHER', reason: 'A trailer /Info that is no plain document information dictionary' };
  if (sharedWhenSigned.has(num))
    return {
      level: 'OTHER',
      reason: 'A document information dictionary the signed content also uses changed',
    };
  return { level: 'LTA_UPDATES', reason: 'Document information (/Info) updated' };
}

/**
 * The object of the catalog's XMP /Metadata stream when a later revision replaced it as Acrobat and iText do on
 * saving (pyHanko's MetadataUpdateRule): the signed /Metadata is an XMP stream and the final one a plain one
 * ({@link isXmpStream}: well-formed XML, no filter, DOCTYPE or entities), and the final one is either the same
 * object written again — which nothing else of the signed revision refers to — or a new object, whose number the
 * signed revision does not use. Undefined when the stream was not replaced, or not so: /Metadata then stays a
 * change of the document (added, removed, pointed at a signed object, not XML). Whether the replacement is
 * allowed is the policy's `metadataUpdates`.
 */
function xmpReplacement(scope: DiffScope, touched: Set<number>): number | undefined {
  const { doc, signed, last, rootNum } = scope;
  const before = doc.catalog(signed)?.get('Metadata');
  const after = doc.catalog(last)?.get('Metadata');
  if (!(before instanceof PdfRef) || !(after instanceof PdfRef)) return undefined;
  if (!touched.has(rootNum) && !touched.has(after.num)) return undefined;
  if (
    !isXmpStream(doc.resolve(before, signed), doc.budget) ||
    !isXmpStream(doc.resolve(after, last), doc.budget, true)
  )
    return undefined;
  if (after.num === before.num)
    return onlyOwner(scope, after.num, rootNum, 'Metadata') ? after.num : undefined;
  const e = signed.xref.get(after.num);
  return !e || e.kind === 'free' ? after.num : undefined;
}

/** The reason shown for a new object no rule gave one. */
function newReason(scope: DiffScope, num: number): string {
  return scope.xmp?.object === num ? xmpChange(scope.xmp).reason : 'New object';
}

/** An object written after signing whose dictionaries repeat a key: readers disagree on what it says. */
function repeated(v: PdfObject | undefined): { level: ModificationLevel; reason: string } | undefined {
  const keys = repeatedKeys(v);
  if (!keys.length) return undefined;
  const list = [...new Set(keys)].slice(0, 5).map((k) => `/${k}`);
  return {
    level: 'OTHER',
    reason: `Repeats dictionary keys (${list.join(', ')}): readers disagree on its value`,
  };
}

/**
 * Step 11: every object written after `signed` is compared with its signed value and classified
 * (pyHanko's levels). Nothing is allowed unless a rule below whitelists it; an XMP /Metadata replacement only
 * when `metadataUpdates` is `allow`.
 */
export function diffAfter(
  doc: PdfDocument,
  signed: Revision,
  metadataUpdates: 'allow' | 'refuse' = 'refuse',
): DiffResult {
  const changes: Change[] = [];
  if (signed === doc.last) return { level: 'NONE', changes, unreferenced: [] };
  const scope = diffScope(doc, signed);
  const { last } = scope;
  const touched = touchedObjects(doc, signed, last);
  const xmp = xmpReplacement(scope, touched);
  if (xmp !== undefined) scope.xmp = { object: xmp, allowed: metadataUpdates === 'allow' };
  const newRoot = last.trailer.get('Root');
  if (!(newRoot instanceof PdfRef) || newRoot.num !== scope.rootNum)
    changes.push({ object: -1, kind: 'changed', level: 'OTHER', reason: 'The trailer /Root changed' });
  const level = new Map<number, ModificationLevel>();
  const newObjects = new Set<number>();
  const values = new Map<number, PdfObject | undefined>();
  const changedInfo = [...scope.info].filter((n) => touched.has(n) && doc.getObject(n, signed) !== undefined);
  const sharedInfo = referencedWhenSigned(scope, new Set(changedInfo), false);
  for (const num of touched) {
    doc.budget.tick();
    const oldV = doc.getObject(num, signed);
    const e = last.xref.get(num);
    const newV = e && e.kind !== 'free' ? doc.getObject(num, last) : undefined;
    values.set(num, newV);
    if (oldV !== undefined && newV === undefined) {
      const reason = 'An object of the signed revision was deleted or made unreadable';
      changes.push({ object: num, kind: 'deleted', level: 'OTHER', reason });
    } else if (oldV === undefined) {
      if (newV === undefined) continue;
      newObjects.add(num);
      const l = num === scope.xmp?.object ? xmpChange(scope.xmp).level : classifyNew(scope, num, newV);
      if (l) level.set(num, l);
    } else if (generation(signed, num) !== generation(last, num)) {
      const reason = "A signed object's generation changed: the signed references to it no longer resolve";
      level.set(num, 'OTHER');
      changes.push({ object: num, kind: 'changed', level: 'OTHER', reason });
    } else if (!pdfEquals(oldV, newV)) {
      const c =
        repeated(newV) ??
        (num === scope.xmp?.object ? xmpChange(scope.xmp) : undefined) ??
        infoChange(scope, num, newV, sharedInfo) ??
        listChange(scope, num, oldV, newV) ??
        classifyChanged(scope, num, dictOf(oldV), dictOf(newV));
      level.set(num, c.level);
      changes.push({ object: num, kind: 'changed', ...c });
    }
  }
  inheritLevels(scope, touched, newObjects, values, level);
  const reasons = new Map<number, string>();
  for (const num of newObjects) {
    const fixed = repeated(values.get(num)) ?? infoChange(scope, num, values.get(num), new Set());
    if (!fixed) continue;
    const l = maxLevel(level.get(num) ?? fixed.level, fixed.level);
    level.set(num, l);
    if (l === fixed.level) reasons.set(num, fixed.reason);
  }
  restrictNew(scope, newObjects, values, level, reasons);
  const unreferenced: number[] = [];
  for (const num of newObjects) {
    const l = level.get(num);
    // An update's own xref stream and the object streams its entries point into are how it is written (pyHanko,
    // iText, Acrobat keep an xref-stream or hybrid file's style), not appended content: what they hold is
    // compared object by object above.
    if (l === undefined && doc.isCrossReferenceObject(num, last, signed.index)) continue;
    if (l === undefined) unreferenced.push(num);
    else
      changes.push({ object: num, kind: 'new', level: l, reason: reasons.get(num) ?? newReason(scope, num) });
  }
  let overall: ModificationLevel = 'NONE';
  for (const c of changes) overall = maxLevel(overall, c.level);
  return { level: overall, changes, unreferenced, ...(scope.xmp ? { xmpReplaced: scope.xmp } : {}) };
}

/**
 * A change to the AcroForm dictionary: new signature fields at the end of /Fields (by what each is), /SigFlags,
 * the default /DA and /NeedAppearances as form filling, and /DR only when it adds resource names (a resource
 * redefined under its old name changes how viewers redraw filled-in fields: OTHER). Anything else is OTHER.
 */
function acroFormLevel(
  scope: DiffScope,
  oldD: PdfDict | undefined,
  newD: PdfDict | undefined,
): ModificationLevel {
  const { doc, signed, last } = scope;
  if (!newD) return 'OTHER';
  if (!oldD) {
    const fields = doc.resolve(newD.get('Fields'), last);
    let l: ModificationLevel = 'NONE';
    for (const f of Array.isArray(fields) ? fields : [])
      l = maxLevel(l, f instanceof PdfRef ? newFieldLevel(scope, f) : 'OTHER');
    return l;
  }
  let l: ModificationLevel = 'NONE';
  for (const k of changedKeys(oldD, newD)) {
    if (k === 'SigFlags') l = maxLevel(l, 'LTA_UPDATES');
    else if (k === 'Fields') {
      const added = isPrefixExtension(oldD.get('Fields'), newD.get('Fields'));
      if (!added) return 'OTHER';
      for (const f of added) l = maxLevel(l, f instanceof PdfRef ? newFieldLevel(scope, f) : 'OTHER');
    } else if (k === 'DR') {
      if (resourceChanges(doc, signed, last, oldD.get('DR'), newD.get('DR')).redefined.length) return 'OTHER';
      l = maxLevel(l, 'FORM_FILLING');
    } else if (k === 'DA' || k === 'NeedAppearances') l = maxLevel(l, 'FORM_FILLING');
    else return 'OTHER';
  }
  return l;
}

function newFieldLevel(scope: DiffScope, ref: PdfRef): ModificationLevel {
  const d = dictOf(scope.doc.getObject(ref.num, scope.last));
  if (!d || !isName(d.get('FT'), 'Sig')) return 'OTHER';
  if (d.has('Subtype') && !isName(d.get('Subtype'), 'Widget')) return 'OTHER';
  return signatureFieldLevel(scope, d);
}

function collectPages(doc: PdfDocument, rev: Revision, out: Set<number>): void {
  const catalog = doc.catalog(rev);
  const stack: { ref: PdfObject | undefined; depth: number }[] = [{ ref: catalog?.get('Pages'), depth: 0 }];
  while (stack.length) {
    const { ref, depth } = stack.pop()!;
    if (!(ref instanceof PdfRef) || out.has(ref.num) || depth > 64 || out.size > 100_000) continue;
    out.add(ref.num);
    const d = dictOf(doc.getObject(ref.num, rev));
    const kids = d ? doc.resolve(d.get('Kids'), rev) : undefined;
    if (Array.isArray(kids)) for (const k of kids) stack.push({ ref: k, depth: depth + 1 });
  }
}

/** What the check says of an XMP replacement: a warning when allowed, the reason of the failure when not. */
function xmpNotes(diff: DiffResult): { warnings: string[]; why: string } {
  const xmp = diff.xmpReplaced;
  if (!xmp) return { warnings: [], why: '' };
  if (!xmp.allowed) return { warnings: [], why: `: ${xmpChange(xmp).reason}` };
  const note = `${XMP_REPLACED} (an LTA-level update the policy allows): its values are not covered by this signature`;
  return { warnings: [note], why: '' };
}

/**
 * Step 11's verdict: what changed after the signed revision against what is allowed — security updates only under
 * a policy that says so, else by the certification level (P=1 none, P=2 form filling, P=3 or none: annotations); structural
 * anomalies after signing always fail, and so, under `security-updates` (or with `refuseUnreferenced`, for a
 * signature before the last under such a policy), do appended objects nothing refers to. An XMP /Metadata
 * replacement is an LTA-level update, named in a warning, only when `metadataUpdates` is `allow`.
 */
export function modificationsCheck(
  doc: PdfDocument,
  signed: Revision,
  policy: 'security-updates' | 1 | 2 | 3 | undefined,
  refuseUnreferenced = policy === 'security-updates',
  metadataUpdates: 'allow' | 'refuse' = 'refuse',
): { result: CheckResult; level: ModificationLevel } {
  const diff = diffAfter(doc, signed, metadataUpdates);
  const xmp = xmpNotes(diff);
  // Anomalies of later revisions, and bytes after the signed revision that no revision accounts for.
  const later = doc.anomalies.filter((a) =>
    a.revision !== undefined
      ? a.revision > signed.index &&
        (a.severity === 'error' || a.code === 'UNLISTED_OBJECT' || a.code === 'DUPLICATE_KEY')
      : a.severity === 'error' && a.offset !== undefined && a.offset >= signed.end,
  );
  const allowed: ModificationLevel =
    policy === 'security-updates' || policy === 1
      ? 'LTA_UPDATES'
      : policy === 2
        ? 'FORM_FILLING'
        : 'ANNOTATIONS';
  const evidence = {
    level: diff.level,
    allowed,
    changes: diff.changes.slice(0, 50),
    unreferencedNew: diff.unreferenced,
  };
  const fail = (message: string) => ({
    result: failed('modifications', 'FORMAT_FAILURE', message, { evidence, warnings: xmp.warnings }),
    level: diff.level,
  });
  if (!levelAllowed(diff.level, allowed))
    return fail(`Disallowed changes after signing (${diff.level}; policy allows ${allowed})${xmp.why}`);
  if (later.length) return fail(`Structural anomalies after signing: ${later.map((a) => a.code).join(', ')}`);
  if (refuseUnreferenced && diff.unreferenced.length)
    return fail('Objects appended after signing that nothing refers to');
  const message =
    diff.level === 'NONE' ? 'No changes after signing' : `Only allowed changes after signing (${diff.level})`;
  const warnings = diff.unreferenced.length
    ? [`${diff.unreferenced.length} unreferenced object(s) appended`, ...xmp.warnings]
    : xmp.warnings;
  return { result: check('modifications', 'PASSED', message, { warnings, evidence }), level: diff.level };
}
