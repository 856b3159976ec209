import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { signPdf, verifyPdfSignatures } from '../src/index.js';
import { PdfDocument } from '@thgov/esign';
import { dict, name, str } from '@thgov/esign/internal';
import { qpdfRewrite, update } from './fixtures/generate.js';
import { havePoppler, NssDb } from './helpers/pdfsig.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];

async function objectStreamPdf(): Promise<Uint8Array> {
  const d = await PDFDocument.create({ updateMetadata: false });
  d.addPage([300, 300]).drawText('letter', { font: await d.embedFont(StandardFonts.Helvetica) });
  const out = qpdfRewrite(await d.save(), ['--object-streams=generate']);
  if (!out) throw new Error('qpdf is required for this test');
  return out;
}

describe('signed documents whose base uses xref and object streams', () => {
  let db: NssDb | undefined;
  afterAll(() => db?.close());

  it('verifies a signature added on top of an xref-stream file; pdfsig agrees', async () => {
    const base = await objectStreamPdf();
    const doc = new PdfDocument(base);
    expect([...doc.last.xref.values()].some((e) => e.kind === 'compressed')).toBe(true);
    const signed = await signPdf(base, {
      signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
      subFilter: 'adbe.pkcs7.detached',
      when: pki.now,
    });
    const r = await verifyPdfSignatures(signed, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.coverage).toBe('ENTIRE_FILE');
    if (havePoppler()) {
      db = await NssDb.create(pki.root.cert);
      expect(db.check(signed)).toContain('Signature is Valid.');
    }
  });

  it('catches a change to an object that lived in an object stream', async () => {
    const signed = await signPdf(await objectStreamPdf(), {
      signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
      subFilter: 'adbe.pkcs7.detached',
      when: pki.now,
    });
    const doc = new PdfDocument(signed);
    const compressed = [...doc.revisions[0]!.xref].find(([, e]) => e.kind === 'compressed');
    expect(compressed).toBeDefined();
    const [num] = compressed!;
    const tampered = update(
      signed,
      () =>
        new Map([
          [
            num,
            {
              value: dict({
                Type: name('Annot'),
                Subtype: name('Text'),
                Rect: [0, 0, 1, 1],
                Contents: str('x'),
              }),
            },
          ],
        ]),
    );
    const r = await verifyPdfSignatures(tampered, { trust });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.signatures[0]!.modification).toBe('OTHER');
  });
});
