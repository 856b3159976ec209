import type { PdfDocument, Revision } from '../pdf/document.js';
import { dictOf, isName, type PdfDict, type PdfObject, PdfRef, PdfString } from '../pdf/objects.js';
import type { FoundSignature } from './context.js';
import { transformParams } from './docmdp.js';
import { resourceChanges, sameAcross } from './form-resources.js';
import { type CheckResult, failed } from './report.js';

/** One FieldMDP lock (PDF 32000-1 §12.8.2.4, and a signed field's /Lock, §12.7.4.5): which fields it locks. */
export interface FieldLock {
  action: 'All' | 'Include' | 'Exclude';
  fields: string[];
  source: 'Reference' | 'Lock';
}

/** A terminal form field of one revision: its dictionaries from the top one down (for inheritance), and widgets. */
interface FormField {
  num: number;
  chain: PdfDict[];
  widgets: PdfDict[];
}

/** Field keys whose (inherited) value a lock keeps, and the widget keys that show it. */
const FIELD_KEYS = ['FT', 'Ff', 'V', 'DV', 'Opt', 'MaxLen'];
const WIDGET_KEYS = ['AP', 'AS', 'F', 'Rect', 'MK'];
const MAX_FIELDS = 10_000;

/** A lock or transform-parameters dictionary read as a lock; an unknown /Action locks everything. */
function lockOf(doc: PdfDocument, d: PdfDict, rev: Revision, source: FieldLock['source']): FieldLock {
  const a = d.get('Action');
  const action = isName(a, 'Include') || isName(a, 'Exclude') ? a.name : 'All';
  const list = doc.resolve(d.get('Fields'), rev);
  const fields: string[] = [];
  for (const f of Array.isArray(list) ? list : []) {
    const s = doc.resolve(f, rev);
    if (s instanceof PdfString) fields.push(s.text());
  }
  return { action: action as FieldLock['action'], fields, source };
}

/** Every terminal field of `rev` by fully qualified name (the first of a name wins). */
function formFields(doc: PdfDocument, rev: Revision): Map<string, FormField> {
  const out = new Map<string, FormField>();
  const visited = new Set<number>();
  const walk = (items: PdfObject | undefined, parent: string, chain: PdfDict[], depth: number): void => {
    if (!Array.isArray(items) || depth > 32) return;
    for (const item of items) {
      if (!(item instanceof PdfRef) || visited.has(item.num) || visited.size > MAX_FIELDS) continue;
      visited.add(item.num);
      const d = dictOf(doc.getObject(item.num, rev));
      if (!d) continue;
      const t = d.get('T');
      const partial = t instanceof PdfString ? t.text() : '';
      const name = parent && partial ? `${parent}.${partial}` : partial || parent;
      const kids = doc.resolve(d.get('Kids'), rev);
      const kidDicts = (Array.isArray(kids) ? kids : []).map((k) => dictOf(doc.resolve(k, rev)));
      if (kidDicts.some((k) => k?.has('T'))) walk(kids, name, [...chain, d], depth + 1);
      else if (!out.has(name)) {
        const widgets = kidDicts.length ? kidDicts.filter((k): k is PdfDict => k !== undefined) : [d];
        out.set(name, { num: item.num, chain: [...chain, d], widgets });
      }
    }
  };
  const acro = dictOf(doc.resolve(doc.catalog(rev)?.get('AcroForm'), rev));
  walk(acro ? doc.resolve(acro.get('Fields'), rev) : undefined, '', [], 0);
  return out;
}

/**
 * The locks of signature `s` as of its revision: the FieldMDP transforms of its signature dictionary, and the
 * /Lock of the field it signed (which applies once that field is signed, so from this signature on).
 */
export function fieldLocks(doc: PdfDocument, s: FoundSignature, signed: Revision): FieldLock[] {
  const sig = (s.sigRef && dictOf(doc.getObject(s.sigRef.num, signed))) || s.sig;
  const locks = transformParams(doc, sig, 'FieldMDP', signed).map((tp) =>
    lockOf(doc, tp, signed, 'Reference'),
  );
  for (const f of formFields(doc, signed).values()) {
    const field = f.chain[f.chain.length - 1]!;
    const v = field.get('V');
    const signs = v instanceof PdfRef ? v.num === s.sigRef?.num : f.num === s.containerNum;
    const lock = signs ? dictOf(doc.resolve(field.get('Lock'), signed)) : undefined;
    if (lock) locks.push(lockOf(doc, lock, signed, 'Lock'));
  }
  return locks;
}

const names = (list: string[], field: string) => list.some((n) => field === n || field.startsWith(`${n}.`));

/** True when one of `locks` covers the field `name` (a listed parent name covers its descendants). */
export function isLocked(locks: FieldLock[], name: string): boolean {
  return locks.some((l) =>
    l.action === 'All' ? true : l.action === 'Include' ? names(l.fields, name) : !names(l.fields, name),
  );
}

function inherited(chain: PdfDict[], key: string): PdfObject | undefined {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.has(key)) return chain[i]!.get(key);
  return undefined;
}

/**
 * What the form as a whole changed between two revisions that viewers use to draw text and choice fields: /DR
 * resources removed or redefined under their old names, fonts added to it, the default /DA and /Q, and
 * /NeedAppearances turned on (viewers then regenerate every field's appearance from /V, /DA and /DR instead of
 * showing the signed one).
 */
interface FormChange {
  redefined: string[];
  addedFonts: Set<string>;
  /** The AcroForm's /DA as of the later revision (what a field without its own inherits). */
  defaultDa: PdfObject | undefined;
  da: boolean;
  q: boolean;
  needAppearances: boolean;
}

