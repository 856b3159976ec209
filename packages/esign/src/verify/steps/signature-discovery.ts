import type { PdfDocument } from '../../pdf/document.js';
import { dictOf, isName, type PdfObject, PdfRef, PdfString } from '../../pdf/objects.js';
import type { FoundSignature } from '../context.js';
import { type CheckResult, check } from '../report.js';

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
        fieldNum: item.num,
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
