import { EsignError } from '../errors.js';
import type { PdfDocument, Revision } from '../pdf/document.js';
import { dictOf, PdfDict, type PdfObject, PdfRef, PdfString } from '../pdf/objects.js';
import { appendIncrementalUpdate, dict, name, type UpdateObject } from '../pdf/writer.js';

/** What the signature dictionary of a new field says. */
export interface SignatureFieldSpec {
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  /** Bytes reserved for /Contents (the DER CMS or time-stamp token); written as twice as many hex digits. */
  contentsSize: number;
  signingTime: Date;
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** DocMDP P value: makes this the certification signature. */
  certify?: 1 | 2 | 3;
  /** FieldMDP lock: the fields this signature locks (`Include`), or every field (`All`). */
  lockFields?: { action: 'All' } | { action: 'Include'; fields: string[] };
  /** Widget placement of a visible signature; invisible (a zero rectangle on the first page) by default. */
  widget?: { pageIndex: number; rect: [number, number, number, number]; appearance?: PdfRef };
  /** Objects written in the same update (an appearance stream and its font), numbered from `firstFreeNum`. */
  extraObjects?: (firstFreeNum: number) => {
    objects: Map<number, UpdateObject>;
    next: number;
    appearance: PdfRef;
  };
}

/** A PDF with an empty signature: the ByteRange is final, /Contents is zeros to fill. */
export interface PreparedSignature {
  bytes: Uint8Array;
  contentsStart: number;
  contentsEnd: number;
  contentsSize: number;
  /** The two byte ranges the signature covers. */
  parts: Uint8Array[];
}

/** A PDF date string in UTC (`D:YYYYMMDDHHmmSSZ`). */
export function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** A PDF text string as hex: PDFDocEncoding-compatible ASCII as is, anything else UTF-16BE with its BOM (Thai). */
export function textStringHex(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return Buffer.from(text, 'latin1').toString('hex');
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  return `feff${utf16.toString('hex')}`;
}

function textString(text: string): PdfString {
  return new PdfString(Buffer.from(textStringHex(text), 'hex'), true, -1, -1);
}

const PLACEHOLDER = '0000000000';

function references(spec: SignatureFieldSpec): string {
  const refs: string[] = [];
  if (spec.certify)
    refs.push(
      `<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${spec.certify} /V /1.2 >> >>`,
    );
  if (spec.lockFields) {
    const fields =
      spec.lockFields.action === 'Include'
        ? ` /Fields [${spec.lockFields.fields.map((f) => `<${textStringHex(f)}>`).join(' ')}]`
        : '';
    refs.push(
      `<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /${spec.lockFields.action}${fields} /V /1.2 >> >>`,
    );
  }
  return refs.length ? ` /Reference [${refs.join(' ')}]` : '';
}

/** The signature dictionary's text; ByteRange and Contents are placeholders patched after writing. */
function signatureDictionary(spec: SignatureFieldSpec): string {
  const type = spec.kind === 'document-timestamp' ? 'DocTimeStamp' : 'Sig';
  const optional = (key: string, v: string | undefined) => (v ? ` /${key} <${textStringHex(v)}>` : '');
  return (
    `<< /Type /${type} /Filter /Adobe.PPKLite /SubFilter /${spec.subFilter}` +
    ` /ByteRange [0 ${PLACEHOLDER} ${PLACEHOLDER} ${PLACEHOLDER}]` +
    ` /Contents <${'0'.repeat(spec.contentsSize * 2)}>` +
    (spec.kind === 'signature' ? ` /M (${pdfDate(spec.signingTime)})` : '') +
    optional('Reason', spec.reason) +
    optional('Location', spec.location) +
    optional('ContactInfo', spec.contactInfo) +
    `${references(spec)} >>`
  );
}

