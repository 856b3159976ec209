import type { PdfDocument, Revision } from '../pdf/document.js';
import { collectRefs, dictOf, isName, PdfDict, type PdfObject, PdfRef, pdfEquals } from '../pdf/objects.js';
import { type CheckResult, check, failed, type ModificationLevel } from './report.js';

const RANK: Record<ModificationLevel, number> = {
  NONE: 0,
  LTA_UPDATES: 1,
  FORM_FILLING: 2,
  ANNOTATIONS: 3,
  OTHER: 4,
};

export function maxLevel(a: ModificationLevel, b: ModificationLevel): ModificationLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

export function levelAllowed(level: ModificationLevel, allowed: ModificationLevel): boolean {
  return RANK[level] <= RANK[allowed];
}

export interface Change {
  object: number;
  kind: 'new' | 'changed' | 'deleted';
  level: ModificationLevel;
  reason: string;
}

export interface DiffResult {
  level: ModificationLevel;
  changes: Change[];
  /** New objects no changed object refers to (harmless to a conforming reader, a signal for a reconstructing one). */
  unreferenced: number[];
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

const ZERO_RECT = (r: PdfObject | undefined) =>
  Array.isArray(r) && r.length === 4 && typeof r[0] === 'number' && r[0] === r[2] && r[1] === r[3];

/**
 * Step 11: every object written after `signed` is compared with its signed value and classified
 * (pyHanko's levels). Nothing is allowed unless a rule below whitelists it.
 */
export function diffAfter(doc: PdfDocument, signed: Revision): DiffResult {
  const last = doc.last;
  const changes: Change[] = [];
  if (signed === last) return { level: 'NONE', changes, unreferenced: [] };
  const touched = new Set<number>();
  for (const r of doc.revisions)
    if (r.index > signed.index) for (const k of r.own.keys()) if (k !== 0) touched.add(k);
  const oldCatalogRef = signed.trailer.get('Root');
  const newCatalogRef = last.trailer.get('Root');
  const level = new Map<number, ModificationLevel>();
  const newObjects = new Set<number>();
  const values = new Map<number, PdfObject | undefined>();
  const rootNum = oldCatalogRef instanceof PdfRef ? oldCatalogRef.num : -1;
  if (!(newCatalogRef instanceof PdfRef) || newCatalogRef.num !== rootNum) {
    changes.push({ object: -1, kind: 'changed', level: 'OTHER', reason: 'The trailer /Root changed' });
  }
  const oldCatalog = doc.catalog(signed);
  const acroRef = oldCatalog?.get('AcroForm');
  const acroNum = acroRef instanceof PdfRef ? acroRef.num : -1;
  const pageNums = new Set<number>();
  collectPages(doc, signed, pageNums);

  const classifyNew = (_num: number, v: PdfObject | undefined): ModificationLevel | undefined => {
    const d = dictOf(v);
    if (!d) return undefined;
    const type = d.get('Type');
    const sub = d.get('SubFilter');
    if (isName(type, 'DocTimeStamp') || isName(sub, 'ETSI.RFC3161')) return 'LTA_UPDATES';
    if (isName(type, 'Sig')) return 'FORM_FILLING';
    if (isName(d.get('FT'), 'Sig')) {
      const sigv = doc.resolve(d.get('V'), last);
      const sd = dictOf(sigv);
      const ts =
        sd && (isName(sd.get('Type'), 'DocTimeStamp') || isName(sd.get('SubFilter'), 'ETSI.RFC3161'));
      return ts && ZERO_RECT(d.get('Rect')) ? 'LTA_UPDATES' : 'FORM_FILLING';
    }
    if (isName(d.get('Subtype'), 'Widget')) return 'OTHER';
    if (isName(type, 'Annot') || (d.has('Subtype') && d.has('Rect'))) return 'ANNOTATIONS';
    if (
      isName(type, 'Page') ||
      isName(type, 'Pages') ||
      isName(type, 'Catalog') ||
      isName(type, 'Filespec') ||
      isName(type, 'EmbeddedFile') ||
      isName(type, 'Metadata')
    )
      return 'OTHER';
    return undefined;
  };

  for (const num of touched) {
    doc.budget.tick();
    const oldV = doc.getObject(num, signed);
    const e = last.xref.get(num);
    const newV = e && e.kind !== 'free' ? doc.getObject(num, last) : undefined;
    values.set(num, newV);
    if (oldV !== undefined && newV === undefined) {
      changes.push({
        object: num,
        kind: 'deleted',
        level: 'OTHER',
        reason: 'An object of the signed revision was deleted or made unreadable',
      });
      continue;
    }
    if (oldV === undefined) {
      if (newV === undefined) continue;
      newObjects.add(num);
      const l = classifyNew(num, newV);
      if (l) level.set(num, l);
      continue;
    }
    if (pdfEquals(oldV, newV)) continue;
    const oldD = dictOf(oldV);
    const newD = dictOf(newV);
    let l: ModificationLevel = 'OTHER';
    let reason = 'A signed object was changed';
    if (num === rootNum && oldD instanceof PdfDict && newD instanceof PdfDict) {
      const keys = changedKeys(oldD, newD);
      l = 'NONE';
      for (const k of keys) {
        if (k === 'DSS') l = maxLevel(l, 'LTA_UPDATES');
        else if (k === 'AcroForm' && acroNum === -1)
          l = maxLevel(
            l,
            acroFormLevel(
              doc,
              dictOf(doc.resolve(oldD.get(k), signed)),
              dictOf(doc.resolve(newD.get(k), last)),
              last,
            ),
          );
        else l = 'OTHER';
      }
      reason = `Catalog keys changed: ${keys.join(', ')}`;
    } else if (num === acroNum && oldD && newD) {
      l = acroFormLevel(doc, oldD, newD, last);
      reason = `AcroForm keys changed: ${changedKeys(oldD, newD).join(', ')}`;
    } else if (pageNums.has(num) && oldD && newD) {
      const keys = changedKeys(oldD, newD);
      const added =
        keys.length === 1 && keys[0] === 'Annots'
          ? isPrefixExtension(doc.resolve(oldD.get('Annots'), signed), doc.resolve(newD.get('Annots'), last))
          : undefined;
      if (added) {
        l = 'NONE';
        for (const a of added)
          l = maxLevel(
            l,
            a instanceof PdfRef ? (classifyNew(a.num, doc.getObject(a.num, last)) ?? 'OTHER') : 'OTHER',
          );
        reason = `Annotations added to a page (${added.length})`;
      } else reason = `Page keys changed: ${keys.join(', ')}`;
    } else if (oldD && newD && isName(oldD.get('FT')) && !isName(oldD.get('FT'), 'Sig')) {
      const keys = changedKeys(oldD, newD);
      if (keys.every((k) => k === 'V' || k === 'AS' || k === 'AP')) {
        l = 'FORM_FILLING';
        reason = 'A form field value was filled in';
      }
    } else if (oldD && newD && isName(oldD.get('FT'), 'Sig') && !oldD.has('V')) {
      const keys = changedKeys(oldD, newD);
      if (keys.every((k) => k === 'V' || k === 'AP')) {
        l = 'FORM_FILLING';
        reason = 'An empty signature field was signed';
      }
    }
    level.set(num, l);
    changes.push({ object: num, kind: 'changed', level: l, reason });
  }
  // New objects without a type of their own inherit the level of what refers to them.
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
      if (level.has(num) && classifyNew(num, values.get(num))) continue;
      const ps = parents.get(num) ?? [];
      let l: ModificationLevel | undefined;
      for (const p of ps) {
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
  const unreferenced: number[] = [];
  for (const num of newObjects) {
    const l = level.get(num);
    if (l === undefined) {
      unreferenced.push(num);
      continue;
    }
    changes.push({ object: num, kind: 'new', level: l, reason: 'New object' });
  }
  let overall: ModificationLevel = 'NONE';
  for (const c of changes) overall = maxLevel(overall, c.level);
  return { level: overall, changes, unreferenced };
}

function acroFormLevel(
  doc: PdfDocument,
  oldD: PdfDict | undefined,
  newD: PdfDict | undefined,
  last: Revision,
): ModificationLevel {
  if (!newD) return 'OTHER';
  if (!oldD) {
    const fields = doc.resolve(newD.get('Fields'), last);
    let l: ModificationLevel = 'NONE';
    for (const f of Array.isArray(fields) ? fields : [])
      l = maxLevel(l, f instanceof PdfRef ? newFieldLevel(doc, f, last) : 'OTHER');
    return l;
  }
  let l: ModificationLevel = 'NONE';
  for (const k of changedKeys(oldD, newD)) {
    if (k === 'SigFlags') l = maxLevel(l, 'LTA_UPDATES');
    else if (k === 'Fields') {
      const added = isPrefixExtension(oldD.get('Fields'), newD.get('Fields'));
      if (!added) return 'OTHER';
      for (const f of added) l = maxLevel(l, f instanceof PdfRef ? newFieldLevel(doc, f, last) : 'OTHER');
    } else if (k === 'DR' || k === 'DA' || k === 'NeedAppearances') l = maxLevel(l, 'FORM_FILLING');
    else return 'OTHER';
  }
  return l;
}

function newFieldLevel(doc: PdfDocument, ref: PdfRef, last: Revision): ModificationLevel {
  const d = dictOf(doc.getObject(ref.num, last));
  if (!d || !isName(d.get('FT'), 'Sig')) return 'OTHER';
  const sd = dictOf(doc.resolve(d.get('V'), last));
  const ts = sd && (isName(sd.get('Type'), 'DocTimeStamp') || isName(sd.get('SubFilter'), 'ETSI.RFC3161'));
  return ts && ZERO_RECT(d.get('Rect')) ? 'LTA_UPDATES' : 'FORM_FILLING';
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

/**
 * Step 11's verdict: what changed after the signed revision against what is allowed — security updates only for a
 * transcript, else by the certification level (P=1 none, P=2 form filling, P=3 or none: annotations); structural
 * anomalies after signing always fail, and so, for a transcript, do appended objects nothing refers to.
 */
export function modificationsCheck(
  doc: PdfDocument,
  signed: Revision,
  policy: 'transcript' | 1 | 2 | 3 | undefined,
): { result: CheckResult; level: ModificationLevel } {
  const diff = diffAfter(doc, signed);
  const later = doc.anomalies.filter(
    (a) =>
      a.revision !== undefined &&
      a.revision > signed.index &&
      (a.severity === 'error' || a.code === 'UNLISTED_OBJECT'),
  );
  const allowed: ModificationLevel =
    policy === 'transcript' || policy === 1 ? 'LTA_UPDATES' : policy === 2 ? 'FORM_FILLING' : 'ANNOTATIONS';
  const evidence = {
    level: diff.level,
    allowed,
    changes: diff.changes.slice(0, 50),
    unreferencedNew: diff.unreferenced,
  };
  const fail = (message: string) => ({
    result: failed('modifications', 'FORMAT_FAILURE', message, { evidence }),
    level: diff.level,
  });
  if (!levelAllowed(diff.level, allowed))
    return fail(`Disallowed changes after signing (${diff.level}; policy allows ${allowed})`);
  if (later.length) return fail(`Structural anomalies after signing: ${later.map((a) => a.code).join(', ')}`);
  if (policy === 'transcript' && diff.unreferenced.length)
    return fail('Objects appended after signing that nothing refers to');
  const message =
    diff.level === 'NONE' ? 'No changes after signing' : `Only allowed changes after signing (${diff.level})`;
  const warnings = diff.unreferenced.length
    ? [`${diff.unreferenced.length} unreferenced object(s) appended`]
    : [];
  return { result: check('modifications', 'PASSED', message, { warnings, evidence }), level: diff.level };
}
