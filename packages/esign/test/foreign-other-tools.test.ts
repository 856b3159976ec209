// PDFs signed by another program (poppler's `pdfsig -add-signature` / `-sign`, which signs with NSS and writes its
// own incremental update), and signature dictionaries naming another signature handler in /Filter. No thgov signing
// code writes the signatures under test.
//
// Three refusals of legitimate files were found here:
// - A second signer that fills an empty signature field prepared in the form (poppler) stamps the widget's /M
//   (the annotation's modification date) and, when the widget is a /Kids entry of its field, puts /V on the widget.
//   Both were "a signed object was changed" (OTHER): the first signature was TOTAL_FAILED.
// - A page /Annots or the form /Fields held as an indirect array object is written again by the next signer
//   (poppler, iText), the page or AcroForm left as it was: the array was "a signed object was changed" (OTHER).
// - /Filter names the signer's preferred handler (Entrust.PPKEF, CICI.SignIt, VeriSign.PPKVS — iText 5 writes the
//   last on request); ISO 32000-1 §12.8.1 lets any handler that reads the /SubFilter verify it. Any name but
//   Adobe.PPKLite or Adobe.PPKMS was a FORMAT_FAILURE.
import { execFileSync, spawnSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';
import { requireTool } from '@thgov/testkit';
import { PDFDocument, PDFName, type PDFRef, PDFString } from 'pdf-lib';
import { beforeAll, expect, it } from 'vitest';
import { dictOf, PdfRef, PdfString } from '../src/pdf/objects.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { foreignSign, opensslCms } from './helpers/foreign-signer.js';
import { PdfsigDb } from './helpers/pdfsig.js';
import { createSigningPki, type Identity, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const chain = [pki.ca.cert];
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

function failures(r: VerificationReport): string[] {
  return [...r.checks, ...r.signatures.flatMap((s) => s.checks)]
    .filter((c) => c.status !== 'PASSED' && c.step !== 9)
    .map((c) => `${c.step}: ${c.subIndication} ${c.message}`);
}

async function expectValid(pdf: Uint8Array, signatures: number): Promise<VerificationReport> {
  const r = await verify(pdf);
  expect(r.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
  expect(r.signatures).toHaveLength(signatures);
  for (const s of r.signatures) expect(s.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
  return r;
}

/** A letter whose form already holds two empty signature fields, laid out as `shape`. */
async function preparedForm(shape: 'nested' | 'kids'): Promise<Uint8Array> {
  const doc = await PDFDocument.load(letter);
  const ctx = doc.context;
  const page = doc.getPage(0);
  const widget = (extra: Record<string, unknown>) =>
    ctx.register(
      ctx.obj({
        Type: 'Annot',
        Subtype: 'Widget',
        F: 132,
        Rect: [0, 0, 0, 0],
        P: page.ref,
        ...extra,
      } as never),
    );
  const fields: PDFRef[] = [];
  if (shape === 'nested') {
    // A non-terminal field "Approvals" whose kids are merged signature fields (Approvals.Officer, …).
    const parent = ctx.register(ctx.obj({ T: PDFString.of('Approvals') }));
    const kids = ['Officer', 'Director'].map((t) =>
      widget({ FT: 'Sig', T: PDFString.of(t), Parent: parent }),
    );
    (ctx.lookup(parent) as never as { set(k: PDFName, v: unknown): void }).set(
      PDFName.of('Kids'),
      ctx.obj(kids),
    );
    for (const k of kids) page.node.addAnnot(k);
    fields.push(parent);
  } else {
    // Signature fields with their widget as a /Kids entry (no /T, no /FT on the widget).
    for (const t of ['Officer', 'Director']) {
      const f = ctx.register(ctx.obj({ FT: 'Sig', T: PDFString.of(t) }));
      const w = widget({ Parent: f });
      (ctx.lookup(f) as never as { set(k: PDFName, v: unknown): void }).set(PDFName.of('Kids'), ctx.obj([w]));
      page.node.addAnnot(w);
      fields.push(f);
    }
  }
  doc.catalog.set(PDFName.of('AcroForm'), ctx.obj({ Fields: fields, SigFlags: 3 }));
  return doc.save({ useObjectStreams: false });
}

/** `pdf` with its page's /Annots an indirect array object (holding a link annotation with `link`). */
function indirectAnnots(pdf: Uint8Array, link = false): Uint8Array {
  return appendUpdate(pdf, ({ next, page, pageRef }) => {
    const [list, annot] = [next(), next()];
    const objects = new Map<number, unknown>([
      [list, { value: link ? [new PdfRef(annot, 0)] : [] }],
      [pageRef.num, { value: edited(page, { Annots: new PdfRef(list, 0) }) }],
    ]);
    const uri = '<</Type/Annot/Subtype/Link/Rect[72 750 300 770]/A<</S/URI/URI(https://example.go.th/)>>>>';
    if (link) objects.set(annot, { raw: new TextEncoder().encode(uri) });
    return objects as never;
  });
}

/** Bytes of `pdf` with `edit` applied (same length) and the last signature re-made by OpenSSL over its /ByteRange. */
function resigned(pdf: Uint8Array, edit: (text: string) => string, who: Identity = pki.officer): Uint8Array {
  const out = Buffer.from(edit(Buffer.from(pdf).toString('latin1')), 'latin1');
  if (out.length !== pdf.length) throw new Error('the edit must keep the length');
  const all = [...out.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/g)];
  const [, b, c, d] = all.at(-1)!.slice(1).map(Number) as [number, number, number, number];
  const data = Buffer.concat([out.subarray(0, b), out.subarray(c, c + d)]);
  const hex = Buffer.from(opensslCms(who, chain)(new Uint8Array(data))).toString('hex');
  out.write(hex.padEnd(c - b - 2, '0'), b + 1, 'latin1');
  return new Uint8Array(out);
}

/** A /Filter name of any length, the /ByteRange padding absorbing the difference (offsets stay as signed). */
function withFilter(pdf: Uint8Array, name: string): Uint8Array {
  return resigned(pdf, (s) => {
    const at = s.lastIndexOf('/Filter/Adobe.PPKLite');
    const close = s.indexOf(']', at) + 1;
    const grow = name.length - 'Adobe.PPKLite'.length;
    const pad = s.slice(close, close + Math.max(grow, 0));
    if (pad.trim() !== '') throw new Error('no room');
    const between = s.slice(at + '/Filter/Adobe.PPKLite'.length, close);
    const spaces = grow < 0 ? ' '.repeat(-grow) : '';
    return `${s.slice(0, at)}/Filter/${name}${between}${spaces}${s.slice(close + Math.max(grow, 0))}`;
  });
}

const pdfsig = requireTool('pdfsig', { why: "poppler signs with NSS: another program's signatures" });

pdfsig.describe('signed by poppler (pdfsig, NSS)', () => {
  let db: PdfsigDb;
  let sign: (pdf: Uint8Array, field?: string) => Uint8Array;
  beforeAll(() => {
    db = PdfsigDb.create(pki.root.cert);
    const dir = db.dir;
    writeFileSync(join(dir, 'officer.pem'), toPem(pki.officer.cert) + toPem(pki.ca.cert));
    const key = KeyObject.from(pki.officer.key as never).export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(dir, 'officer.key'), key as string);
    const p12 = join(dir, 'officer.p12');
    const [pem, keyFile] = [join(dir, 'officer.pem'), join(dir, 'officer.key')];
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      pem,
      '-inkey',
      keyFile,
      '-out',
      p12,
      '-passout',
      'pass:t',
      '-name',
      'officer',
    ]);
    execFileSync('pk12util', ['-i', p12, '-d', `sql:${dir}`, '-W', 't'], { stdio: 'pipe' });
    sign = (pdf, field) => {
      writeFileSync(join(dir, 'in.pdf'), pdf);
      const how = field ? ['-sign', field] : ['-add-signature'];
      const args = [
        '-nssdir',
        `sql:${dir}`,
        ...how,
        '-nick',
        'officer',
        join(dir, 'in.pdf'),
        join(dir, 'out.pdf'),
      ];
      const r = spawnSync('pdfsig', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`pdfsig: ${r.stderr}${r.stdout}`);
      return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
    };
  });

  it('guard: a signature field poppler adds to a letter', async () => {
    const r = await expectValid(sign(letter), 1);
    expect(r.signatures[0]!.signer?.subject).toContain('Test Officer');
  });

  it('guard: poppler signing after esign leaves both passing', async () => {
    const first = await signPdf(letter, {
      signer: signerFor(pki, pki.director),
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const r = await expectValid(sign(first), 2);
    expect(r.signatures[0]!.modification).toBe('FORM_FILLING');
  });

  it('guard: poppler signing a file of object streams and an xref stream (qpdf)', async () => {
    writeFileSync(join(db.dir, 'plain.pdf'), letter);
    execFileSync('qpdf', ['--object-streams=generate', join(db.dir, 'plain.pdf'), join(db.dir, 'os.pdf')]);
    await expectValid(sign(new Uint8Array(readFileSync(join(db.dir, 'os.pdf')))), 1);
  });

  for (const [shape, names] of [
    ['merged fields under a non-terminal field', ['Approvals.Officer', 'Approvals.Director']],
    ['fields whose widget is a /Kids entry', ['Officer', 'Director']],
  ] as const)
    it(`the empty fields of a prepared form (${shape}), signed one after the other`, async () => {
      const form = await preparedForm(shape === 'fields whose widget is a /Kids entry' ? 'kids' : 'nested');
      const once = sign(form, names[0]);
      await expectValid(once, 1);
      const twice = sign(once, names[1]);
      const r = await expectValid(twice, 2);
      expect(r.signatures.map((s) => s.fieldName)).toEqual(names);
      expect(r.signatures[0]!.modification).toBe('FORM_FILLING');
      expect(db.check(twice).match(/Signature is Valid\./g)).toHaveLength(2);
    });

  it('a page whose /Annots is an indirect array, rewritten in place by the next signer', async () => {
    // poppler (and iText) write the array object again and leave the page as it is.
    const once = sign(indirectAnnots(letter));
    const twice = sign(once);
    const r = await expectValid(twice, 2);
    expect(r.signatures.map((s) => s.modification)).toEqual(['FORM_FILLING', 'NONE']);
  });

  it('guard: an indirect /Annots array rewritten with a signed annotation removed, or a text box added', async () => {
    const once = sign(indirectAnnots(letter, true));
    const rewrite = (pick: (old: PdfRef[], next: () => number) => [PdfRef[], Map<number, unknown>]) =>
      appendUpdate(once, ({ doc, page, next }) => {
        const ref = page.get('Annots') as PdfRef;
        const [list, extra] = pick(doc.resolve(ref, doc.last) as PdfRef[], next);
        return new Map([[ref.num, { value: list }], ...extra] as never);
      });
    const removed = await verify(rewrite((old) => [old.slice(1), new Map()]));
    expect(removed.signatures[0]!.modification).toBe('OTHER');
    const note = rewrite((old, next) => {
      const num = next();
      const box = '<</Type/Annot/Subtype/FreeText/Rect[72 700 400 760]/Contents(Approved)/DA(/Helv 12 Tf)>>';
      return [[...old, new PdfRef(num, 0)], new Map([[num, { raw: new TextEncoder().encode(box) }]])];
    });
    expect((await verify(note)).signatures[0]!.modification).toBe('ANNOTATIONS');
  });

  it('guard: an /Annots array that is also the page /Contents is not a list of annotations', async () => {
    // Prepared before signing: one indirect array is both the page's /Contents and its /Annots.
    const prepared = appendUpdate(letter, ({ doc, next, page, pageRef }) => {
      const list = next();
      const contents = page.get('Contents');
      const streams = Array.isArray(contents) ? contents : [contents!];
      expect(doc.resolve(streams[0], doc.last)).toBeDefined();
      return new Map([
        [list, { value: streams }],
        [
          pageRef.num,
          { value: edited(page, { Contents: new PdfRef(list, 0), Annots: new PdfRef(list, 0) }) },
        ],
      ] as never);
    });
    const signed = sign(prepared);
    expect((await verify(signed)).indication).toBe('TOTAL_PASSED');
    const forged = appendUpdate(signed, ({ doc, page, next }) => {
      const ref = page.get('Contents') as PdfRef;
      const num = next();
      const draw = 'BT /F1 30 Tf 72 600 Td (Forged) Tj ET';
      const stream = `<</Type/Annot/Subtype/FreeText/Rect[0 0 1 1]/Length ${draw.length}>>stream\n${draw}\nendstream`;
      const list = [...(doc.resolve(ref, doc.last) as PdfRef[]), new PdfRef(num, 0)];
      return new Map([
        [ref.num, { value: list }],
        [num, { raw: new TextEncoder().encode(stream) }],
      ] as never);
    });
    const r = await verify(forged);
    expect(r.signatures[0]!.modification).toBe('OTHER');
  });

  it('a new empty field added to an indirect /Fields and /Annots after a signature is form filling', async () => {
    // The prepared form with /Fields and the page /Annots as their own array objects; poppler signs a field.
    const form = appendUpdate(
      await preparedForm('kids'),
      ({ doc, catalog, rootRef, next, page, pageRef }) => {
        const acroRef = catalog.get('AcroForm');
        const acro = dictOf(doc.resolve(acroRef, doc.last))!;
        const [fields, annots] = [next(), next()];
        const m = new Map<number, unknown>([
          [fields, { value: acro.get('Fields') }],
          [annots, { value: doc.resolve(page.get('Annots'), doc.last) }],
          [pageRef.num, { value: edited(page, { Annots: new PdfRef(annots, 0) }) }],
        ]);
        const acroNew = edited(acro, { Fields: new PdfRef(fields, 0) });
        if (acroRef instanceof PdfRef) m.set(acroRef.num, { value: acroNew });
        else m.set(rootRef.num, { value: edited(catalog, { AcroForm: acroNew }) });
        return m as never;
      },
    );
    const once = sign(form, 'Officer');
    await expectValid(once, 1);
    const more = appendUpdate(once, ({ doc, catalog, page, pageRef, next }) => {
      const fieldsRef = dictOf(doc.resolve(catalog.get('AcroForm'), doc.last))!.get('Fields') as PdfRef;
      const annotsRef = page.get('Annots') as PdfRef;
      const num = next();
      const field = `<</Type/Annot/Subtype/Widget/FT/Sig/T(Witness)/F 132/Rect[0 0 0 0]/P ${pageRef.num} 0 R>>`;
      const append = (ref: PdfRef) => [...(doc.resolve(ref, doc.last) as PdfRef[]), new PdfRef(num, 0)];
      return new Map([
        [fieldsRef.num, { value: append(fieldsRef) }],
        [annotsRef.num, { value: append(annotsRef) }],
        [num, { raw: new TextEncoder().encode(field) }],
      ] as never);
    });
    const r = await expectValid(more, 1);
    expect(r.signatures[0]!.modification).toBe('FORM_FILLING');
  });

  it('a widget /V that names the earlier signature (not a later one) is still a change', async () => {
    const once = sign(await preparedForm('kids'), 'Officer');
    await expectValid(once, 1);
    const forged = appendUpdate(once, ({ doc, catalog }) => {
      // The Director's empty widget claims the Officer's signature dictionary, with a fresh /M.
      const fields = doc.resolve(
        dictOf(doc.resolve(catalog.get('AcroForm'), doc.last))!.get('Fields'),
        doc.last,
      );
      const [officer, director] = (fields as PdfRef[]).map((f) => {
        const kid = (dictOf(doc.resolve(f, doc.last))!.get('Kids') as PdfRef[])[0]!;
        return { num: kid.num, widget: dictOf(doc.resolve(kid, doc.last))! };
      });
      const m = new PdfString(new TextEncoder().encode('D:20260102000000Z'), false, -1, -1);
      const value = edited(director!.widget, { V: officer!.widget.get('V'), M: m });
      return new Map([[director!.num, { value }]]);
    });
    const r = await verify(forged);
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.signatures.find((s) => s.fieldName === 'Officer')?.modification).not.toBe('FORM_FILLING');
  });
});

// openssl signs these (the pdfsig tool set holds it).
pdfsig.describe('signed by openssl, with other handlers named in /Filter', () => {
  it('signature handlers other than Adobe.PPKLite in /Filter verify by their /SubFilter', async () => {
    const signed = foreignSign(letter, opensslCms(pki.officer, chain));
    for (const name of ['Entrust.PPKEF', 'CICI.SignIt', 'VeriSign.PPKVS', 'Adobe.PPKMS']) {
      const r = await expectValid(withFilter(signed, name), 1);
      expect(r.signatures[0]!.filter, name).toBe(name);
    }
  });

  it('guard: a /Filter that is not a name, or none, stays a FORMAT_FAILURE', async () => {
    const signed = foreignSign(letter, opensslCms(pki.officer, chain));
    for (const spelling of ['/Filter(Adobe.PPKLit)', '/Fxlter/Adobe.PPKLite']) {
      const pdf = resigned(signed, (s) => s.replace('/Filter/Adobe.PPKLite', spelling));
      const r = await verify(pdf);
      expect(
        r.signatures[0]!.checks.find((c) => c.id === 'signature-dictionary'),
        spelling,
      ).toMatchObject({
        status: 'FAILED',
        subIndication: 'FORMAT_FAILURE',
      });
    }
  });
});
