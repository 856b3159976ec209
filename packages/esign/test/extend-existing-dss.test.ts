// Extending a file whose /DSS another tool wrote (Acrobat's spelling: an indirect /DSS with /Type, an indirect
// /VRI keyed by the upper-case SHA-1 of a signature's /Contents, entries with /TU, data Acrobat fetched that esign
// was not given, and a store larger than esign reads at once). The /DSS esign writes must keep every entry it
// found: what Acrobat proved for a signature is still proof, and another signature's /VRI entry is not ours.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { dictOf, PdfDict, type PdfObject, PdfRef, PdfString } from '../src/pdf/objects.js';
import { dict, name, str, type UpdateObject } from '../src/pdf/writer.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const bt = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-T',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});
const OTHER_KEY = 'A'.repeat(40);
const JUNK = 1_100;

/** The upper-case SHA-1 of the signature's /Contents CMS (its DER, without the zero padding). */
function vriKey(pdf: Uint8Array): string {
  const doc = new PdfDocument(pdf);
  for (const [num] of doc.last.xref) {
    const v = doc.getObject(num, doc.last);
    const c = v instanceof PdfDict ? v.get('Contents') : undefined;
    if (v instanceof PdfDict && c instanceof PdfString && v.get('ByteRange')) {
      const b = c.bytes;
      const n = (b[1] ?? 0) & 0x7f;
      let len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (b[2 + i] ?? 0);
      return createHash('sha1')
        .update(b.subarray(0, 2 + n + len))
        .digest('hex')
        .toUpperCase();
    }
  }
  throw new Error('no signature');
}

/** `bt` with an Acrobat-style /DSS: the officer's OCSP answer (esign is not given it) and many certificates. */
function withAcrobatDss(pdf: Uint8Array): Uint8Array {
  const key = vriKey(pdf);
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const objects = new Map<number, UpdateObject>();
    const stream = (bytes: Uint8Array) => {
      const r = new PdfRef(next(), 0);
      objects.set(r.num, { stream: bytes, dict: dict({}) });
      return r;
    };
    const ocsp = stream(pki.officerOcsp);
    const certs = [stream(pki.officer.cert), stream(pki.ca.cert)];
    for (let i = 0; i < JUNK; i++) certs.push(stream(new TextEncoder().encode(`not a certificate ${i}`)));
    const vriRef = new PdfRef(next(), 0);
    const entry = (more: Record<string, PdfObject>) =>
      dict({
        Type: name('VRI'),
        Cert: certs.slice(0, 2),
        OCSP: [ocsp],
        TU: str('D:20260101000000Z'),
        ...more,
      });
    objects.set(vriRef.num, {
      value: new PdfDict(
        new Map<string, PdfObject>([
          [key, entry({})],
          [OTHER_KEY, entry({ TS: str('x') })],
        ]),
        -1,
        -1,
      ),
    });
    const dssRef = new PdfRef(next(), 0);
    objects.set(dssRef.num, {
      value: dict({ Type: name('DSS'), Certs: certs, OCSPs: [ocsp], CRLs: [], VRI: vriRef }),
    });
    objects.set(rootRef.num, { value: edited(catalog, { DSS: dssRef }) });
    return objects;
  });
}

function dssOf(pdf: Uint8Array) {
  const doc = new PdfDocument(pdf);
  const dss = dictOf(doc.resolve(doc.catalog(doc.last)?.get('DSS'), doc.last))!;
  const arr = (k: string) => (doc.resolve(dss.get(k), doc.last) as PdfRef[]).map((r) => r.num);
  const vri = dictOf(doc.resolve(dss.get('VRI'), doc.last))!;
  return { doc, dss, arr, vri };
}

describe('extendPdf on a /DSS another tool wrote', () => {
  it('keeps every entry: its arrays, its /Type, other signatures’ /VRI entries, and merges our own', async () => {
    const acrobat = withAcrobatDss(bt);
    const before = dssOf(acrobat);
    const lt = await extendPdf(acrobat, {
      level: 'B-LT',
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const after = dssOf(lt);
    for (const k of ['Certs', 'OCSPs']) expect(after.arr(k)).toEqual(expect.arrayContaining(before.arr(k)));
    expect(after.arr('Certs').length).toBeGreaterThanOrEqual(JUNK + 2);
    expect(after.dss.get('Type')).toEqual(name('DSS'));
    expect(after.vri.get(OTHER_KEY)).toBeDefined();
    const own = dictOf(after.doc.resolve(after.vri.get(vriKey(bt)), after.doc.last))!;
    // Acrobat's OCSP answer and /TU stay in the signature's entry; esign's CRLs join it.
    expect((own.get('OCSP') as PdfRef[]).map((r) => r.num)).toEqual(before.arr('OCSPs'));
    expect(own.get('TU')).toBeDefined();
    expect((own.get('CRL') as PdfRef[]).length).toBeGreaterThan(0);
    const report = await verifyPdfSignatures(lt, { trustAnchors: [pki.root.cert] });
    expect(report.signatures[0]?.level).toBe('B-LT');
  });
});
