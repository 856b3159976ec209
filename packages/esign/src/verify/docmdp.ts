import type { PdfDocument } from '../pdf/document.js';
import { dictOf, isName, PdfRef } from '../pdf/objects.js';
import type { FoundSignature } from './context.js';

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

/** The level of the signature the catalog's `/Perms /DocMDP` designates: the document's certification. */
export function certificationLevel(doc: PdfDocument, found: FoundSignature[]): 1 | 2 | 3 | undefined {
  const perms = dictOf(doc.resolve(doc.catalog(doc.last)?.get('Perms'), doc.last));
  const ref = perms?.get('DocMDP');
  const s = found.find((f) => ref instanceof PdfRef && f.sigRef?.num === ref.num);
  return s ? docMdpLevel(doc, s) : undefined;
}
