import type { PdfDocument, Revision } from '../pdf/document.js';
import { dictOf, isName, PdfDict, PdfRef } from '../pdf/objects.js';
import type { FoundSignature } from './context.js';

/**
 * The /TransformParams of each /Reference entry of the signature dictionary `sig` whose /TransformMethod is
 * `method`, read in `rev` (an entry without parameters gives an empty dictionary).
 */
export function transformParams(
  doc: PdfDocument,
  sig: PdfDict,
  method: 'DocMDP' | 'FieldMDP',
  rev: Revision,
): PdfDict[] {
  const refs = doc.resolve(sig.get('Reference'), rev);
  if (!Array.isArray(refs)) return [];
  const out: PdfDict[] = [];
  for (const r of refs) {
    const d = dictOf(doc.resolve(r, rev));
    if (!d || !isName(d.get('TransformMethod'), method)) continue;
    out.push(dictOf(doc.resolve(d.get('TransformParams'), rev)) ?? new PdfDict(new Map(), -1, -1));
  }
  return out;
}

/** DocMDP permission level of a certification signature (undefined for approval signatures). */
export function docMdpLevel(doc: PdfDocument, s: FoundSignature): 1 | 2 | 3 | undefined {
  const tp = transformParams(doc, s.sig, 'DocMDP', doc.last)[0];
  if (!tp) return undefined;
  const p = tp.get('P');
  return p === 1 || p === 3 ? p : 2;
}

/** The level of the signature the catalog's `/Perms /DocMDP` designates: the document's certification. */
export function certificationLevel(doc: PdfDocument, found: FoundSignature[]): 1 | 2 | 3 | undefined {
  const perms = dictOf(doc.resolve(doc.catalog(doc.last)?.get('Perms'), doc.last));
  const ref = perms?.get('DocMDP');
  const s = found.find((f) => ref instanceof PdfRef && f.sigRef?.num === ref.num);
  return s ? docMdpLevel(doc, s) : undefined;
}
