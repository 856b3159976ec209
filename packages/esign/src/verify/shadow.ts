import type { PdfDocument, Revision } from '../pdf/document.js';
import { collectRefs, dictOf, isName, PdfDict, type PdfObject, PdfRef, PdfStream } from '../pdf/objects.js';
import { type CheckResult, check, indeterminate } from './report.js';

export interface ShadowSignals {
  unreferenced: number[];
  hiddenOcgs: number;
  hiddenAnnotations: number[];
  overlayWidgets: number[];
  /** Objects referred to but missing, free or unreadable: a later update can fill them in. */
  danglingReferences: number[];
  javascript: boolean;
  /** The other actions policies weigh with JavaScript (`Launch`, `SubmitForm`, `ImportData`), sorted. */
  actions: string[];
}

/** Actions that reach outside the document, weighed with JavaScript by the policy's `javaScript`. */
const ACTIVE_ACTIONS = new Set(['Launch', 'SubmitForm', 'ImportData']);

/**
 * Marks in `found` the JavaScript (/S /JavaScript, or a /JS entry) and the active actions in `o` and its direct
 * values: an inline /OpenAction, an annotation's /A, every /AA entry, a /Next chain and the /Names /JavaScript tree
 * are all dictionaries within dictionaries. References are followed by the caller (each object once).
 */
function activeContent(o: PdfObject | undefined, found: Set<string>, depth = 0): void {
  if (depth > 32 || o === null || o === undefined || typeof o !== 'object') return;
  if (Array.isArray(o)) {
    for (const v of o) activeContent(v, found, depth + 1);
    return;
  }
  const d = o instanceof PdfStream ? o.dict : o instanceof PdfDict ? o : undefined;
  if (!d) return;
  const s = d.get('S');
  const action = !d.has('Type') || isName(d.get('Type'), 'Action');
  if (d.has('JS') || isName(s, 'JavaScript')) found.add('JavaScript');
  else if (action && isName(s) && ACTIVE_ACTIONS.has(s.name)) found.add(s.name);
  for (const v of d.map.values()) activeContent(v, found, depth + 1);
}

/**
 * Step 12: material prepared in the signed revision that a later update could reveal (shadow attacks):
 * objects nothing refers to, content groups switched off, hidden annotations, non-signature widgets,
 * references to objects that do not exist (yet).
 */
export function shadowSignals(doc: PdfDocument, rev: Revision): ShadowSignals {
  const reachable = new Set<number>();
  const stack: PdfObject[] = [rev.trailer.get('Root') ?? null, rev.trailer.get('Info') ?? null];
  const hiddenAnnotations: number[] = [];
  const overlayWidgets: number[] = [];
  const danglingReferences: number[] = [];
  const active = new Set<string>();
  while (stack.length) {
    doc.budget.tick();
    const o = stack.pop();
    for (const r of collectRefs(o ?? null)) {
      if (reachable.has(r.num) || reachable.size > doc.budget.limits.maxObjects) continue;
      reachable.add(r.num);
      const v = doc.getObject(r.num, rev);
      if (v === undefined) {
        danglingReferences.push(r.num);
        continue;
      }
      activeContent(v, active);
      const d = dictOf(v);
      if (d) {
        const sub = d.get('Subtype');
        const f = d.get('F');
        if (d.has('Rect') && isName(sub) && typeof f === 'number' && (f & 2 || f & 32))
          hiddenAnnotations.push(r.num);
        if (isName(sub, 'Widget') && !isName(d.get('FT'), 'Sig') && !isSigKid(doc, d.get('Parent'), rev))
          overlayWidgets.push(r.num);
      }
      stack.push(v instanceof PdfStream ? v.dict : v);
    }
  }
  const unreferenced: number[] = [];
  const linearization = linearizationObjects(doc, rev);
  for (const [num, e] of rev.xref) {
    if (num === 0 || e.kind === 'free' || reachable.has(num) || linearization.has(num)) continue;
    const v = doc.getObject(num, rev);
    const d = dictOf(v);
    if (d && (isName(d.get('Type'), 'XRef') || isName(d.get('Type'), 'ObjStm'))) continue;
    unreferenced.push(num);
  }
  const catalog = doc.catalog(rev);
  const ocp = dictOf(doc.resolve(catalog?.get('OCProperties'), rev));
  const d = dictOf(doc.resolve(ocp?.get('D'), rev));
  const off = doc.resolve(d?.get('OFF'), rev);
  const names = dictOf(doc.resolve(catalog?.get('Names'), rev));
  if (names?.has('JavaScript') || catalog?.has('AA')) active.add('JavaScript');
  return {
    unreferenced,
    hiddenOcgs: Array.isArray(off) ? off.length : 0,
    hiddenAnnotations,
    overlayWidgets,
    danglingReferences,
    javascript: active.has('JavaScript'),
    actions: [...active].filter((a) => a !== 'JavaScript').sort(),
  };
}

