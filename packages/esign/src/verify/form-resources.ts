import type { PdfDocument, Revision } from '../pdf/document.js';
import { bytesEqual, dictOf, PdfDict, type PdfObject, PdfRef, PdfStream, pdfEquals } from '../pdf/objects.js';

const MAX_COMPARED = 50_000;

/** Structural equality of two values read in two revisions, following references (cycles count as equal). */
export function sameAcross(
  doc: PdfDocument,
  a: Revision,
  b: Revision,
): (x?: PdfObject, y?: PdfObject) => boolean {
  const seen = new Set<string>();
  let compared = 0;
  const eq = (x: PdfObject | undefined, y: PdfObject | undefined, depth: number): boolean => {
    if (depth > 32 || ++compared > MAX_COMPARED) return false;
    if (x instanceof PdfRef || y instanceof PdfRef) {
      const key = `${x instanceof PdfRef ? x.num : '-'}:${y instanceof PdfRef ? y.num : '-'}`;
      if (seen.has(key)) return true;
      seen.add(key);
      return eq(doc.resolve(x, a), doc.resolve(y, b), depth + 1);
    }
    if (Array.isArray(x))
      return Array.isArray(y) && x.length === y.length && x.every((v, i) => eq(v, y[i], depth + 1));
    if (x instanceof PdfStream)
      return y instanceof PdfStream && bytesEqual(x.raw, y.raw) && eq(x.dict, y.dict, depth + 1);
    if (x instanceof PdfDict) {
      if (!(y instanceof PdfDict) || x.map.size !== y.map.size) return false;
      for (const [k, v] of x.map) if (!y.map.has(k) || !eq(v, y.map.get(k), depth + 1)) return false;
      return true;
    }
    return pdfEquals(x, y);
  };
  return (x, y) => eq(x, y, 0);
}

/**
 * How the form's default resource dictionary (AcroForm /DR) changed from `a` to `b`: the resources removed or
 * redefined under their old names (`/Font/Helv`; a category that is no dictionary counts whole), and the names
 * added. Viewers regenerate field appearances from /DR: a font redefined under its old name changes what
 * filled-in fields show.
 */
export function resourceChanges(
  doc: PdfDocument,
  a: Revision,
  b: Revision,
  before: PdfObject | undefined,
  after: PdfObject | undefined,
): { redefined: string[]; added: string[] } {
  const same = sameAcross(doc, a, b);
  const old = dictOf(doc.resolve(before, a));
  const now = dictOf(doc.resolve(after, b));
  const redefined: string[] = [];
  const added: string[] = [];
  for (const [category, v] of old?.map ?? []) {
    const o = dictOf(doc.resolve(v, a));
    const n = dictOf(doc.resolve(now?.get(category), b));
    if (!o || !n) {
      if (!same(v, now?.get(category))) redefined.push(`/${category}`);
      continue;
    }
    for (const [name, value] of o.map) if (!same(value, n.get(name))) redefined.push(`/${category}/${name}`);
  }
  for (const [category, v] of now?.map ?? []) {
    const o = dictOf(doc.resolve(old?.get(category), a));
    const n = dictOf(doc.resolve(v, b));
    for (const name of n?.map.keys() ?? []) if (!o?.has(name)) added.push(`/${category}/${name}`);
  }
  return { redefined, added };
}
