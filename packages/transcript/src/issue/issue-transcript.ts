import { createHash } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import type { PDFDocument } from 'pdf-lib';
import { TranscriptError } from '../errors.js';
import type { KeyInput } from '../pki/keys.js';
import { drawDefaultPage } from './default-page.js';
import { loadPdfLib, type PdfLib } from './dependencies.js';
import { ensureSrgbOutputIntent } from './output-intent.js';
import { type SubFilter, signPdf } from './sign-pdf.js';
import { assertVerifiableXml } from './verifiable-xml.js';
import { buildXmp, PRODUCER } from './xmp.js';

/** The input of `issueTranscript`: student, institution, XML, signer, revocation data, TSA and page options. */
export interface IssueTranscriptInput {
  /**
   * The transcript XML (bytes are attached exactly as given; a string as UTF-8). It must pass verifyTranscript's
   * XML check (`ERR_TRANSCRIPT_XML` otherwise).
   */
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
  /** The ETDA XMP fields (ed:DocumentOID, DocumentReferenceID, DocumentVersion); no control characters. */
  document?: { oid?: string; referenceId?: string; version?: string };
  signer: { key: KeyInput; chain: (string | Uint8Array)[] };
  tsa?: TimeStampFunction;
  /** CRLs/OCSP responses (DER): in revocationInfoArchival for adbe, in /DSS for CAdES. */
  revocation?: { crls?: Uint8Array[]; ocsps?: Uint8Array[] };
  subFilter?: SubFilter;
  digestAlgorithm?: DigestName;
  /**
   * The claimed signing time; default now. With `tsa` and `adbe.pkcs7.detached` (a CMS signingTime), one more
   * than five minutes later than the token's genTime is ERR_INVALID_ARG (verification would call the transcript
   * INDETERMINATE, TIMESTAMP_ORDER_FAILURE).
   */
  signingTime?: Date;
  reason?: string;
  location?: string;
  /** DocMDP certification level (P). Omitted: an approval signature. */
  certify?: 1 | 2 | 3;
  /** Bytes reserved for the CMS in /Contents. Default 32768. */
  contentsSize?: number;
}

// A lone surrogate (a UTF-16 slice through an emoji or a supplementary-plane name) or U+FFFE/U+FFFF: the XMP could
// not be XML, or would read otherwise than Info (PDF/A wants them equal) and lose text. Refused, never mended.
const UNWRITABLE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/;
const writableText = z.string().refine((s) => !UNWRITABLE.test(s), {
  message: 'must be well-formed Unicode without U+FFFE or U+FFFF',
});

// XML 1.0 (the XMP) cannot carry C0 controls other than tab and line breaks: refused, never dropped in writing.
const xmpText = writableText.refine(
  (s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 && c !== '\t' && c !== '\n' && c !== '\r'),
  { message: 'must not contain control characters' },
);

// XMP and the page cannot carry control characters; keep them out of every shown text.
const pageText = writableText
  .max(200)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
  });

