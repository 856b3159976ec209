import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { signPdf, verifyPdfSignatures } from '../src/index.js';
import { PdfDocument } from '../src/pdf/document.js';
import { dict, name, str } from '../src/pdf/writer.js';
import { update } from './fixtures/generate.js';
import { QPDF_FIXTURES, readFixture } from './fixtures/qpdf-fixtures.js';
import { NssDb } from './helpers/pdfsig.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];

/** A one-page letter qpdf rewrote with `--object-streams=generate` (a committed fixture). */
const objectStreamPdf = () => readFixture(QPDF_FIXTURES.letter);
const pdfsig = requireTool('pdfsig', {
  why: "poppler's opinion of a signature added on top of object streams",
});

function signOnTop(base: Uint8Array): Promise<Uint8Array> {
  return signPdf(base, {
    signer: { key: pki.signer.key, chain: [pki.signer.cert, pki.ca.cert] },
    subFilter: 'adbe.pkcs7.detached',
    when: pki.now,
  });
}

describe('signed documents whose base uses xref and object streams', () => {
  it('verifies a signature added on top of an xref-stream file', async () => {
    const base = objectStreamPdf();
    const doc = new PdfDocument(base);
    expect([...doc.last.xref.values()].some((e) => e.kind === 'compressed')).toBe(true);
    const signed = await signOnTop(base);
    const r = await verifyPdfSignatures(signed, { trust });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.coverage).toBe('ENTIRE_FILE');
  });

  pdfsig.it('pdfsig agrees that the signature on top of the xref-stream file is valid', async () => {
    const db = await NssDb.create(pki.root.cert);
    try {
      expect(db.check(await signOnTop(objectStreamPdf()))).toContain('Signature is Valid.');
    } finally {
      db.close();
    }
  });

  it('catches a change to an object that lived in an object stream', async () => {
    const signed = await signPdf(objectStreamPdf(), {
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
