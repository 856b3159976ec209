import { PdfDocument } from '../../src/pdf/document.js';
import { PdfDict, PdfName, type PdfObject, type PdfRef } from '../../src/pdf/objects.js';
import { appendIncrementalUpdate, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import type { PadesLevel } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, type SigningPki, signerFor } from './pki.js';

/** `pdf` signed by the PKI's officer in the field 'Officer' at `level` (certified with `certify`). */
export function signAsOfficer(
  pki: SigningPki,
  pdf: Uint8Array,
  level: PadesLevel = 'B-T',
  certify?: 1 | 2 | 3,
): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: signerFor(pki, pki.officer),
    level,
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName: 'Officer',
    ...(certify ? { certify } : {}),
  });
}

/** A PKI, a document signed by esign at `level`, and a verifier bound to the PKI's root. */
export async function signedFixture(level: PadesLevel = 'B-T', certify?: 1 | 2 | 3) {
  const pki = await createSigningPki();
  const pdf = await signAsOfficer(pki, await letterPdf(), level, certify);
  const verify = (bytes: Uint8Array) =>
    verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });
  return { pki, pdf, verify };
}

export type Fixture = { pki: SigningPki; pdf: Uint8Array };

/** Appends one incremental update built from the last revision: what an attacker with a text editor can do. */
export function appendUpdate(
  pdf: Uint8Array,
  build: (ctx: {
    doc: PdfDocument;
    catalog: PdfDict;
    rootRef: PdfRef;
    next: () => number;
    pageRef: PdfRef;
    page: PdfDict;
  }) => Map<number, UpdateObject>,
): Uint8Array {
  const doc = new PdfDocument(pdf);
  const rev = doc.last;
  const rootRef = rev.trailer.get('Root') as PdfRef;
  const catalog = doc.catalog(rev)!;
  let size = rev.trailer.get('Size') as number;
  const pages = doc.resolve(catalog.get('Pages'), rev) as PdfDict;
  const pageRef = (doc.resolve(pages.get('Kids'), rev) as PdfObject[])[0] as PdfRef;
  const page = doc.resolve(pageRef, rev) as PdfDict;
  const objects = build({ doc, catalog, rootRef, next: () => size++, pageRef, page });
  return appendIncrementalUpdate(pdf, { objects, trailer: { Root: rootRef } }, rev.startxref, size).bytes;
}

/** A copy of `d` with `changes` applied (undefined removes a key). */
export function edited(d: PdfDict, changes: Record<string, PdfObject | undefined>): PdfDict {
  const m = new Map(d.map);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return new PdfDict(m, -1, -1);
}

/** The object number and dictionary of the (first) `/Type /Sig` signature dictionary. */
export function signatureDictionary(pdf: Uint8Array): { num: number; dict: PdfDict } {
  const doc = new PdfDocument(pdf);
  for (const [num] of doc.last.xref) {
    const v = doc.getObject(num, doc.last);
    const type = v instanceof PdfDict ? v.get('Type') : undefined;
    if (v instanceof PdfDict && type instanceof PdfName && type.name === 'Sig') return { num, dict: v };
  }
  throw new Error('no signature dictionary');
}

/** Rewrites the signature dictionary in a later revision (with `raw`, as literal text). */
export function replaceSignatureDictionary(
  pdf: Uint8Array,
  changes: Record<string, PdfObject | undefined>,
  raw?: string,
): Uint8Array {
  const { num, dict } = signatureDictionary(pdf);
  return appendUpdate(
    pdf,
    () => new Map([[num, raw ? { raw: Buffer.from(raw, 'latin1') } : { value: edited(dict, changes) }]]),
  );
}
