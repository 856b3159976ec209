// Hidden revisions: an update whose cross-reference section no revision owns (a bare `startxref` revision pointing
// back into an earlier, otherwise unreferenced section), a complete xref without /Prev that leaves a signed object
// out, and a dangling reference of the signed revision filled in later. What a viewer renders is the final xref:
// every object it resolves differently from the signed revision is a change.
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import { decodeStream } from '../../src/pdf/filters.js';
import { type PdfObject, PdfRef, type PdfStream } from '../../src/pdf/objects.js';
import { appendIncrementalUpdate, dict, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { diffAfter } from '../../src/verify/modifications.js';
import { PDF_POLICY, type VerificationPolicy } from '../../src/verify/policy.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const SECURITY = { ...PDF_POLICY, name: 'security-updates', afterSigning: 'security-updates' as const };
const approval = await signedFixture('B-T');
const certified = await signedFixture('B-T', 1);

/** The first page's first content stream object number, as the last revision sees it. */
function contentNum(doc: PdfDocument): number {
  const last = doc.last;
  const pages = doc.resolve(doc.catalog(last)?.get('Pages'), last) as unknown as {
    get(k: string): PdfObject;
  };
  const page = doc.resolve((doc.resolve(pages.get('Kids'), last) as PdfObject[])[0], last) as unknown as {
    get(k: string): PdfObject;
  };
  const c = page.get('Contents');
  return ((Array.isArray(c) ? c[0] : c) as PdfRef).num;
}

/** R2 = `\0` + the rewritten content stream + an xref listing it (its own startxref points back to the signed
 * section); R3 = only `startxref <R2's section>`. */
function hiddenXref(pdf: Uint8Array): Uint8Array {
  const doc = new PdfDocument(pdf);
  const last = doc.last;
  const n = contentNum(doc);
  const orig = Buffer.from(decodeStream(doc.getObject(n, last) as PdfStream, doc.budget)).toString('latin1');
  const forged = `${orig}\nBT /F1 14 Tf 72 500 Td (Approved: 10,000,000 THB) Tj ET`;
  const base = Buffer.from(pdf);
  let s = '\x00';
  const at = () => base.length + Buffer.byteLength(s, 'latin1');
  const objOff = at();
  s += `${n} 0 obj\n<< /Length ${forged.length} >>\nstream\n${forged}\nendstream\nendobj\n`;
  const xrefOff = at();
  s += `xref\n0 1\n0000000000 65535 f \n${n} 1\n${String(objOff).padStart(10, '0')} 00000 n \n`;
  s += `trailer\n<< /Size ${last.trailer.get('Size')} /Root ${(last.trailer.get('Root') as PdfRef).num} 0 R`;
  s += ` /Prev ${last.startxref} >>\nstartxref\n${last.startxref}\n%%EOF\n`;
  s += `startxref\n${xrefOff}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([base, Buffer.from(s, 'latin1')]));
}

/** A complete xref without /Prev appended after signing that simply leaves the page content stream out. */
function omitted(pdf: Uint8Array): Uint8Array {
  const doc = new PdfDocument(pdf);
  const last = doc.last;
  const skip = contentNum(doc);
  const size = Math.max(...last.xref.keys()) + 1;
  const row = (i: number) => {
    const e = last.xref.get(i);
    return i === 0 || e?.kind !== 'offset'
      ? '0000000000 65535 f \n'
      : `${String(e.offset).padStart(10, '0')} 00000 n \n`;
  };
  let x = `xref\n0 ${skip}\n`;
  for (let i = 0; i < skip; i++) x += row(i);
  x += `${skip + 1} ${size - skip - 1}\n`;
  for (let i = skip + 1; i < size; i++) x += row(i);
  const root = (last.trailer.get('Root') as PdfRef).num;
  x += `trailer\n<< /Size ${size} /Root ${root} 0 R >>\nstartxref\n${pdf.length}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(pdf), Buffer.from(x, 'latin1')]));
}

