import { createHash } from 'node:crypto';
import { PdfDocument } from '@thgov/esign';
import {
  appendIncrementalUpdate,
  dict,
  name,
  PdfDict,
  type PdfObject,
  PdfRef,
  signDetachedCms,
  str,
  type UpdateObject,
} from '@thgov/esign/internal';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import { TranscriptError } from '../errors.js';
import { importPrivateKey, type KeyInput } from '../pki/keys.js';
import { decodeCertificates } from '../pki/pem.js';

/** The signature formats issuing writes. */
export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

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
