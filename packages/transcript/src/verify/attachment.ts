import type { PdfDocument, Revision } from '@thgov/esign';
import {
  decodeStream,
  dictOf,
  isName,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
  pdfEquals,
} from '@thgov/esign/internal';

export interface EmbeddedFile {
  /** Key in the /EmbeddedFiles name tree. */
  treeName: string;
  /** /UF (or /F) of the file specification. */
  fileName: string;
  fSpecName?: string;
  ufName?: string;
  relationship?: string;
  mimeType?: string;
  declaredSize?: number;
  bytes: Uint8Array;
  fileSpecNum?: number;
  streamNum?: number;
  inAf: boolean;
}

/** What the PDF's XMP metadata declares: the PDF/A part and conformance and the attached document's name. */
export interface XmpInfo {
  pdfaPart?: number;
  pdfaConformance?: string;
  documentFileName?: string;
  documentOid?: string;
  referenceId?: string;
  version?: string;
}

function nameTreeEntries(
  doc: PdfDocument,
  rev: Revision,
  root: PdfObject | undefined,
): { key: string; value: PdfObject }[] {
  const out: { key: string; value: PdfObject }[] = [];
  const stack: { node: PdfObject | undefined; depth: number }[] = [{ node: root, depth: 0 }];
  const seen = new Set<number>();
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (depth > 32 || out.length > 10_000) break;
    if (node instanceof PdfRef) {
      if (seen.has(node.num)) continue;
      seen.add(node.num);
    }
    const d = dictOf(doc.resolve(node, rev));
    if (!d) continue;
    const names = doc.resolve(d.get('Names'), rev);
    if (Array.isArray(names)) {
      for (let i = 0; i + 1 < names.length; i += 2) {
        const k = names[i];
        if (k instanceof PdfString) out.push({ key: k.text(), value: names[i + 1] ?? null });
      }
    }
    const kids = doc.resolve(d.get('Kids'), rev);
    if (Array.isArray(kids)) for (const k of kids) stack.push({ node: k, depth: depth + 1 });
  }
  return out;
}

/** Every embedded file of revision `rev` (name tree), with its file specification details. */
export function listEmbeddedFiles(doc: PdfDocument, rev: Revision): EmbeddedFile[] {
  const catalog = doc.catalog(rev);
  if (!catalog) return [];
  const names = dictOf(doc.resolve(catalog.get('Names'), rev));
  const af = doc.resolve(catalog.get('AF'), rev);
  const afNums = new Set(
    Array.isArray(af) ? af.filter((x): x is PdfRef => x instanceof PdfRef).map((x) => x.num) : [],
  );
  const out: EmbeddedFile[] = [];
  for (const { key, value } of nameTreeEntries(doc, rev, names?.get('EmbeddedFiles'))) {
    const fs = dictOf(doc.resolve(value, rev));
    if (!fs) continue;
    const ef = dictOf(doc.resolve(fs.get('EF'), rev));
    const streamRef = ef?.get('UF') ?? ef?.get('F');
    const stream = doc.resolve(streamRef, rev);
    if (!(stream instanceof PdfStream)) continue;
    let bytes: Uint8Array;
    try {
      bytes = decodeStream(stream, doc.budget);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
      continue;
    }
    const params = dictOf(doc.resolve(stream.dict.get('Params'), rev));
    const size = params?.get('Size');
    const sub = stream.dict.get('Subtype');
    const rel = fs.get('AFRelationship');
    const f = fs.get('F');
    const uf = fs.get('UF');
    const fName = f instanceof PdfString ? f.text() : undefined;
    const ufName = uf instanceof PdfString ? uf.text() : undefined;
    out.push({
      treeName: key,
      fileName: ufName ?? fName ?? key,
      ...(fName !== undefined ? { fSpecName: fName } : {}),
      ...(ufName !== undefined ? { ufName } : {}),
      ...(isName(rel) ? { relationship: rel.name } : {}),
      ...(isName(sub) ? { mimeType: sub.name } : {}),
      ...(typeof size === 'number' ? { declaredSize: size } : {}),
      bytes,
      ...(value instanceof PdfRef ? { fileSpecNum: value.num } : {}),
      ...(streamRef instanceof PdfRef ? { streamNum: streamRef.num } : {}),
      inAf: value instanceof PdfRef && afNums.has(value.num),
    });
  }
  return out;
}

export function isXmlAttachment(f: EmbeddedFile): boolean {
  return f.mimeType === 'text/xml' || f.mimeType === 'application/xml' || /\.xml$/i.test(f.fileName);
}

export function readXmp(doc: PdfDocument, rev: Revision): XmpInfo | undefined {
  const catalog = doc.catalog(rev);
  const md = doc.resolve(catalog?.get('Metadata'), rev);
  if (!(md instanceof PdfStream)) return undefined;
  let text: string;
  try {
    text = new TextDecoder().decode(decodeStream(md, doc.budget));
  } catch {
    return undefined;
  }
  const pick = (prefix: string, local: string): string | undefined => {
    const el = new RegExp(`<${prefix}:${local}>\\s*([^<]*?)\\s*</${prefix}:${local}>`).exec(text);
    if (el) return el[1];
    const at = new RegExp(`${prefix}:${local}="([^"]*)"`).exec(text);
    return at?.[1];
  };
  const part = pick('pdfaid', 'part');
  const info: XmpInfo = {};
  if (part !== undefined && /^\d+$/.test(part)) info.pdfaPart = Number(part);
  const set = (k: keyof XmpInfo, v: string | undefined) => {
    if (v !== undefined) (info as Record<string, unknown>)[k] = v;
  };
  set('pdfaConformance', pick('pdfaid', 'conformance'));
  set('documentFileName', pick('ed', 'DocumentFileName'));
  set('documentOid', pick('ed', 'DocumentOID'));
  set('referenceId', pick('ed', 'DocumentReferenceID'));
  set('version', pick('ed', 'DocumentVersion'));
  return info;
}

export const ALLOWED_RELATIONSHIPS = new Set(['Alternative', 'Source', 'Data', 'Supplement']);

/** True when object `num` has the same value in `signed` and in the final revision. */
export function unchangedSince(doc: PdfDocument, num: number | undefined, signed: Revision): boolean {
  if (num === undefined) return false;
  const a = doc.getObject(num, signed);
  return a !== undefined && pdfEquals(a, doc.getObject(num, doc.last));
}
