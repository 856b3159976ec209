// FieldMDP attacks: a field the signer locked (a /Reference FieldMDP transform in the signature dictionary, or
// the /Lock dictionary of the signed field) is re-filled in an update appended afterwards, with a new appearance
// and /NeedAppearances so that viewers show the new value. PDF 32000-1 §12.8.2.4 and §12.7.4.5.
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it, vi } from 'vitest';
import type { PdfDocument } from '../../src/pdf/document.js';
import { dictOf, isName, type PdfDict, type PdfObject, PdfRef, PdfString } from '../../src/pdf/objects.js';
import { dict, name, str, type UpdateObject } from '../../src/pdf/writer.js';
import type { SignPdfOptions } from '../../src/sign/options.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, signerFor } from '../helpers/pki.js';
import { appendUpdate, edited } from '../helpers/tamper.js';

/** Lets a test rewrite what the signer writes (a /Lock on its field, an /Exclude transform). */
const hooks = vi.hoisted(() => ({
  rewrite: undefined as ((objects: Map<number, UpdateObject>) => void) | undefined,
}));
vi.mock('../../src/pdf/writer.js', async (original) => {
  const mod = await original<typeof import('../../src/pdf/writer.js')>();
  return {
    ...mod,
    appendIncrementalUpdate: (...args: Parameters<typeof mod.appendIncrementalUpdate>) => {
      hooks.rewrite?.(args[1].objects);
      return mod.appendIncrementalUpdate(...args);
    },
  };
});

const pki = await createSigningPki();
const verify = (bytes: Uint8Array) =>
  verifyPdfSignatures(bytes, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

/** A one-page form made by pdf-lib: Amount, Payee and the nested Approval.Note text fields. */
async function formPdf(): Promise<Uint8Array> {
  const d = await PDFDocument.create({ updateMetadata: false });
  const page = d.addPage([595, 842]);
  const form = d.getForm();
  const fields: [string, string][] = [
    ['Amount', '100 THB'],
    ['Payee', 'Somchai'],
    ['Approval.Note', 'ok'],
  ];
  fields.forEach(([n, v], i) => {
    const tf = form.createTextField(n);
    tf.setText(v);
    tf.addToPage(page, { x: 72, y: 700 - 50 * i, width: 300, height: 30 });
  });
  return d.save({ useObjectStreams: false });
}

function sign(pdf: Uint8Array, fieldName: string, extra: Partial<SignPdfOptions> = {}): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: signerFor(pki, fieldName === 'Officer' ? pki.officer : pki.director),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    fieldName,
    ...extra,
  });
}

/** Signs with `rewrite` applied to the objects of the signing update. */
async function signRewritten(
  pdf: Uint8Array,
  fieldName: string,
  rewrite: (objects: Map<number, UpdateObject>) => void,
  extra: Partial<SignPdfOptions> = {},
): Promise<Uint8Array> {
  hooks.rewrite = rewrite;
  try {
    return await sign(pdf, fieldName, extra);
  } finally {
    hooks.rewrite = undefined;
  }
}

/** The object number of the terminal field `fqName` (parent.child) in the last revision. */
function fieldRef(doc: PdfDocument, fqName: string): PdfRef {
  const rev = doc.last;
  const acro = dictOf(doc.resolve(doc.catalog(rev)?.get('AcroForm'), rev))!;
  let items = doc.resolve(acro.get('Fields'), rev) as PdfObject[];
  let found: PdfRef | undefined;
  for (const part of fqName.split('.')) {
    found = items.find((r) => {
      const t = dictOf(doc.resolve(r, rev))?.get('T');
      return t instanceof PdfString && t.text() === part;
    }) as PdfRef | undefined;
    if (!found) throw new Error(`no field ${fqName}`);
    items = (doc.resolve(dictOf(doc.resolve(found, rev))?.get('Kids'), rev) as PdfObject[]) ?? [];
  }
  return found!;
}

