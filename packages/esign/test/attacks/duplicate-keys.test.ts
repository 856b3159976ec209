// Duplicate dictionary keys: a parser differential inside one object. PDF 32000-1 §7.3.7 leaves a repeated key
// undefined; poppler, qpdf and pdf.js keep the LAST value. A later revision rewrites the signed page with all its
// keys, then a second /Contents and /Resources: a verifier that keeps the first sees the page unchanged, while
// every viewer shows the new content stream, here filed under /DSS /Certs to pass as validation data.
// Validation data must also be what its /DSS slot says (a certificate, a CRL, an OCSP response) and belong to
// /DSS alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it, vi } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import { type PdfObject, PdfRef } from '../../src/pdf/objects.js';
import { appendIncrementalUpdate, dict, name, serialize, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { diffAfter } from '../../src/verify/modifications.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

/** Lets a test rewrite the signature dictionary the signer writes. */
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

const SECURITY = { ...PDF_POLICY, name: 'security-updates', afterSigning: 'security-updates' as const };
const fixtures = {
  approval: await signedFixture('B-T'),
  'P=1': await signedFixture('B-T', 1),
  'P=2': await signedFixture('B-T', 2),
  'P=3': await signedFixture('B-T', 3),
};
type Fx = (typeof fixtures)['approval'];
const R = (n: number) => new PdfRef(n, 0);
const FORGED = 'Approved: 10,000,000 THB';

function verifyAs(fx: Fx, bytes: Uint8Array, security = false): Promise<VerificationReport> {
  return verifyPdfSignatures(bytes, {
    trustAnchors: [fx.pki.root.cert],
    revocation: { crls: fx.pki.crls },
    ...(security ? { policy: SECURITY } : {}),
  });
}

/** The page rewritten with its own keys first, then a second /Resources and /Contents (the probe's file). */
function shadowedPage(pdf: Uint8Array): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next, pageRef, page }) => {
    const s = next();
    const font = '<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>';
    const text = `${serialize(page).slice(0, -2)} /Resources ${font} /Contents ${s} 0 R>>`;
    return new Map<number, UpdateObject>([
      [s, { stream: Buffer.from(`BT /F1 14 Tf 72 760 Td (${FORGED}) Tj ET`), dict: dict({}) }],
      [pageRef.num, { raw: Buffer.from(text, 'latin1') }],
      [rootRef.num, { value: edited(catalog, { DSS: dict({ Certs: [R(s)] }) }) }],
    ]);
  });
}

function anomalyCodes(report: VerificationReport): string[] {
  return report.anomalies.map((a) => a.code);
}