const inputSchema = z
  .object({
    // A lone surrogate would be encoded as U+FFFD: the attached transcript would not be the caller's text.
    xml: z.union([writableText.min(1), z.instanceof(Uint8Array)]),
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
        oid: xmpText.optional(),
        referenceId: xmpText.optional(),
        version: xmpText.optional(),
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
    reason: writableText.max(200).optional(),
    location: writableText.max(200).optional(),
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
 * signs it in an incremental update, the way ETDA's reference signer does. XML that `verifyTranscript` would
 * refuse (malformed, a DTD, forbidden characters, past its default size or depth, an XML-DSig that does not verify
 * or is not the PDF signer's) is refused first with a `TranscriptError` `ERR_TRANSCRIPT_XML`: nothing is signed.
 * Needs the optional peer dependencies `pdf-lib`, `harfbuzzjs` and `@expo-google-fonts/sarabun` (a `TranscriptError`
 * `ERR_TRANSCRIPT_DEPENDENCY` names the one missing).
 *
 * @example
 * ```ts
 * import { issueTranscript } from '@thgov/transcript/issue';
 *
 * const pdf = await issueTranscript({
 *   xml,
 *   signer: { key: privateKeyPem, chain: [signerCertPem, caCertPem] },
 *   institution: 'มหาวิทยาลัยตัวอย่าง',
 *   student: { nameTh: 'นางสาวสมศรี ใจดี', nameEn: 'Ms Somsri Jaidee' },
 * });
 * ```
 */
export async function issueTranscript(input: IssueTranscriptInput): Promise<Uint8Array> {
  const xml = checkedXmlBytes(input);
  // What the package's own verification would refuse is never signed.
  await assertVerifiableXml(xml, input.signer.chain[0]);
  return issueXml(input, xml);
}

/**
 * `issueTranscript` without the XML check, for the test fixtures that must issue hostile XML (attack corpus). Not
 * exported by the package.
 * @internal
 */
export async function issueTranscriptUnchecked(input: IssueTranscriptInput): Promise<Uint8Array> {
  return issueXml(input, checkedXmlBytes(input));
}

/** The input checked against the schema (ERR_INVALID_ARG naming the path, never the value); the XML as bytes. */
function checkedXmlBytes(input: IssueTranscriptInput): Uint8Array {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidArgument(
      `Invalid issueTranscript input at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return typeof input.xml === 'string' ? new TextEncoder().encode(input.xml) : input.xml;
}

async function issueXml(input: IssueTranscriptInput, xml: Uint8Array): Promise<Uint8Array> {
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
  const lib = await loadPdfLib();
  let doc: PDFDocument;
  try {
    doc = input.pdf
      ? await lib.PDFDocument.load(input.pdf, { updateMetadata: false })
      : await lib.PDFDocument.create({ updateMetadata: false });
  } catch (cause) {
    throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', 'The given PDF could not be loaded', { cause });
  }
  const title = input.title ?? 'Academic transcript';
  if (!input.pdf) {
    await drawDefaultPage(
      lib,
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
  ensureSrgbOutputIntent(lib, doc);
  attachXml(lib, doc, xml, fileName, when);
  writeMetadata(lib, doc, input, { title, fileName, when });
  // PDF/A requires a file identifier; derive it from the content so issuing stays deterministic.
  const id = createHash('sha256').update(xml).update(when.toISOString()).digest('hex').slice(0, 32);
  doc.context.trailerInfo.ID = doc.context.obj([lib.PDFHexString.of(id), lib.PDFHexString.of(id)]);
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}

/** The XML as an associated file: in `/Names/EmbeddedFiles` and the catalog `/AF`, AFRelationship Alternative. */
function attachXml(lib: PdfLib, doc: PDFDocument, xml: Uint8Array, fileName: string, when: Date): void {
  const { PDFHexString, PDFName, PDFString } = lib;
  const ctx = doc.context;
  const ef = ctx.flateStream(xml, {
    Type: 'EmbeddedFile',
    Subtype: PDFName.of('text/xml'),
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
}

/**
 * XMP (PDF/A-3B with the ETDA `ed:` schema) and the Info entries it mirrors: PDF/A wants every Info entry echoed
 * in XMP, so a supplied PDF's Author/Subject/Keywords are carried over, Trapped (not mirrored) is dropped, and our
 * own title, producer and dates are written to both.
 */
function writeMetadata(
  lib: PdfLib,
  doc: PDFDocument,
  input: IssueTranscriptInput,
  page: { title: string; fileName: string; when: Date },
): void {
  const ctx = doc.context;
  const author = input.pdf ? doc.getAuthor() : undefined;
  const subject = input.pdf ? doc.getSubject() : undefined;
  const keywords = input.pdf ? doc.getKeywords() : undefined;
  const info = ctx.trailerInfo.Info ? ctx.lookup(ctx.trailerInfo.Info) : undefined;
  if (info instanceof lib.PDFDict) info.delete(lib.PDFName.of('Trapped'));
  const xmp = buildXmp({
    title: page.title,
    fileName: page.fileName,
    createDate: page.when,
    ...(author ? { author } : {}),
    ...(subject ? { subject } : {}),
    ...(keywords ? { keywords } : {}),
    ...(input.document?.oid ? { documentOid: input.document.oid } : {}),
    ...(input.document?.referenceId ? { referenceId: input.document.referenceId } : {}),
    ...(input.document?.version ? { version: input.document.version } : {}),
  });
  const md = ctx.stream(new TextEncoder().encode(xmp), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(lib.PDFName.of('Metadata'), ctx.register(md));
  doc.catalog.set(lib.PDFName.of('MarkInfo'), ctx.obj({ Marked: true }));
  doc.setTitle(page.title);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(page.when);
  doc.setModificationDate(page.when);
}
