import { createHash } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import { z } from 'zod';
import { type DigestName, signDetachedCms, type TimeStampFunction } from '../cms/sign.js';
import { TranscriptError } from '../errors.js';
import { PdfDocument } from '../pdf/document.js';
import { PdfDict, type PdfObject, PdfRef } from '../pdf/objects.js';
import { appendIncrementalUpdate, dict, name, str, type UpdateObject } from '../pdf/writer.js';
import { importPrivateKey, type KeyInput } from '../pki/keys.js';
import { decodeCertificates } from '../pki/pem.js';
import { drawDefaultPage } from './default-page.js';
import { ensureSrgbOutputIntent } from './output-intent.js';
import { buildXmp, PRODUCER } from './xmp.js';

export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

export interface IssueTranscriptInput {
  /** The transcript XML (bytes are attached exactly as given). */
  xml: Uint8Array | string;
  /** Attachment name. Default `transcript.xml`. */
  xmlFileName?: string;
  /** The human-readable document; a page is generated when omitted. */
  pdf?: Uint8Array;
  /**
   * TrueType/OpenType font for the generated page, shaped with HarfBuzz and embedded as a subset.
   * Default: Sarabun, bundled from npm (Thai and Latin), so every machine issues the same document; no
   * system font is ever looked up.
   */
  font?: Uint8Array;
  /** Bold face for the title and names (default: bundled Sarabun Bold, or `font` when that is given). */
  boldFont?: Uint8Array;
  /**
   * Accepted for compatibility: the generated page is always PDF/A now (its fonts are embedded), so
   * this no longer changes anything. A caller's own `pdf` must be PDF/A itself.
   */
  requirePdfA?: boolean;
  title?: string;
  /** Shown on the generated page. */
  institution?: string;
  /** Shown on the generated page (needs a font with Thai glyphs for `nameTh`). */
  student?: { nameTh?: string; nameEn?: string };
  document?: { oid?: string; referenceId?: string; version?: string };
  signer: { key: KeyInput; chain: (string | Uint8Array)[] };
  tsa?: TimeStampFunction;
  /** CRLs/OCSP responses (DER): in revocationInfoArchival for adbe, in /DSS for CAdES. */
  revocation?: { crls?: Uint8Array[]; ocsps?: Uint8Array[] };
  subFilter?: SubFilter;
  digestAlgorithm?: DigestName;
  signingTime?: Date;
  reason?: string;
  location?: string;
  /** DocMDP certification level (P). Omitted: an approval signature. */
  certify?: 1 | 2 | 3;
  /** Bytes reserved for the CMS in /Contents. Default 32768. */
  contentsSize?: number;
}

// XMP and the page cannot carry control characters; keep them out of every shown text.
const pageText = z
  .string()
  .max(200)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
  });