/**
 * The attacker's update: a new /V and /AP for `fqName`, and /NeedAppearances so viewers redraw it (a form filler
 * that writes the appearance itself leaves /NeedAppearances alone: `needAppearances: false`).
 */
function refill(pdf: Uint8Array, fqName: string, value: string, needAppearances = true): Uint8Array {
  return appendUpdate(pdf, ({ doc, next }) => {
    const rev = doc.last;
    const ref = fieldRef(doc, fqName);
    const field = dictOf(doc.resolve(ref, rev))!;
    const acroRef = doc.catalog(rev)!.get('AcroForm') as PdfRef;
    const acro = dictOf(doc.resolve(acroRef, rev))!;
    const ap = next();
    const font = dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') });
    const content = `/Tx BMC BT /Helv 12 Tf 0 g 2 10 Td (${value}) Tj ET EMC`;
    const objects = new Map<number, UpdateObject>([
      [
        ap,
        {
          stream: Buffer.from(content),
          dict: dict({
            Type: name('XObject'),
            Subtype: name('Form'),
            BBox: [0, 0, 300, 30],
            Resources: dict({ Font: dict({ Helv: font }) }),
          }),
        },
      ],
      [ref.num, { value: edited(field, { V: str(value), AP: dict({ N: new PdfRef(ap, 0) }) }) }],
    ]);
    if (needAppearances) objects.set(acroRef.num, { value: edited(acro, { NeedAppearances: true }) });
    return objects;
  });
}

/** Rewrites the FieldMDP transform the signer wrote (`/Action /All`) in its signature dictionary. */
function transformAction(action: string): (objects: Map<number, UpdateObject>) => void {
  return (objects) => {
    for (const [num, o] of objects) {
      if (!('raw' in o)) continue;
      const text = Buffer.from(o.raw).toString('latin1');
      if (text.includes('/FieldMDP'))
        objects.set(num, { raw: Buffer.from(text.replace('/Action /All', action), 'latin1') });
    }
  };
}

/** Adds `/Lock` to the new signature field the signer writes. */
function lockOnField(lock: PdfDict): (objects: Map<number, UpdateObject>) => void {
  return (objects) => {
    for (const [num, o] of objects) {
      const d = 'value' in o ? dictOf(o.value) : undefined;
      if (d && isName(d.get('FT'), 'Sig')) objects.set(num, { value: edited(d, { Lock: lock }) });
    }
  };
}

function signatureOf(report: VerificationReport, field: string) {
  return report.signatures.find((s) => s.fieldName === field)!;
}

function failedModifications(report: VerificationReport, field: string): string {
  const c = signatureOf(report, field).checks.find((k) => k.id === 'modifications');
  expect(c?.status).toBe('FAILED');
  return c!.message;
}

const form = await formPdf();