function formChange(
  doc: PdfDocument,
  signed: Revision,
  rev: Revision,
  same: (x?: PdfObject, y?: PdfObject) => boolean,
): FormChange {
  const acroOf = (r: Revision) => dictOf(doc.resolve(doc.catalog(r)?.get('AcroForm'), r));
  const a = acroOf(signed);
  const b = acroOf(rev);
  const dr = resourceChanges(doc, signed, rev, a?.get('DR'), b?.get('DR'));
  const fonts = dr.added.filter((n) => n.startsWith('/Font/')).map((n) => n.slice('/Font/'.length));
  return {
    redefined: dr.redefined,
    addedFonts: new Set(fonts),
    defaultDa: doc.resolve(b?.get('DA'), rev),
    da: !same(a?.get('DA'), b?.get('DA')),
    q: !same(a?.get('Q'), b?.get('Q')),
    needAppearances:
      doc.resolve(b?.get('NeedAppearances'), rev) === true &&
      doc.resolve(a?.get('NeedAppearances'), signed) !== true,
  };
}

/** Whether the field sets `key` itself (on a field of its chain, or on every widget) rather than take the form's. */
function ownsKey(f: FormField, key: string): boolean {
  return (
    inherited(f.chain, key) !== undefined || (f.widgets.length > 0 && f.widgets.every((w) => w.has(key)))
  );
}

/** The font resource name a default appearance string selects (`/Helv 12 Tf`). */
function daFont(da: PdfObject | undefined): string | undefined {
  if (!(da instanceof PdfString)) return undefined;
  return /\/([^\s/<>[\]()%{}]+)\s+[-+.\d]+\s+Tf/.exec(Buffer.from(da.bytes).toString('latin1'))?.[1];
}

/** How a form-wide change reaches a locked text or choice field, or undefined when it does not. */
function formChangeOf(form: FormChange, field: FormField): string | undefined {
  const ft = inherited(field.chain, 'FT');
  if (!isName(ft, 'Tx') && !isName(ft, 'Ch')) return undefined;
  if (form.redefined.length) return `AcroForm /DR redefined ${form.redefined.slice(0, 3).join(', ')}`;
  const font = daFont(inherited(field.chain, 'DA') ?? field.widgets[0]?.get('DA') ?? form.defaultDa);
  if (font && form.addedFonts.has(font)) return `AcroForm /DR gained the font /${font} the field's /DA names`;
  if (form.needAppearances) return 'AcroForm /NeedAppearances set: viewers redraw the field';
  if (form.da && !ownsKey(field, 'DA')) return 'AcroForm /DA (which the field inherits) changed';
  if (form.q && !ownsKey(field, 'Q')) return 'AcroForm /Q (which the field inherits) changed';
  return undefined;
}

/** What changed in a locked field between two revisions, or undefined when nothing did. */
function fieldChange(
  same: (x?: PdfObject, y?: PdfObject) => boolean,
  before: FormField,
  after: FormField | undefined,
  form: FormChange,
): string | undefined {
  if (!after) return 'removed or renamed';
  for (const k of FIELD_KEYS)
    if (!same(inherited(before.chain, k), inherited(after.chain, k))) return `/${k} changed`;
  if (before.widgets.length !== after.widgets.length) return 'widgets added or removed';
  for (let i = 0; i < before.widgets.length; i++)
    for (const k of WIDGET_KEYS)
      if (!same(before.widgets[i]!.get(k), after.widgets[i]!.get(k))) return `widget /${k} changed`;
  return formChangeOf(form, after);
}

/** Each locked field changed in a revision after `signed`, with the first revision and what changed. */
export function lockedFieldChanges(
  doc: PdfDocument,
  signed: Revision,
  locks: FieldLock[],
): { field: string; revision: number; change: string }[] {
  const locked = [...formFields(doc, signed)].filter(([name]) => isLocked(locks, name));
  const out: { field: string; revision: number; change: string }[] = [];
  for (const rev of doc.revisions) {
    if (rev.index <= signed.index || !locked.length) continue;
    doc.budget.tick();
    const now = formFields(doc, rev);
    const same = sameAcross(doc, signed, rev);
    const form = formChange(doc, signed, rev, same);
    for (const [name, before] of locked) {
      if (out.some((o) => o.field === name)) continue;
      const change = fieldChange(same, before, now.get(name), form);
      if (change) out.push({ field: name, revision: rev.index, change });
    }
  }
  return out;
}

/**
 * Step 11, FieldMDP: fields the signature locked must stay as signed in every later revision, whatever DocMDP
 * allows for other fields. A passed modifications check fails (as a DocMDP violation does) when one changed.
 */
export function withFieldLocks(
  doc: PdfDocument,
  s: FoundSignature,
  signed: Revision,
  result: CheckResult,
): CheckResult {
  if (result.status === 'FAILED') return result;
  const locks = fieldLocks(doc, s, signed);
  if (!locks.length) return result;
  const changes = lockedFieldChanges(doc, signed, locks);
  const evidence = { ...result.evidence, fieldLocks: locks };
  if (!changes.length) return { ...result, evidence };
  const list = changes.map((c) => `${c.field} (${c.change})`).join(', ');
  return failed(
    'modifications',
    'FORMAT_FAILURE',
    `Fields locked by the signature changed after signing: ${list}`,
    {
      warnings: result.warnings,
      evidence: { ...evidence, lockedFieldChanges: changes },
    },
  );
}