function pageRefAt(doc: PdfDocument, rev: Revision, index: number): PdfRef | undefined {
  const visit = (node: PdfObject | undefined, depth: number, out: PdfRef[]): void => {
    if (depth > 32 || out.length > index) return;
    const d = dictOf(doc.resolve(node, rev));
    const kids = d ? doc.resolve(d.get('Kids'), rev) : undefined;
    if (Array.isArray(kids)) for (const k of kids) visit(k, depth + 1, out);
    else if (node instanceof PdfRef && d) out.push(node);
  };
  const out: PdfRef[] = [];
  visit(doc.catalog(rev)?.get('Pages'), 0, out);
  return out[index];
}

/** Field names already in the AcroForm (top level), so a new field never reuses one. */
function existingFieldNames(doc: PdfDocument, rev: Revision, fields: PdfObject | undefined): Set<string> {
  const names = new Set<string>();
  for (const f of Array.isArray(fields) ? fields : []) {
    const t = dictOf(doc.resolve(f, rev))?.get('T');
    if (t instanceof PdfString) names.add(t.text());
  }
  return names;
}

interface Layout {
  rev: Revision;
  catalog: PdfDict;
  rootRef: PdfRef;
  page: PdfDict;
  pageRef: PdfRef;
  size: number;
}

function layoutOf(doc: PdfDocument, pageIndex: number): Layout {
  const rev = doc.last;
  const catalog = doc.catalog(rev);
  const rootRef = rev.trailer.get('Root');
  if (!catalog || !(rootRef instanceof PdfRef))
    throw new EsignError('ERR_ESIGN_DOCUMENT', 'The PDF has no catalog');
  const pageRef = pageRefAt(doc, rev, pageIndex);
  const page = pageRef ? dictOf(doc.resolve(pageRef, rev)) : undefined;
  if (!pageRef || !page) throw new EsignError('ERR_ESIGN_DOCUMENT', `The PDF has no page ${pageIndex + 1}`);
  return { rev, catalog, rootRef, page, pageRef, size: doc.nextObjectNumber(rev) };
}

/**
 * Appends a signature field with an empty signature as one incremental update (the existing bytes, and so
 * every earlier signature, stay untouched), and patches the final ByteRange in place.
 */
export function prepareSignature(
  doc: PdfDocument,
  pdf: Uint8Array,
  spec: SignatureFieldSpec,
): PreparedSignature {
  const l = layoutOf(doc, spec.widget?.pageIndex ?? 0);
  const acroRefOld = l.catalog.get('AcroForm');
  const acroOld = dictOf(doc.resolve(acroRefOld, l.rev));
  const fieldsOld = acroOld ? doc.resolve(acroOld.get('Fields'), l.rev) : undefined;
  const taken = existingFieldNames(doc, l.rev, fieldsOld);
  const sigNum = l.size;
  const fieldNum = l.size + 1;
  const acroRef = acroRefOld instanceof PdfRef ? acroRefOld : new PdfRef(l.size + 2, 0);
  let next = acroRefOld instanceof PdfRef ? l.size + 2 : l.size + 3;
  const fieldName = spec.fieldName ?? `Signature${sigNum}`;
  if (taken.has(fieldName))
    throw new EsignError(
      'ERR_ESIGN_DOCUMENT',
      'A field with this name already exists; choose another fieldName',
    );
  const sigText = signatureDictionary(spec);
  const objects = new Map<number, UpdateObject>();
  objects.set(sigNum, { raw: Buffer.from(sigText, 'latin1') });
  let appearance: PdfRef | undefined;
  if (spec.extraObjects) {
    const extra = spec.extraObjects(next);
    for (const [n, o] of extra.objects) objects.set(n, o);
    next = extra.next;
    appearance = extra.appearance;
  }
  objects.set(fieldNum, { value: widget(spec, fieldName, new PdfRef(sigNum, 0), l.pageRef, appearance) });
  const fieldRef = new PdfRef(fieldNum, 0);
  const annotsOld = doc.resolve(l.page.get('Annots'), l.rev);
  const newPage = new PdfDict(new Map(l.page.map), -1, -1);
  newPage.map.set('Annots', [...(Array.isArray(annotsOld) ? annotsOld : []), fieldRef]);
  objects.set(l.pageRef.num, { value: newPage, gen: l.pageRef.gen });
  const acro = new PdfDict(new Map(acroOld ? acroOld.map : []), -1, -1);
  acro.map.set('Fields', [...(Array.isArray(fieldsOld) ? fieldsOld : []), fieldRef]);
  acro.map.set('SigFlags', 3);
  objects.set(acroRef.num, { value: acro, gen: acroRef.gen });
  // Reuse an indirect AcroForm so a later signature or time-stamp leaves the catalog untouched.
  if (!(acroRefOld instanceof PdfRef) || spec.certify) {
    const newCatalog = new PdfDict(new Map(l.catalog.map), -1, -1);
    newCatalog.map.set('AcroForm', acroRef);
    if (spec.certify) newCatalog.map.set('Perms', dict({ DocMDP: new PdfRef(sigNum, 0) }));
    objects.set(l.rootRef.num, { value: newCatalog, gen: l.rootRef.gen });
  }
  const appended = appendIncrementalUpdate(pdf, { objects, trailer: trailerOf(l) }, l.rev.startxref, next);
  const sigOffset = appended.offsets.get(sigNum)! + `${sigNum} 0 obj\n`.length;
  return patchByteRange(appended.bytes, sigOffset, sigText, spec.contentsSize);
}