describe('hidden revisions after signing', () => {
  it.each([
    ['approval', approval],
    ['certified P=1', certified],
  ])('a page content rewritten through an xref section no revision owns (%s)', async (_, f) => {
    const report = await f.verify(hiddenXref(f.pdf));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
    expect(report.anomalies.map((a) => a.code)).toContain('STARTXREF_OUTSIDE_REVISION');
  });

  it('the final object table is compared with the signed one, whoever owns the section', () => {
    const doc = new PdfDocument(hiddenXref(approval.pdf));
    const signed = doc.revisionEndingAt(approval.pdf.length)!;
    const diff = diffAfter(doc, signed);
    expect(diff.level).toBe('OTHER');
    expect(diff.changes.map((c) => c.object)).toContain(contentNum(new PdfDocument(approval.pdf)));
  });

  it('an object header after a NUL (PDF white-space) is seen by the definition scan', () => {
    const last = new PdfDocument(approval.pdf).last;
    const root = (last.trailer.get('Root') as PdfRef).num;
    const body = '\x0099 0 obj\n<< /Type /Page >>\nendobj\n';
    const xref = approval.pdf.length + body.length;
    const tail = `${body}xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size ${last.trailer.get('Size')} /Root ${root} 0 R /Prev ${last.startxref} >>\nstartxref\n${xref}\n%%EOF\n`;
    const doc = new PdfDocument(
      new Uint8Array(Buffer.concat([Buffer.from(approval.pdf), Buffer.from(tail, 'latin1')])),
    );
    expect(doc.anomalies.map((a) => a.code)).toContain('UNLISTED_OBJECT');
  });

  it('a complete xref without /Prev that leaves a signed object out (the object is deleted)', async () => {
    const bytes = omitted(certified.pdf);
    const report = await certified.verify(bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });
});

describe('a dangling reference of the signed revision filled in later', async () => {
  const pki = await createSigningPki();
  let dangling = 0;
  const pre = appendUpdate(await letterPdf(), ({ doc, pageRef, page }) => {
    dangling = (doc.last.trailer.get('Size') as number) + 40;
    const c = page.get('Contents');
    const contents = [...(Array.isArray(c) ? c : [c as PdfObject]), new PdfRef(dangling, 0)];
    return new Map([[pageRef.num, { value: edited(page, { Contents: contents }) }]]);
  });
  const pdf = await signPdf(pre, {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName: 'Officer',
    certify: 1,
  });
  const verify = (b: Uint8Array, policy?: VerificationPolicy) =>
    verifyPdfSignatures(b, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
      ...(policy ? { policy } : {}),
    });
  const doc = new PdfDocument(pdf);
  const last = doc.last;
  const rootRef = last.trailer.get('Root') as PdfRef;
  const stream: UpdateObject = {
    stream: Buffer.from('BT /F1 14 Tf 72 500 Td (Approved: 10,000,000 THB) Tj ET'),
    dict: dict({}),
  };
  const update = (objects: Map<number, UpdateObject>) =>
    appendIncrementalUpdate(
      pdf,
      { objects, trailer: { Root: rootRef } },
      last.startxref,
      last.trailer.get('Size') as number,
    ).bytes;

  it('the signed revision reports the reference to a missing object', async () => {
    const shadow = (await verify(pdf)).signatures[0]?.checks.find((c) => c.id === 'shadow-signals');
    expect(shadow?.warnings?.join(' ')).toMatch(/missing/);
  });

  it('a policy that refuses shadow signals still takes it: a writer may leave one, and filling it fails below', async () => {
    const report = await verify(pdf, { ...PDF_POLICY, name: 'strict-shadow', shadowSignals: 'refuse' });
    const shadow = report.signatures[0]?.checks.find((c) => c.id === 'shadow-signals');
    expect(shadow?.status).toBe('PASSED');
    expect(shadow?.warnings?.join(' ')).toMatch(/missing/);
  });

  it('the object defined after signing, nothing else', async () => {
    const report = await verify(update(new Map([[dangling, stream]])));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it.each([
    ['docmdp', undefined],
    ['security-updates', SECURITY],
  ])('the object defined after signing and hung under a new /DSS (%s)', async (_, policy) => {
    const bytes = update(
      new Map<number, UpdateObject>([
        [dangling, stream],
        [dangling + 1, { value: dict({ Certs: [], Extra: new PdfRef(dangling, 0) }) }],
        [rootRef.num, { value: edited(doc.catalog(last)!, { DSS: new PdfRef(dangling + 1, 0) }) }],
      ]),
    );
    const report = await verify(bytes, policy);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('a stream under /DSS that is not in a /DSS position is not validation data', async () => {
    const bytes = update(
      new Map<number, UpdateObject>([
        [dangling + 2, stream],
        [dangling + 1, { value: dict({ Certs: [], Extra: new PdfRef(dangling + 2, 0) }) }],
        [rootRef.num, { value: edited(doc.catalog(last)!, { DSS: new PdfRef(dangling + 1, 0) }) }],
      ]),
    );
    expect((await verify(bytes)).signatures[0]?.modification).toBe('OTHER');
  });
});
