import type { PdfDocument, Revision } from '@thgov/esign';
import {
  decodeStream,
  dictOf,
  isName,
  type PdfDict,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
  pdfEquals,
} from '@thgov/esign/internal';
import { isXmlCodePoint } from '../xml/scan-xml.js';

export interface EmbeddedFile {
  /** Key in the /EmbeddedFiles name tree, when the file is listed there. */
  treeName?: string;
  /** /UF, else /F, else the name-tree key ('' when none). */
  fileName: string;
  fSpecName?: string;
  ufName?: string;
  relationship?: string;
  mimeType?: string;
  declaredSize?: number;
  bytes: Uint8Array;
  fileSpecNum?: number;
  streamNum?: number;
  /** In the catalog's /AF array. */
  inAf: boolean;
  /** In a page's /AF array. */
  inPageAf: boolean;
  /**
   * /EF holds a /F stream of other content than its /UF one: readers differ on which is the file (poppler takes
   * /F; pdf.js, qpdf and this package /UF), so what one shows is not what another verified.
   */
  streamConflict?: boolean;
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

/** The file specifications of a page's /AF arrays, walking the page tree (bounded, each node once). */
function pageAfEntries(doc: PdfDocument, rev: Revision, pages: PdfObject | undefined): PdfObject[] {
  const out: PdfObject[] = [];
  const stack: { node: PdfObject | undefined; depth: number }[] = [{ node: pages, depth: 0 }];
  const seen = new Set<number>();
  for (let visited = 0; stack.length && visited < 10_000; visited++) {
    const { node, depth } = stack.pop()!;
    if (depth > 64) continue;
    if (node instanceof PdfRef) {
      if (seen.has(node.num)) continue;
      seen.add(node.num);
    }
    const d = dictOf(doc.resolve(node, rev));
    if (!d) continue;
    const af = doc.resolve(d.get('AF'), rev);
    if (Array.isArray(af)) out.push(...af);
    const kids = doc.resolve(d.get('Kids'), rev);
    if (Array.isArray(kids)) for (const k of kids) stack.push({ node: k, depth: depth + 1 });
  }
  return out;
}

/** Whether the /EF dictionary's /F is a stream of other content than `chosen` (the /UF stream's bytes). */
function otherStreamDiffers(doc: PdfDocument, rev: Revision, ef: PdfDict, chosen: Uint8Array): boolean {
  const f = ef.get('F');
  const uf = ef.get('UF');
  if (
    f === undefined ||
    uf === undefined ||
    (f instanceof PdfRef && uf instanceof PdfRef && f.num === uf.num)
  )
    return false;
  const other = doc.resolve(f, rev);
  if (!(other instanceof PdfStream)) return false;
  try {
    return !Buffer.from(decodeStream(other, doc.budget)).equals(Buffer.from(chosen));
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
    return true;
  }
}

/** One file specification as an `EmbeddedFile`, or undefined when it holds no readable embedded stream. */
function embeddedFile(
  doc: PdfDocument,
  rev: Revision,
  value: PdfObject,
  found: Pick<EmbeddedFile, 'treeName' | 'inAf' | 'inPageAf'>,
): EmbeddedFile | undefined {
  const fs = dictOf(doc.resolve(value, rev));
  if (!fs) return undefined;
  const ef = dictOf(doc.resolve(fs.get('EF'), rev));
  const streamRef = ef?.get('UF') ?? ef?.get('F');
  const stream = doc.resolve(streamRef, rev);
  if (!(stream instanceof PdfStream)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = decodeStream(stream, doc.budget);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
    return undefined;
  }
  const params = dictOf(doc.resolve(stream.dict.get('Params'), rev));
  const size = params?.get('Size');
  const sub = stream.dict.get('Subtype');
  const rel = fs.get('AFRelationship');
  const f = fs.get('F');
  const uf = fs.get('UF');
  const fName = f instanceof PdfString ? f.text() : undefined;
  const ufName = uf instanceof PdfString ? uf.text() : undefined;
  return {
    ...(found.treeName !== undefined ? { treeName: found.treeName } : {}),
    fileName: ufName ?? fName ?? found.treeName ?? '',
    ...(fName !== undefined ? { fSpecName: fName } : {}),
    ...(ufName !== undefined ? { ufName } : {}),
    ...(isName(rel) ? { relationship: rel.name } : {}),
    ...(isName(sub) ? { mimeType: sub.name } : {}),
    ...(typeof size === 'number' ? { declaredSize: size } : {}),
    bytes,
    ...(value instanceof PdfRef ? { fileSpecNum: value.num } : {}),
    ...(streamRef instanceof PdfRef ? { streamNum: streamRef.num } : {}),
    inAf: found.inAf,
    inPageAf: found.inPageAf,
    ...(ef && otherStreamDiffers(doc, rev, ef, bytes) ? { streamConflict: true } : {}),
  };
}

/**
 * Every embedded file of revision `rev`: the /EmbeddedFiles name tree, the catalog's /AF and the pages' /AF (a
 * PDF/A-3 associated file need not be in the name tree). One entry per file specification object, wherever it is
 * listed and however often; a direct (unreferenced) file specification is one entry per place it is written.
 */
export function listEmbeddedFiles(doc: PdfDocument, rev: Revision): EmbeddedFile[] {
  const catalog = doc.catalog(rev);
  if (!catalog) return [];
  const names = dictOf(doc.resolve(catalog.get('Names'), rev));
  const catalogAf = doc.resolve(catalog.get('AF'), rev);
  const pageAf = pageAfEntries(doc, rev, catalog.get('Pages'));
  const refNums = (list: PdfObject[]) =>
    new Set(list.filter((x): x is PdfRef => x instanceof PdfRef).map((x) => x.num));
  const afNums = refNums(Array.isArray(catalogAf) ? catalogAf : []);
  const pageAfNums = refNums(pageAf);
  const places: { value: PdfObject; treeName?: string }[] = [
    ...nameTreeEntries(doc, rev, names?.get('EmbeddedFiles')).map(({ key, value }) => ({
      value,
      treeName: key,
    })),
    ...(Array.isArray(catalogAf) ? catalogAf : []).map((value) => ({ value })),
    ...pageAf.map((value) => ({ value })),
  ];
  const out: EmbeddedFile[] = [];
  const listed = new Set<number>();
  for (const { value, treeName } of places) {
    if (value instanceof PdfRef) {
      if (listed.has(value.num)) continue;
      listed.add(value.num);
    }
    const ref = value instanceof PdfRef ? value.num : undefined;
    const file = embeddedFile(doc, rev, value, {
      ...(treeName !== undefined ? { treeName } : {}),
      inAf: ref !== undefined ? afNums.has(ref) : Array.isArray(catalogAf) && catalogAf.includes(value),
      inPageAf: ref !== undefined ? pageAfNums.has(ref) : pageAf.includes(value),
    });
    if (file) out.push(file);
  }
  return out;
}

export function isXmlAttachment(f: EmbeddedFile): boolean {
  return f.mimeType === 'text/xml' || f.mimeType === 'application/xml' || /\.xml$/i.test(f.fileName);
}

/**
 * Which of the XML attachments is the transcript: the catalog /AF one with AFRelationship /Alternative, else the
 * first in the catalog /AF, else the first. The one rule of verification (which checks it) and of
 * `extractTranscript` (which returns it), so the bytes returned are the bytes checked whatever the policy.
 */
export function pickTranscript(xmlFiles: EmbeddedFile[]): EmbeddedFile | undefined {
  return (
    xmlFiles.find((f) => f.inAf && f.relationship === 'Alternative') ??
    xmlFiles.find((f) => f.inAf) ??
    xmlFiles[0]
  );
}

const PDFAID_NS = 'http://www.aiim.org/pdfa/ns/id/';
const ETDA_NS = 'urn:etda:pdfa:ElectronicDocument:1p0:standard#';
const XML_SPACE = '[ \\t\\r\\n]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A reader of one XMP namespace's simple properties, in either RDF form: an element `<p:name>value</p:name>` or
 * an attribute `p:name="value"` (either quote). `p` is every prefix the packet binds to `ns`; `fallback` is used
 * when none is bound (packets that omit the declaration). The first occurrence in the packet counts; its value is
 * returned as characters (entities and character references decoded). A regex, not
 * a DOM: this runs on every verification and must not load an XML parser.
 */
function xmpProperty(text: string, ns: string, fallback: string): (local: string) => string | undefined {
  const bound = new RegExp(
    `xmlns:([A-Za-z_][\\w.-]*)${XML_SPACE}*=${XML_SPACE}*(["'])${escapeRegExp(ns)}\\2`,
    'g',
  );
  const prefixes = [...new Set([...text.matchAll(bound)].map((m) => m[1] as string))];
  // A prefix bound to another namespace somewhere is not this one, even if it is the usual one.
  const fallbackUsedElsewhere = new RegExp(`xmlns:${escapeRegExp(fallback)}${XML_SPACE}*=`).test(text);
  if (prefixes.length === 0 && !fallbackUsedElsewhere) prefixes.push(fallback);
  return (local) => {
    let best: { at: number; value: string } | undefined;
    for (const p of prefixes) {
      const q = `${escapeRegExp(p)}:${local}`;
      // [^<]* then "<": linear, whatever whitespace a hostile packet holds (the value is trimmed after).
      const el = new RegExp(`<${q}(?:${XML_SPACE}[^<>]*)?>([^<]*)</${q}${XML_SPACE}*>`).exec(text);
      const at = new RegExp(`${XML_SPACE}${q}${XML_SPACE}*=${XML_SPACE}*(?:"([^"]*)"|'([^']*)')`).exec(text);
      const found = [
        el && { at: el.index, value: (el[1] as string).trim() },
        at && { at: at.index, value: (at[1] ?? at[2]) as string },
      ];
      for (const f of found) if (f && (!best || f.at < best.at)) best = f;
    }
    return best === undefined ? undefined : xmlText(best.value);
  };
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };

/** An XML text or attribute value as characters: the predefined entities and character references decoded. */
function xmlText(raw: string): string {
  return raw.replace(
    /&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|apos|quot));/g,
    (m, hex, dec, name) => {
      if (name) return PREDEFINED[name] as string;
      const cp = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec, 10);
      return isXmlCodePoint(cp) ? String.fromCodePoint(cp) : m;
    },
  );
}