function widget(
  spec: SignatureFieldSpec,
  fieldName: string,
  sigRef: PdfRef,
  pageRef: PdfRef,
  appearance: PdfRef | undefined,
): PdfDict {
  const w = dict({
    Type: name('Annot'),
    Subtype: name('Widget'),
    FT: name('Sig'),
    T: textString(fieldName),
    V: sigRef,
    F: 132,
    Rect: spec.widget?.rect ?? [0, 0, 0, 0],
    P: pageRef,
  });
  if (appearance) w.map.set('AP', dict({ N: appearance }));
  return w;
}

function trailerOf(l: Layout): Record<string, PdfObject> {
  const trailer: Record<string, PdfObject> = { Root: l.rootRef };
  for (const k of ['Info', 'ID']) {
    const v = l.rev.trailer.get(k);
    if (v !== undefined) trailer[k] = v;
  }
  return trailer;
}

function patchByteRange(
  out: Uint8Array,
  sigOffset: number,
  sigText: string,
  contentsSize: number,
): PreparedSignature {
  const brAt = sigOffset + sigText.indexOf('/ByteRange [') + '/ByteRange ['.length;
  const contentsStart = sigOffset + sigText.indexOf('/Contents <') + '/Contents '.length;
  const contentsEnd = contentsStart + contentsSize * 2 + 2;
  const brText = `0 ${contentsStart} ${contentsEnd} ${out.length - contentsEnd}`;
  const brField = `0 ${PLACEHOLDER} ${PLACEHOLDER} ${PLACEHOLDER}`;
  Buffer.from(out.buffer, out.byteOffset, out.length).write(
    brText.padEnd(brField.length, ' '),
    brAt,
    'latin1',
  );
  return {
    bytes: out,
    contentsStart,
    contentsEnd,
    contentsSize,
    parts: [out.subarray(0, contentsStart), out.subarray(contentsEnd)],
  };
}

/** Writes the DER value into the reserved /Contents; a value that does not fit is an error, never truncated. */
export function fillContents(prepared: PreparedSignature, value: Uint8Array): Uint8Array {
  if (value.length > prepared.contentsSize)
    throw new EsignError(
      'ERR_ESIGN_DOCUMENT',
      `The signature (${value.length} bytes) does not fit the ${prepared.contentsSize}-byte placeholder`,
    );
  const out = prepared.bytes;
  Buffer.from(out.buffer, out.byteOffset, out.length).write(
    Buffer.from(value).toString('hex'),
    prepared.contentsStart + 1,
    'latin1',
  );
  return out;
}