const inputSchema = z
  .object({
    xml: z.union([z.string().min(1), z.instanceof(Uint8Array)]),
    xmlFileName: z
      .string()
      .regex(/^[\w.\- ]{1,120}$/)
      .optional(),
    pdf: z.instanceof(Uint8Array).optional(),
    font: z.instanceof(Uint8Array).optional(),
    boldFont: z.instanceof(Uint8Array).optional(),
    requirePdfA: z.boolean().optional(),
    title: pageText.optional(),
    institution: pageText.optional(),
    student: z.object({ nameTh: pageText.optional(), nameEn: pageText.optional() }).strict().optional(),
    document: z
      .object({
        oid: z.string().optional(),
        referenceId: z.string().optional(),
        version: z.string().optional(),
      })
      .strict()
      .optional(),
    signer: z
      .object({ key: z.unknown(), chain: z.array(z.union([z.string(), z.instanceof(Uint8Array)])).min(1) })
      .strict(),
    tsa: z.function().optional(),
    revocation: z
      .object({
        crls: z.array(z.instanceof(Uint8Array)).optional(),
        ocsps: z.array(z.instanceof(Uint8Array)).optional(),
      })
      .strict()
      .optional(),
    subFilter: z.enum(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']).optional(),
    digestAlgorithm: z.enum(['SHA-256', 'SHA-384', 'SHA-512']).optional(),
    signingTime: z.date().optional(),
    reason: z.string().max(200).optional(),
    location: z.string().max(200).optional(),
    certify: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    contentsSize: z
      .number()
      .int()
      .min(1024)
      .max(1 << 20)
      .optional(),
  })
  .strict();

/**
 * Builds a PDF/A-3 document with the XML attached (AFRelationship Alternative, ETDA `ed:` XMP) and
 * signs it in an incremental update, the way ETDA's reference signer does.
 */
export async function issueTranscript(input: IssueTranscriptInput): Promise<Uint8Array> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidArgument(
      `Invalid issueTranscript input at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  const xml = typeof input.xml === 'string' ? new TextEncoder().encode(input.xml) : input.xml;
  const fileName = input.xmlFileName ?? 'transcript.xml';
  const when = input.signingTime ?? new Date();
  const base = await buildPdfA3(input, xml, fileName, when);
  return signPdf(base, {
    signer: input.signer,
    subFilter: input.subFilter ?? 'adbe.pkcs7.detached',
    when,
    ...(input.tsa ? { tsa: input.tsa } : {}),
    ...(input.revocation ? { revocation: input.revocation } : {}),
    ...(input.digestAlgorithm ? { digestAlgorithm: input.digestAlgorithm } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.certify ? { certify: input.certify } : {}),
    ...(input.contentsSize ? { contentsSize: input.contentsSize } : {}),
  });
}

async function buildPdfA3(
  input: IssueTranscriptInput,
  xml: Uint8Array,
  fileName: string,
  when: Date,
): Promise<Uint8Array> {
  let doc: PDFDocument;
  try {
    doc = input.pdf
      ? await PDFDocument.load(input.pdf, { updateMetadata: false })
      : await PDFDocument.create({ updateMetadata: false });
  } catch (cause) {
    throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', 'The given PDF could not be loaded', { cause });
  }
  const title = input.title ?? 'Academic transcript';
  if (!input.pdf) {
    await drawDefaultPage(
      doc,
      {
        title,
        fileName,
        xml,
        ...(input.institution ? { institution: input.institution } : {}),
        ...(input.student ? { student: input.student } : {}),
      },
      { ...(input.font ? { regular: input.font } : {}), ...(input.boldFont ? { bold: input.boldFont } : {}) },
    );
  }
  ensureSrgbOutputIntent(doc);
  const ctx = doc.context;
  const ef = ctx.flateStream(xml, {
    Type: 'EmbeddedFile',
    Subtype: xmlMime(),
    Params: {
      Size: xml.length,
      ModDate: PDFString.fromDate(when),
      CheckSum: PDFHexString.of(createHash('md5').update(xml).digest('hex')),
    },
  });
  const efRef = ctx.register(ef);
  const fs = ctx.obj({
    Type: 'Filespec',
    F: PDFString.of(fileName),
    UF: PDFHexString.fromText(fileName),
    EF: { F: efRef, UF: efRef },
    Desc: PDFString.of('Transcript XML'),
    AFRelationship: 'Alternative',
  });
  const fsRef = ctx.register(fs);
  doc.catalog.set(
    PDFName.of('Names'),
    ctx.obj({ EmbeddedFiles: { Names: [PDFString.of(fileName), fsRef] } }),
  );
  doc.catalog.set(PDFName.of('AF'), ctx.obj([fsRef]));
  // PDF/A wants every Info entry mirrored in XMP: carry a supplied PDF's Author/Subject/Keywords over,
  // drop Trapped (not mirrored), and write our own title, producer and dates to both.
  const author = input.pdf ? doc.getAuthor() : undefined;
  const subject = input.pdf ? doc.getSubject() : undefined;
  const keywords = input.pdf ? doc.getKeywords() : undefined;
  const info = ctx.trailerInfo.Info ? ctx.lookup(ctx.trailerInfo.Info) : undefined;
  if (info instanceof PDFDict) info.delete(PDFName.of('Trapped'));
  const xmp = buildXmp({
    title,
    fileName,
    createDate: when,
    ...(author ? { author } : {}),
    ...(subject ? { subject } : {}),
    ...(keywords ? { keywords } : {}),
    ...(input.document?.oid ? { documentOid: input.document.oid } : {}),
    ...(input.document?.referenceId ? { referenceId: input.document.referenceId } : {}),
    ...(input.document?.version ? { version: input.document.version } : {}),
  });
  const md = ctx.stream(new TextEncoder().encode(xmp), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), ctx.register(md));
  doc.catalog.set(PDFName.of('MarkInfo'), ctx.obj({ Marked: true }));
  doc.setTitle(title);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  // PDF/A requires a file identifier; derive it from the content so issuing stays deterministic.
  const id = createHash('sha256').update(xml).update(when.toISOString()).digest('hex').slice(0, 32);
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}

function xmlMime(): PDFName {
  return PDFName.of('text/xml');
}

export interface SignPdfOptions {
  signer: { key: KeyInput; chain: (string | Uint8Array)[] };
  subFilter: SubFilter;
  /** Test hook: a SubFilter outside the allowed set, written as given (attack fixtures). */
  rawSubFilter?: string;
  when: Date;
  tsa?: TimeStampFunction;
  revocation?: { crls?: Uint8Array[]; ocsps?: Uint8Array[] };
  digestAlgorithm?: DigestName;
  reason?: string;
  location?: string;
  certify?: 1 | 2 | 3;
  contentsSize?: number;
  fieldName?: string;
}

function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** Adds one signature to `pdf` in an incremental update (the existing bytes stay untouched). */
export async function signPdf(pdf: Uint8Array, options: SignPdfOptions): Promise<Uint8Array> {
  return addSignatureField(pdf, options, undefined);
}

/** Adds an RFC 3161 document time-stamp (PAdES B-LTA) in an incremental update. */
export async function addDocumentTimeStamp(
  pdf: Uint8Array,
  options: { tsa: TimeStampFunction; contentsSize?: number; when?: Date },
): Promise<Uint8Array> {
  return addSignatureField(
    pdf,
    {
      signer: { key: '', chain: [] },
      subFilter: 'ETSI.CAdES.detached',
      when: options.when ?? new Date(),
      ...(options.contentsSize ? { contentsSize: options.contentsSize } : {}),
    },
    options.tsa,
  );
}

async function addSignatureField(
  pdf: Uint8Array,
  options: SignPdfOptions,
  docTsa: TimeStampFunction | undefined,
): Promise<Uint8Array> {
  const reader = new PdfDocument(pdf);
  const rev = reader.last;
  const catalog = reader.catalog(rev);
  const rootRef = rev.trailer.get('Root');
  if (!catalog || !(rootRef instanceof PdfRef))
    throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', 'The PDF has no catalog');
  const pages = reader.resolve(catalog.get('Pages'), rev);
  const kids = pages instanceof PdfDict ? reader.resolve(pages.get('Kids'), rev) : undefined;
  const pageRef = Array.isArray(kids) ? kids[0] : undefined;
  const page = pageRef instanceof PdfRef ? reader.resolve(pageRef, rev) : undefined;
  if (!(pageRef instanceof PdfRef) || !(page instanceof PdfDict))
    throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', 'The PDF has no first page');
  const size = typeof rev.trailer.get('Size') === 'number' ? (rev.trailer.get('Size') as number) : 0;
  const sigNum = size;
  const fieldNum = size + 1;
  const acroRefOld = catalog.get('AcroForm');
  const acroNum = acroRefOld instanceof PdfRef ? acroRefOld.num : size + 2;
  const contentsSize = options.contentsSize ?? 32768;
  const sigRef = new PdfRef(sigNum, 0);
  const fieldRef = new PdfRef(fieldNum, 0);

  const certify = options.certify;
  const ref = certify
    ? ` /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${certify} /V /1.2 >> >>]`
    : '';
  const placeholder = '0000000000';
  const sigText =
    `<< /Type /${docTsa ? 'DocTimeStamp' : 'Sig'} /Filter /Adobe.PPKLite /SubFilter /${docTsa ? 'ETSI.RFC3161' : (options.rawSubFilter ?? options.subFilter)} /ByteRange [0 ${placeholder} ${placeholder} ${placeholder}]` +
    ` /Contents <${'0'.repeat(contentsSize * 2)}> /M (${pdfDate(options.when)})` +
    (options.reason ? ` /Reason <${Buffer.from(options.reason, 'latin1').toString('hex')}>` : '') +
    (options.location ? ` /Location <${Buffer.from(options.location, 'latin1').toString('hex')}>` : '') +
    `${ref} >>`;

  const objects = new Map<number, UpdateObject>();
  objects.set(sigNum, { raw: Buffer.from(sigText, 'latin1') });
  objects.set(fieldNum, {
    value: dict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: str(options.fieldName ?? `Signature${sigNum}`),
      V: sigRef,
      F: 132,
      Rect: [0, 0, 0, 0],
      P: pageRef,
    }),
  });
  const annotsOld = reader.resolve(page.get('Annots'), rev);
  const newPage = new PdfDict(new Map(page.map), -1, -1);
  newPage.map.set('Annots', [...(Array.isArray(annotsOld) ? annotsOld : []), fieldRef]);
  objects.set(pageRef.num, { value: newPage });
  const newCatalog = new PdfDict(new Map(catalog.map), -1, -1);
  const acroOld = reader.resolve(catalog.get('AcroForm'), rev);
  const fieldsOld = acroOld instanceof PdfDict ? reader.resolve(acroOld.get('Fields'), rev) : undefined;
  const acro = new PdfDict(new Map(acroOld instanceof PdfDict ? acroOld.map : []), -1, -1);
  acro.map.set('Fields', [...(Array.isArray(fieldsOld) ? fieldsOld : []), fieldRef]);
  acro.map.set('SigFlags', 3);
  objects.set(acroNum, { value: acro });
  // Reuse an indirect AcroForm so a later signature or time-stamp leaves the catalog untouched.
  if (!(acroRefOld instanceof PdfRef) || certify) {
    newCatalog.map.set('AcroForm', new PdfRef(acroNum, 0));
    if (certify) newCatalog.map.set('Perms', dict({ DocMDP: sigRef }));
    objects.set(rootRef.num, { value: newCatalog });
  }
  const trailer: Record<string, PdfObject> = { Root: rootRef };
  const info = rev.trailer.get('Info');
  if (info !== undefined) trailer.Info = info;
  const id = rev.trailer.get('ID');
  if (id !== undefined) trailer.ID = id;
  const appended = appendIncrementalUpdate(
    pdf,
    { objects, trailer },
    rev.startxref,
    Math.max(size, acroNum + 1),
  );
  const out = appended.bytes;
  const sigOffset = appended.offsets.get(sigNum)! + `${sigNum} 0 obj\n`.length;
  const brAt = sigOffset + sigText.indexOf('/ByteRange [') + '/ByteRange ['.length;
  const contentsStart = sigOffset + sigText.indexOf('/Contents <') + '/Contents '.length;
  const contentsEnd = contentsStart + contentsSize * 2 + 2;
  const byteRange = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const brText = `0 ${byteRange[1]} ${byteRange[2]} ${byteRange[3]}`;
  const brField = `0 ${placeholder} ${placeholder} ${placeholder}`;
  Buffer.from(out.buffer, out.byteOffset).write(brText.padEnd(brField.length, ' '), brAt, 'latin1');

  if (docTsa) {
    const h = createHash('sha256')
      .update(out.subarray(0, contentsStart))
      .update(out.subarray(contentsEnd))
      .digest();
    const token = await docTsa({ imprint: new Uint8Array(h), hashAlgorithm: 'SHA-256' });
    if (token.length > contentsSize)
      throw new TranscriptError('ERR_TRANSCRIPT_TSA', 'The time-stamp token does not fit the placeholder');
    Buffer.from(out.buffer, out.byteOffset).write(
      Buffer.from(token).toString('hex'),
      contentsStart + 1,
      'latin1',
    );
    return out;
  }
  const chain = decodeCertificates(options.signer.chain);
  const key = await importPrivateKey(options.signer.key, options.digestAlgorithm ?? 'SHA-256');
  const cades = options.subFilter === 'ETSI.CAdES.detached';
  const cms = await signDetachedCms({
    data: [out.subarray(0, contentsStart), out.subarray(contentsEnd)],
    privateKey: key,
    chain,
    ...(options.digestAlgorithm ? { digestAlgorithm: options.digestAlgorithm } : {}),
    ...(cades ? {} : { signingTime: options.when }),
    essSigningCertificate: cades,
    ...(!cades && options.revocation ? { revocation: options.revocation } : {}),
    ...(options.tsa ? { timeStamp: options.tsa } : {}),
  });
  if (cms.length > contentsSize) {
    throw new TranscriptError(
      'ERR_TRANSCRIPT_ISSUE',
      `The signature (${cms.length} bytes) does not fit the ${contentsSize}-byte placeholder`,
    );
  }
  Buffer.from(out.buffer, out.byteOffset).write(
    Buffer.from(cms).toString('hex'),
    contentsStart + 1,
    'latin1',
  );
  if (cades && options.revocation && (options.revocation.crls?.length || options.revocation.ocsps?.length)) {
    return addDss(out, {
      certs: chain,
      crls: options.revocation.crls ?? [],
      ocsps: options.revocation.ocsps ?? [],
    });
  }
  return out;
}

/** Appends a /DSS dictionary (PAdES B-LT): certificates, CRLs and OCSP responses as streams. */
export function addDss(
  pdf: Uint8Array,
  data: { certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] },
): Uint8Array {
  const reader = new PdfDocument(pdf);
  const rev = reader.last;
  const catalog = reader.catalog(rev);
  const rootRef = rev.trailer.get('Root');
  if (!catalog || !(rootRef instanceof PdfRef))
    throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', 'The PDF has no catalog');
  let next = typeof rev.trailer.get('Size') === 'number' ? (rev.trailer.get('Size') as number) : 0;
  const size = next;
  const objects = new Map<number, UpdateObject>();
  const refs = (list: Uint8Array[]) =>
    list.map((b) => {
      const n = next++;
      objects.set(n, { stream: b, dict: dict({}) });
      return new PdfRef(n, 0);
    });
  const dss = dict({ Certs: refs(data.certs), CRLs: refs(data.crls), OCSPs: refs(data.ocsps) });
  const newCatalog = new PdfDict(new Map(catalog.map), -1, -1);
  newCatalog.map.set('DSS', dss);
  objects.set(rootRef.num, { value: newCatalog });
  const trailer: Record<string, PdfObject> = { Root: rootRef };
  for (const k of ['Info', 'ID']) {
    const v = rev.trailer.get(k);
    if (v !== undefined) trailer[k] = v;
  }
  return appendIncrementalUpdate(pdf, { objects, trailer }, rev.startxref, Math.max(size, next)).bytes;
}
