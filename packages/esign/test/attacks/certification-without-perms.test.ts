// A certification signature (a /Reference with the DocMDP transform) in a document whose catalog has no
// /Perms /DocMDP naming it, as some signers write it. PDF 32000-1 §12.8.2.2 puts the permissions in the
// signature's own transform parameters; pyHanko enforces them for that signature whatever /Perms says. A report
// that shows DocMDP P=1 while judging the signature as an approval one (annotations allowed) says two things.
import { describe, expect, it, vi } from 'vitest';
import { PdfDict, PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';
import { appendUpdate, edited } from '../helpers/tamper.js';

/** Lets a test drop /Perms from the catalog the signer writes. */
const hooks = vi.hoisted(() => ({
  rewrite: undefined as ((objects: Map<number, UpdateObject>) => void) | undefined,
  /** Signs where signPdf refuses (a P=1 document), as another signer's tool would. */
  ignoreDocMdp: false,
}));
vi.mock('../../src/sign/open-for-update.js', async (original) => {
  const mod = await original<typeof import('../../src/sign/open-for-update.js')>();
  return {
    ...mod,
    checkCertificationFirst: (...args: Parameters<typeof mod.checkCertificationFirst>) =>
      hooks.ignoreDocMdp ? undefined : mod.checkCertificationFirst(...args),
  };
});
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
const letter = await letterPdf();

/** Certifies the letter with DocMDP `p`; with `withoutPerms` the catalog written keeps no /Perms. */
async function certified(p: 1 | 2 | 3, withoutPerms: boolean): Promise<Uint8Array> {
  hooks.rewrite = (objects) => {
    if (!withoutPerms) return;
    for (const [num, o] of objects)
      if ('value' in o && o.value instanceof PdfDict && o.value.has('Perms'))
        objects.set(num, { value: edited(o.value, { Perms: undefined }) });
  };
  try {
    return await signPdf(letter, {
      signer: signerFor(pki, pki.officer),
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
      fieldName: 'Author',
      certify: p,
    });
  } finally {
    hooks.rewrite = undefined;
  }
}

const p1 = await certified(1, true);

const verify = (pdf: Uint8Array, security = false): Promise<VerificationReport> =>
  verifyPdfSignatures(pdf, {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
    ...(security ? { policy: { ...PDF_POLICY, name: 'security', afterSigning: 'security-updates' } } : {}),
  });

function withAnnotation(base: Uint8Array): Uint8Array {
  return appendUpdate(base, ({ next, pageRef, page, doc }) => {
    const n = next();
    const annots = doc.resolve(page.get('Annots'), doc.last);
    const annot = dict({
      Type: name('Annot'),
      Subtype: name('Text'),
      Rect: [50, 700, 80, 730],
      Contents: str('ok'),
    });
    return new Map([
      [n, { value: annot }],
      [
        pageRef.num,
        { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), new PdfRef(n, 0)] }) },
      ],
    ]);
  });
}

const modifications = (r: VerificationReport) =>
  r.signatures[0]!.checks.find((c) => c.id === 'modifications')!;

describe('a certification signature the catalog does not designate (no /Perms)', () => {
  it('P=1: an annotation added afterwards fails it, as the DocMDP level it reports says', async () => {
    const clean = await verify(p1);
    expect(clean.indication).toBe('TOTAL_PASSED');
    expect(clean.signatures[0]!.docMdp).toBe(1);
    expect(modifications(clean).warnings.join(' ')).toMatch(/\/Perms/);
    const report = await verify(withAnnotation(p1));
    expect(report.signatures[0]!.docMdp).toBe(1);
    expect(report.signatures[0]!.modification).toBe('ANNOTATIONS');
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(modifications(report).evidence?.allowed).toBe('LTA_UPDATES');
  });

  it('P=2: the annotation fails it too; P=3 allows it', async () => {
    const p2 = await verify(withAnnotation(await certified(2, true)));
    expect([p2.signatures[0]!.docMdp, p2.indication]).toEqual([2, 'TOTAL_FAILED']);
    const p3 = await verify(withAnnotation(await certified(3, true)));
    expect([p3.signatures[0]!.docMdp, p3.indication]).toEqual([3, 'TOTAL_PASSED']);
  });

  it('the same holds for an earlier signature under a security-updates policy', async () => {
    const director = {
      signer: signerFor(pki, pki.director),
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
      fieldName: 'Director',
    };
    // signPdf itself refuses to sign after a P=1 certification, the catalog's or the signature's own.
    await expect(signPdf(p1, director)).rejects.toMatchObject({ code: 'ERR_ESIGN_DOCUMENT' });
    hooks.ignoreDocMdp = true;
    const second = await signPdf(p1, director).finally(() => {
      hooks.ignoreDocMdp = false;
    });
    const report = await verify(second, true);
    expect(report.signatures.map((s) => s.fieldName)).toEqual(['Author', 'Director']);
    expect(report.signatures[0]!.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[1]!.indication).toBe('TOTAL_PASSED');
  });

  it('control: with /Perms the report and the rule agree as before, with no warning', async () => {
    const pdf = await certified(1, false);
    const clean = await verify(pdf);
    expect(clean.indication).toBe('TOTAL_PASSED');
    expect(modifications(clean).warnings).toEqual([]);
    expect((await verify(withAnnotation(pdf))).indication).toBe('TOTAL_FAILED');
  });
});
