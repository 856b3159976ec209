import type { PdfDocument, Revision } from '../pdf/document.js';
import { dictOf, isName, type PdfObject, PdfString } from '../pdf/objects.js';
import type { ModificationLevel } from './report.js';

/** The keys ISO 32000-2 §7.12 gives a developer extension dictionary. */
const EXTENSION_KEYS = new Set(['Type', 'BaseVersion', 'ExtensionLevel', 'ExtensionRevision', 'URL']);

/** More extensions than this under one prefix: not a plain registration. */
const MAX_EXTENSIONS = 16;

/** A developer extension dictionary of direct names, numbers and strings only. */
function plainExtension(doc: PdfDocument, rev: Revision, o: PdfObject | undefined): boolean {
  const d = dictOf(doc.resolve(o, rev));
  if (!d || !isName(d.get('BaseVersion')) || typeof d.get('ExtensionLevel') !== 'number') return false;
  for (const [k, v] of d.map) {
    if (!EXTENSION_KEYS.has(k)) return false;
    if (!(isName(v) || typeof v === 'number' || v instanceof PdfString)) return false;
  }
  return true;
}

/**
 * The level of a catalog /Extensions or /Version written after signing (iText and Acrobat register the ESIC or ADBE
 * extension with the /DSS and document time-stamps they add; pyHanko exempts both keys): an LTA-level update when
 * /Extensions maps prefixes to plain extension dictionaries (or arrays of them) and /Version is a version name (a
 * reader ignores one below the header's); anything else, or the key removed, is OTHER. Undefined for other keys
 * (the XMP /Metadata is judged by its stream: `xmpReplacement` in modifications.ts).
 */
export function catalogMetadataLevel(
  doc: PdfDocument,
  rev: Revision,
  key: string,
  value: PdfObject | undefined,
): ModificationLevel | undefined {
  if (key === 'Version') return isName(value) && /^\d\.\d$/.test(value.name) ? 'LTA_UPDATES' : 'OTHER';
  if (key !== 'Extensions') return undefined;
  const ext = dictOf(doc.resolve(value, rev));
  if (!ext || ext.map.size > MAX_EXTENSIONS) return 'OTHER';
  for (const [k, v] of ext.map) {
    if (k === 'Type') {
      if (!isName(v, 'Extensions')) return 'OTHER';
      continue;
    }
    const entry = doc.resolve(v, rev);
    const list = Array.isArray(entry) ? entry : [v];
    if (list.length > MAX_EXTENSIONS || !list.every((e) => plainExtension(doc, rev, e))) return 'OTHER';
  }
  return 'LTA_UPDATES';
}