describe('FieldMDP: fields locked by a signature stay as signed', () => {
  it('an approval signature locking Amount: Amount re-filled afterwards fails', async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Amount'] });
    expect((await verify(signed)).indication).toBe('TOTAL_PASSED');
    const report = await verify(refill(signed, 'Amount', '10,000,000 THB'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(signatureOf(report, 'Officer').indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Amount');
  });

  it('a certification (DocMDP P=2) locking Amount: Amount re-filled afterwards fails', async () => {
    const signed = await sign(form, 'Officer', { certify: 2, lockFields: ['Amount'] });
    expect((await verify(signed)).indication).toBe('TOTAL_PASSED');
    const report = await verify(refill(signed, 'Amount', '10,000,000 THB'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Amount');
  });

  it('/Action /All: any field re-filled afterwards fails', async () => {
    const signed = await sign(form, 'Officer', { lockFields: 'all' });
    const report = await verify(refill(signed, 'Payee', 'Mallory'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Payee');
  });

  it('a locked field named by its fully qualified name (Approval.Note) re-filled afterwards fails', async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Approval.Note'] });
    const report = await verify(refill(signed, 'Approval.Note', 'rejected'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Approval.Note');
  });

  it('a parent field name (Approval) locks its children', async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Approval'] });
    const report = await verify(refill(signed, 'Approval.Note', 'rejected'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });

  it('/Action /Exclude: the excluded field may be filled, any other may not', async () => {
    const signed = await signRewritten(
      form,
      'Officer',
      transformAction('/Action /Exclude /Fields [(Payee)]'),
      {
        lockFields: 'all',
      },
    );
    expect(Buffer.from(signed).toString('latin1')).toContain('/Action /Exclude');
    const allowed = await verify(refill(signed, 'Payee', 'Somsak', false));
    expect(allowed.indication).toBe('TOTAL_PASSED');
    expect(signatureOf(allowed, 'Officer').modification).toBe('FORM_FILLING');
    const report = await verify(refill(signed, 'Amount', '10,000,000 THB'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Amount');
  });

  it('a legitimate fill of a field that is not locked still passes', async () => {
    for (const certify of [undefined, 2] as const) {
      const signed = await sign(form, 'Officer', { lockFields: ['Amount'], ...(certify ? { certify } : {}) });
      const report = await verify(refill(signed, 'Payee', 'Somsak', false));
      expect(report.indication).toBe('TOTAL_PASSED');
      expect(signatureOf(report, 'Officer').modification).toBe('FORM_FILLING');
    }
  });

  it('a /Lock on a signature field signed later applies from that signature on', async () => {
    const first = await sign(form, 'Officer');
    // Before the director signs, Amount may still be filled in.
    const filled = refill(first, 'Amount', '250 THB');
    const lock = dict({ Type: name('SigFieldLock'), Action: name('Include'), Fields: [str('Amount')] });
    const second = await signRewritten(filled, 'Director', lockOnField(lock));
    const before = await verify(second);
    expect(before.signatures.map((s) => [s.fieldName, s.indication])).toEqual([
      ['Officer', 'TOTAL_PASSED'],
      ['Director', 'TOTAL_PASSED'],
    ]);
    const report = await verify(refill(second, 'Amount', '10,000,000 THB'));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(signatureOf(report, 'Officer').indication).toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Director')).toContain('Amount');
  });

  it('a locked field removed from the form afterwards fails', async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Amount'] });
    const bytes = appendUpdate(signed, ({ doc }) => {
      const rev = doc.last;
      const ref = fieldRef(doc, 'Amount');
      const field = dictOf(doc.resolve(ref, rev))!;
      return new Map([[ref.num, { value: edited(field, { T: str('Amount (old)') }) }]]);
    });
    const report = await verify(bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });
});

/** The AcroForm of the last revision and its object number. */
function acroFormOf(doc: PdfDocument): { ref: PdfRef; acro: PdfDict } {
  const ref = doc.catalog(doc.last)!.get('AcroForm') as PdfRef;
  return { ref, acro: dictOf(doc.resolve(ref, doc.last))! };
}

/** An update that only sets AcroForm keys (`/DR`, `/DA`, `/NeedAppearances` …). */
function formKeys(
  pdf: Uint8Array,
  keys: (doc: PdfDocument, acro: PdfDict) => Record<string, PdfObject>,
): Uint8Array {
  return appendUpdate(pdf, ({ doc }) => {
    const { ref, acro } = acroFormOf(doc);
    return new Map([[ref.num, { value: edited(acro, keys(doc, acro)) }]]);
  });
}

/** Helvetica with the digits 1 and 0 drawn as nines and T, H, B as U, S, D: the same name, another font. */
const evilFont = dict({
  Type: name('Font'),
  Subtype: name('Type1'),
  BaseFont: name('Helvetica'),
  Encoding: dict({
    Type: name('Encoding'),
    BaseEncoding: name('WinAnsiEncoding'),
    Differences: [48, name('nine'), name('nine'), 84, name('U'), name('S'), name('D')],
  }),
});
const plainFont = (base: string) =>
  dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name(base) });

/** The form with the AcroForm /DR and /DA pdf-lib leaves out, and Amount inheriting the default /DA. */
function withDefaultResources(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ doc }) => {
    const { ref, acro } = acroFormOf(doc);
    const amount = fieldRef(doc, 'Amount');
    const field = dictOf(doc.resolve(amount, doc.last))!;
    return new Map<number, UpdateObject>([
      [
        ref.num,
        {
          value: edited(acro, {
            DR: dict({ Font: dict({ Helvetica: plainFont('Helvetica') }) }),
            DA: str('0 g /Helvetica 12 Tf'),
          }),
        },
      ],
      [amount.num, { value: edited(field, { DA: undefined }) }],
    ]);
  });
}

describe('FieldMDP: the form-wide keys that redraw a locked field', () => {
  it('a /DR font swapped under its name with /NeedAppearances (100 THB drawn as 999 USD) fails', async () => {
    const signed = await sign(form, 'Officer', { certify: 2, lockFields: ['Amount'] });
    const report = await verify(
      formKeys(signed, () => ({ DR: dict({ Font: dict({ Helvetica: evilFont }) }), NeedAppearances: true })),
    );
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toContain('Amount');
  });

  it('/NeedAppearances turned on alone: a locked field is redrawn from /V and fails', async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Amount'] });
    const report = await verify(formKeys(signed, () => ({ NeedAppearances: true })));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toMatch(/Amount \(AcroForm \/NeedAppearances/);
  });

  it('a /DR font redefined under its old name is no form filling (OTHER), locked or not', async () => {
    const prepared = withDefaultResources(form);
    for (const lockFields of [['Amount'], undefined]) {
      const signed = await sign(prepared, 'Officer', { certify: 2, ...(lockFields ? { lockFields } : {}) });
      expect((await verify(signed)).indication).toBe('TOTAL_PASSED');
      const report = await verify(
        formKeys(signed, (doc, acro) => {
          const dr = dictOf(doc.resolve(acro.get('DR'), doc.last))!;
          return { DR: edited(dr, { Font: dict({ Helvetica: evilFont }) }) };
        }),
      );
      expect(report.indication).not.toBe('TOTAL_PASSED');
      expect(signatureOf(report, 'Officer').modification).toBe('OTHER');
    }
  });

  it('the default /DA changed: a locked field that inherits it fails', async () => {
    const signed = await sign(withDefaultResources(form), 'Officer', { lockFields: ['Amount'] });
    expect((await verify(signed)).indication).toBe('TOTAL_PASSED');
    const report = await verify(formKeys(signed, () => ({ DA: str('0 g /Helvetica 4 Tf') })));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toMatch(/Amount \(AcroForm \/DA/);
  });

  it("a font added to /DR under the name the locked field's /DA uses fails", async () => {
    const signed = await sign(form, 'Officer', { lockFields: ['Amount'] });
    const report = await verify(
      formKeys(signed, () => ({ DR: dict({ Font: dict({ Helvetica: evilFont }) }) })),
    );
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(failedModifications(report, 'Officer')).toMatch(/Amount \(AcroForm \/DR gained/);
  });

  it('a font added to /DR under a new name is form filling and passes', async () => {
    const signed = await sign(withDefaultResources(form), 'Officer', { certify: 2, lockFields: ['Amount'] });
    const report = await verify(
      formKeys(signed, (doc, acro) => {
        const dr = dictOf(doc.resolve(acro.get('DR'), doc.last))!;
        const fonts = dictOf(doc.resolve(dr.get('Font'), doc.last))!;
        return { DR: edited(dr, { Font: edited(fonts, { ZaDb: plainFont('ZapfDingbats') }) }) };
      }),
    );
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(signatureOf(report, 'Officer').modification).toBe('FORM_FILLING');
  });
});