/** Only the header line and its binary-marker comment may come before a linearization dictionary. */
const HEADER_ONLY = /^%PDF-\d\.\d[ \t]*\r?\n?(%[^\r\n]*\r?\n?)?[ \t\r\n]*$/;

/**
 * The linearization parameter dictionary and the primary hint stream (PDF 32000-1 Annex F), which nothing
 * refers to by reference: structural, as XRef and ObjStm are. Only as the first revision defines them, unchanged
 * in `rev`: the dictionary must be the file's first object (nothing but the header before it) and the hint stream
 * the object starting at the dictionary's /H offset. A /Linearized dictionary anywhere else, or another stream,
 * stays unreferenced.
 */
function linearizationObjects(doc: PdfDocument, rev: Revision): Set<number> {
  const out = new Set<number>();
  const first = doc.revisions[0];
  if (!first) return out;
  const unchanged = (num: number) => {
    const a = first.xref.get(num);
    const b = rev.xref.get(num);
    return a?.kind === 'offset' && b?.kind === 'offset' && a.offset === b.offset && a.gen === b.gen;
  };
  let lin: { num: number; offset: number } | undefined;
  for (const [num, e] of first.xref)
    if (e.kind === 'offset' && (!lin || e.offset < lin.offset)) lin = { num, offset: e.offset };
  if (!lin || !unchanged(lin.num)) return out;
  const head = new TextDecoder('latin1').decode(doc.bytes.subarray(0, Math.min(lin.offset, 1024)));
  if (lin.offset > 1024 || !HEADER_ONLY.test(head)) return out;
  const d = doc.getObject(lin.num, first);
  if (!(d instanceof PdfDict) || typeof d.get('Linearized') !== 'number') return out;
  out.add(lin.num);
  const h = d.get('H');
  const at = Array.isArray(h) ? h[0] : undefined;
  if (typeof at !== 'number') return out;
  for (const [num, e] of first.xref)
    if (
      e.kind === 'offset' &&
      e.offset === at &&
      unchanged(num) &&
      doc.getObject(num, first) instanceof PdfStream
    )
      out.add(num);
  return out;
}

function isSigKid(doc: PdfDocument, parent: PdfObject | undefined, rev: Revision): boolean {
  if (!(parent instanceof PdfRef)) return false;
  return isName(dictOf(doc.getObject(parent.num, rev))?.get('FT'), 'Sig');
}

/** Step 12's verdict: shadow-attack signals are refused (`refuse`) or reported as warnings. */
export function shadowCheck(doc: PdfDocument, signed: Revision, refuse: boolean): CheckResult {
  const sig = shadowSignals(doc, signed);
  const signals: string[] = [];
  if (sig.unreferenced.length)
    signals.push(`${sig.unreferenced.length} unreferenced object(s) in the signed revision`);
  if (sig.hiddenOcgs) signals.push(`${sig.hiddenOcgs} optional content group(s) switched off`);
  if (sig.hiddenAnnotations.length) signals.push(`${sig.hiddenAnnotations.length} hidden annotation(s)`);
  if (sig.overlayWidgets.length)
    signals.push(`${sig.overlayWidgets.length} non-signature form widget(s) (possible overlay)`);
  // Not refused: PDF 32000-1 §7.3.10 reads a reference to a missing object as null, and writers leave them.
  // Filling one in after signing is what an attacker needs, and the modification check fails that.
  const notes = sig.danglingReferences.length
    ? [`${sig.danglingReferences.length} reference(s) to missing or free object(s)`]
    : [];
  if (signals.length && refuse)
    return indeterminate(
      'shadow-signals',
      'SIG_CONSTRAINTS_FAILURE',
      `Shadow-attack signals: ${signals.join('; ')}`,
      {
        evidence: { ...sig },
      },
    );
  return check(
    'shadow-signals',
    'PASSED',
    signals.length + notes.length ? 'Shadow-attack signals (warnings)' : 'No shadow-attack signals',
    {
      warnings: [...signals, ...notes],
    },
  );
}