/** The packet without its comments (a property inside one is no property); linear, an unclosed one ends it. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; ; ) {
    const open = text.indexOf('<!--', i);
    if (open < 0) return out + text.slice(i);
    out += text.slice(i, open);
    const close = text.indexOf('-->', open + 4);
    if (close < 0) return out;
    i = close + 3;
  }
}

export function readXmp(doc: PdfDocument, rev: Revision): XmpInfo | undefined {
  const catalog = doc.catalog(rev);
  const md = doc.resolve(catalog?.get('Metadata'), rev);
  if (!(md instanceof PdfStream)) return undefined;
  let text: string;
  try {
    text = withoutComments(new TextDecoder().decode(decodeStream(md, doc.budget)));
  } catch {
    return undefined;
  }
  const pdfaid = xmpProperty(text, PDFAID_NS, 'pdfaid');
  const ed = xmpProperty(text, ETDA_NS, 'ed');
  const part = pdfaid('part');
  const info: XmpInfo = {};
  if (part !== undefined && /^\d+$/.test(part)) info.pdfaPart = Number(part);
  const set = (k: keyof XmpInfo, v: string | undefined) => {
    if (v !== undefined) (info as Record<string, unknown>)[k] = v;
  };
  set('pdfaConformance', pdfaid('conformance'));
  set('documentFileName', ed('DocumentFileName'));
  set('documentOid', ed('DocumentOID'));
  set('referenceId', ed('DocumentReferenceID'));
  set('version', ed('DocumentVersion'));
  return info;
}

export const ALLOWED_RELATIONSHIPS = new Set(['Alternative', 'Source', 'Data', 'Supplement']);

/**
 * True when the catalog's XMP /Metadata of the final revision is the one `signed` had: the same entry and, for a
 * reference, the same stream (dictionary and bytes). A /Metadata added, removed, pointed elsewhere or rewritten
 * is a change.
 */
export function xmpUnchangedSince(doc: PdfDocument, signed: Revision): boolean {
  const before = doc.catalog(signed)?.get('Metadata');
  const after = doc.catalog(doc.last)?.get('Metadata');
  if (before === undefined || after === undefined) return before === after;
  if (!pdfEquals(before, after)) return false;
  return !(before instanceof PdfRef) || unchangedSince(doc, before.num, signed);
}

/** True when object `num` has the same value in `signed` and in the final revision. */
export function unchangedSince(doc: PdfDocument, num: number | undefined, signed: Revision): boolean {
  if (num === undefined) return false;
  const a = doc.getObject(num, signed);
  return a !== undefined && pdfEquals(a, doc.getObject(num, doc.last));
}
