import { PdfDocument } from '@thgov/esign';
import {
  decodeStream,
  dict,
  name,
  PdfDict,
  type PdfObject,
  PdfRef,
  type PdfStream,
  PdfString,
  str,
  type UpdateObject,
} from '@thgov/esign/internal';
import { signPdf } from '../../src/issue/sign-pdf.js';
import { chainOf, update } from '../fixtures/generate.js';
import type { TestPki } from './pki.js';

/** The first revision of an issued transcript: the PDF/A-3 with its XML attached, before it was signed. */
export function unsignedRevision(pdf: Uint8Array): Uint8Array {
  const s = Buffer.from(pdf).toString('latin1');
  let end = s.indexOf('%%EOF') + 5;
  while (s[end] === '\n' || s[end] === '\r') end++;
  return pdf.slice(0, end);
}

/** Signs `pdf` as the issuer does: the test signer with its chain, a time-stamp and the CRLs. */
export function signAsIssuer(pki: TestPki, pdf: Uint8Array): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: { key: pki.signer.key, chain: chainOf(pki.signer, pki) },
    subFilter: 'adbe.pkcs7.detached',
    when: pki.now,
    tsa: pki.tsaFn,
    revocation: { crls: [pki.crlCa, pki.crlRoot] },
  });
}

/** A copy of `d` with `changes` applied (undefined removes a key). */
export function withEntries(d: PdfDict, changes: Record<string, PdfObject | undefined>): PdfDict {
  const m = new Map(d.map);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return new PdfDict(m, -1, -1);
}

/** A PDF text string in UTF-16BE with its byte order mark (how /UF carries a Thai name). */
export function utf16Text(text: string): PdfString {
  const be = Buffer.from(text, 'utf16le').swap16();
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), false, -1, -1);
}

/** The transcript attachment of an issued PDF's last revision: its file specification and the XMP stream. */
export function attachmentParts(pdf: Uint8Array) {
  const doc = new PdfDocument(pdf);
  const rev = doc.last;
  const catalog = doc.catalog(rev)!;
  const names = doc.resolve(catalog.get('Names'), rev) as PdfDict;
  const tree = doc.resolve(names.get('EmbeddedFiles'), rev) as PdfDict;
  const entries = doc.resolve(tree.get('Names'), rev) as PdfObject[];
  const fileSpecRef = entries[1] as PdfRef;
  const fileSpec = doc.resolve(fileSpecRef, rev) as PdfDict;
  const metadataRef = catalog.get('Metadata') as PdfRef;
  const metadata = doc.resolve(metadataRef, rev) as PdfStream;
  const xmp = Buffer.from(decodeStream(metadata, doc.budget)).toString('utf8');
  return { fileSpecRef, fileSpec, metadataRef, xmp };
}

/** Appends an update replacing the catalog entries in `changes`. */
export function editCatalog(pdf: Uint8Array, changes: Record<string, PdfObject | undefined>): Uint8Array {
  return update(
    pdf,
    ({ catalog, rootRef }) => new Map([[rootRef.num, { value: withEntries(catalog, changes) }]]),
  );
}

/** Appends an update replacing the first page's entries in `changes`. */
export function editPage(pdf: Uint8Array, changes: Record<string, PdfObject | undefined>): Uint8Array {
  return update(pdf, ({ page }) => new Map([[page.ref.num, { value: withEntries(page.dict, changes) }]]));
}

/** Appends an update replacing the XMP packet. */
export function withXmp(pdf: Uint8Array, xmp: string): Uint8Array {
  const { metadataRef } = attachmentParts(pdf);
  return update(
    pdf,
    () =>
      new Map([
        [
          metadataRef.num,
          { stream: Buffer.from(xmp), dict: dict({ Type: name('Metadata'), Subtype: name('XML') }) },
        ],
      ]),
  );
}

/**
 * Appends an update adding a second XML file specification (`xml`, named `fileName`) to the first page's /AF, and
 * returns the PDF and the new file specification's object number.
 */
export function addPageAfXml(
  pdf: Uint8Array,
  xml: string,
  fileName: string,
): { pdf: Uint8Array; num: number } {
  let num = -1;
  const out = update(pdf, ({ next, page }) => {
    const streamNum = next();
    num = next();
    const bytes = Buffer.from(xml);
    const objects = new Map<number, UpdateObject>([
      [
        streamNum,
        {
          stream: bytes,
          dict: dict({
            Type: name('EmbeddedFile'),
            Subtype: name('text/xml'),
            Params: dict({ Size: bytes.length }),
          }),
        },
      ],
      [
        num,
        {
          value: dict({
            Type: name('Filespec'),
            F: str(fileName),
            UF: str(fileName),
            EF: dict({ F: new PdfRef(streamNum, 0), UF: new PdfRef(streamNum, 0) }),
            AFRelationship: name('Alternative'),
          }),
        },
      ],
      [page.ref.num, { value: withEntries(page.dict, { AF: [new PdfRef(num, 0)] }) }],
    ]);
    return objects;
  });
  return { pdf: out, num };
}