describe('duplicate keys: the last one counts, as in every viewer', () => {
  it.each(Object.keys(fixtures) as (keyof typeof fixtures)[])(
    'a page repeating /Contents, the new stream filed under /DSS /Certs (%s): fails under DocMDP and security-updates',
    async (kind) => {
      const fx = fixtures[kind];
      const forged = shadowedPage(fx.pdf);
      for (const security of [false, true]) {
        const report = await verifyAs(fx, forged, security);
        expect(report.indication).not.toBe('TOTAL_PASSED');
        expect(report.signatures[0]?.modification).toBe('OTHER');
        const mods = report.signatures[0]?.checks.find((c) => c.id === 'modifications');
        expect(mods?.status).toBe('FAILED');
      }
    },
  );

  it('the reader keeps the last of repeated keys and reports the repetition with its revision', () => {
    const forged = shadowedPage(fixtures.approval.pdf);
    const doc = new PdfDocument(forged);
    const page = (
      doc.resolve(doc.catalog(doc.last)?.get('Pages'), doc.last) as unknown as {
        get(k: string): PdfObject;
      }
    ).get('Kids') as PdfRef[];
    const p = doc.resolve(page[0], doc.last) as unknown as { get(k: string): PdfObject };
    expect((p.get('Contents') as PdfRef).num).toBe((doc.last.trailer.get('Size') as number) - 1);
    const dup = doc.anomalies.filter((a) => a.code === 'DUPLICATE_KEY');
    expect(dup.map((a) => [a.severity, a.revision])).toEqual([['warning', doc.last.index]]);
    expect(dup[0]?.message).toContain('/Contents');
  });

  it('an object rewritten after signing with a repeated key, even of equal value, fails the signature', async () => {
    for (const fx of [fixtures.approval, fixtures['P=3']]) {
      const bytes = appendUpdate(fx.pdf, ({ pageRef, page }) => {
        const text = `${serialize(page).slice(0, -2)} /MediaBox ${serialize(page.get('MediaBox'))}>>`;
        return new Map<number, UpdateObject>([[pageRef.num, { raw: Buffer.from(text, 'latin1') }]]);
      });
      const report = await verifyAs(fx, bytes);
      expect(report.indication).not.toBe('TOTAL_PASSED');
      expect(anomalyCodes(report)).toContain('DUPLICATE_KEY');
      const mods = report.signatures[0]?.checks.find((c) => c.id === 'modifications');
      expect(mods?.message).toContain('DUPLICATE_KEY');
    }
  });

  it('a later trailer repeating /Root fails the signature', async () => {
    const fx = fixtures.approval;
    const doc = new PdfDocument(fx.pdf);
    const root = doc.last.trailer.get('Root') as PdfRef;
    const base = appendIncrementalUpdate(
      fx.pdf,
      { objects: new Map(), trailer: { Root: root } },
      doc.last.startxref,
      doc.last.trailer.get('Size') as number,
    ).bytes;
    const text = Buffer.from(base).toString('latin1');
    const at = text.lastIndexOf('/Root');
    const bytes = Buffer.from(`${text.slice(0, at)}/Root ${root.num} 0 R ${text.slice(at)}`, 'latin1');
    const report = await verifyAs(fx, new Uint8Array(bytes));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(anomalyCodes(report)).toContain('DUPLICATE_KEY');
  });

  it('repeated keys in the signed revision itself are a warning: the signer signed those bytes', async () => {
    const pki = await createSigningPki();
    const letter = await letterPdf();
    const odd = appendUpdate(letter, ({ pageRef, page }) => {
      const text = `${serialize(page).slice(0, -2)} /MediaBox ${serialize(page.get('MediaBox'))}>>`;
      return new Map<number, UpdateObject>([[pageRef.num, { raw: Buffer.from(text, 'latin1') }]]);
    });
    const pdf = await signPdf(odd, {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    });
    const report = await verifyPdfSignatures(pdf, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    const dup = report.anomalies.filter((a) => a.code === 'DUPLICATE_KEY');
    expect(dup.map((a) => a.severity)).toEqual(['warning']);
    const structure = report.checks.find((c) => c.id === 'structure');
    expect(structure?.warnings.join(' ')).toContain('DUPLICATE_KEY');
  });
});

/** Signs the letter with `extra` keys appended to the signature dictionary the signer writes. */
async function signWithRepeatedKeys(extra: string): Promise<{ pdf: Uint8Array; fx: Fx }> {
  const fx = fixtures.approval;
  hooks.rewrite = (objects) => {
    for (const [num, o] of objects) {
      if (!('raw' in o)) continue;
      const text = Buffer.from(o.raw).toString('latin1');
      if (text.startsWith('<< /Type /Sig'))
        objects.set(num, { raw: Buffer.from(text.replace(/ >>$/, ` ${extra} >>`), 'latin1') });
    }
  };
  try {
    const pdf = await signPdf(await letterPdf(), {
      signer: signerFor(fx.pki, fx.pki.officer),
      level: 'B-T',
      tsa: fx.pki.tsa,
      trustAnchors: fx.pki.root.cert,
      validationData: { crls: fx.pki.crls, ocspResponses: [fx.pki.officerOcsp] },
    });
    return { pdf, fx };
  } finally {
    hooks.rewrite = undefined;
  }
}

describe('duplicate keys in the signature dictionary are refused', () => {
  it.each([
    ['a second /ByteRange', '/ByteRange [0 0 0 0]'],
    ['a second /Contents', `/Contents <${'00'.repeat(64)}>`],
    ['a second /Filter of the same value', '/Filter /Adobe.PPKLite'],
  ])('%s', async (_, extra) => {
    const { pdf, fx } = await signWithRepeatedKeys(extra);
    expect(Buffer.from(pdf).toString('latin1')).toContain(extra);
    const report = await verifyAs(fx, pdf);
    expect(report.indication).toBe('TOTAL_FAILED');
    const c = report.signatures[0]?.checks.find((k) => k.id === 'signature-dictionary');
    expect(c?.status).toBe('FAILED');
    expect(c?.message).toMatch(/repeats/);
  });
});

/** A later revision whose /DSS files `streams` under `slot` (a new object each), next to the signed content. */
function filedUnderDss(pdf: Uint8Array, slot: 'Certs' | 'CRLs' | 'OCSPs', streams: Uint8Array[]): Uint8Array {
  return appendUpdate(pdf, ({ catalog, rootRef, next }) => {
    const objects = new Map<number, UpdateObject>();
    const refs = streams.map((s) => {
      const n = next();
      objects.set(n, { stream: s, dict: dict({}) });
      return R(n);
    });
    objects.set(rootRef.num, { value: edited(catalog, { DSS: dict({ [slot]: refs }) }) });
    return objects;
  });
}

describe('/DSS holds validation data, and only validation data', () => {
  const p1 = fixtures['P=1'];

  it('genuine certificates and CRLs in their slots are still an LTA update', async () => {
    const certs = await verifyAs(p1, filedUnderDss(p1.pdf, 'Certs', [p1.pki.officer.cert, p1.pki.ca.cert]));
    expect(certs.indication).toBe('TOTAL_PASSED');
    expect(certs.signatures[0]?.modification).toBe('LTA_UPDATES');
    const crls = await verifyAs(p1, filedUnderDss(p1.pdf, 'CRLs', p1.pki.crls));
    expect(crls.indication).toBe('TOTAL_PASSED');
    expect(crls.signatures[0]?.modification).toBe('LTA_UPDATES');
  });

  it('a page content stream filed under /Certs is not validation data', async () => {
    const content = Buffer.from(`BT /F1 14 Tf 72 760 Td (${FORGED}) Tj ET`);
    for (const security of [false, true]) {
      const report = await verifyAs(p1, filedUnderDss(p1.pdf, 'Certs', [content]), security);
      expect(report.indication).not.toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.modification).toBe('OTHER');
    }
  });

  it.each([
    ['a CRL filed under /OCSPs', 'OCSPs', 'crl'],
    ['a certificate filed under /CRLs', 'CRLs', 'cert'],
    ['a CRL filed under /Certs', 'Certs', 'crl'],
  ] as const)('%s is not validation data', async (_, slot, what) => {
    const bytes = what === 'crl' ? p1.pki.crls[0]! : p1.pki.officer.cert;
    const report = await verifyAs(p1, filedUnderDss(p1.pdf, slot, [bytes]));
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('a /VRI /TS that is no time-stamp token is not validation data', async () => {
    const bytes = appendUpdate(p1.pdf, ({ catalog, rootRef, next }) => {
      const ts = next();
      const vri = dict({ ['A'.repeat(40)]: dict({ TS: R(ts) }) });
      return new Map<number, UpdateObject>([
        [ts, { stream: Buffer.from(`BT (${FORGED}) Tj ET`), dict: dict({}) }],
        [rootRef.num, { value: edited(catalog, { DSS: dict({ VRI: vri }) }) }],
      ]);
    });
    const report = await verifyAs(p1, bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.modification).toBe('OTHER');
  });

  it('a certificate under /DSS that a new annotation also paints is not validation data', async () => {
    const fx = fixtures.approval;
    const bytes = appendUpdate(fx.pdf, ({ doc, catalog, rootRef, next, pageRef, page }) => {
      const cert = next();
      const annot = next();
      const annots = doc.resolve(page.get('Annots'), doc.last);
      const form = dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 100, 100] });
      const a = dict({
        Type: name('Annot'),
        Subtype: name('Square'),
        Rect: [0, 0, 100, 100],
        AP: dict({ N: R(cert) }),
      });
      return new Map<number, UpdateObject>([
        [cert, { stream: fx.pki.officer.cert, dict: form }],
        [annot, { value: a }],
        [
          pageRef.num,
          { value: edited(page, { Annots: [...(Array.isArray(annots) ? annots : []), R(annot)] }) },
        ],
        [rootRef.num, { value: edited(catalog, { DSS: dict({ Certs: [R(cert)] }) }) }],
      ]);
    });
    const doc = new PdfDocument(bytes);
    const diff = diffAfter(doc, doc.revisions[doc.revisions.length - 2]!);
    expect(diff.level).toBe('OTHER');
    expect(diff.changes.map((c) => c.reason).join(' ')).toContain('outside /DSS');
    const report = await verifyAs(fx, bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });
});

const popplerText = requireTool('poppler-text', {
  why: "poppler's text extraction shows what a viewer makes of repeated keys",
});

popplerText.describe('poppler reads the last of repeated keys', () => {
  it('pdftotext shows the forged text of the shadowed page, which esign refuses', async () => {
    const fx = fixtures['P=1'];
    const forged = shadowedPage(fx.pdf);
    const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-dupkey-'));
    try {
      writeFileSync(join(dir, 'forged.pdf'), forged);
      const out = spawnSync('pdftotext', [join(dir, 'forged.pdf'), '-'], { encoding: 'utf8' });
      expect(out.stdout).toContain(FORGED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await verifyAs(fx, forged)).indication).not.toBe('TOTAL_PASSED');
  });
});
