import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { dictOf, PdfRef } from '../src/pdf/objects.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { qpdfCheck } from './helpers/qpdf.js';

/**
 * The trailer's /Size is the producer's word for "one past the highest object number", and some producers get it
 * wrong (too small when object numbers are sparse, or missing). The objects a signature appends must never reuse a
 * number the document already uses: that silently replaced the page (or took object 0) and produced a PDF with
 * no verifiable signature and a page that no longer reads.
 */

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };
const qpdf = requireTool('qpdf', { why: 'qpdf checks that the signed output is a clean file' });

/** The letter with its trailer's /Size rewritten (`undefined`: removed). */
async function letterWithSize(size: number | undefined): Promise<Uint8Array> {
  const text = Buffer.from(await letterPdf()).toString('latin1');
  const changed = text.replace(/\/Size \d+/, size === undefined ? '' : `/Size ${size}`.padEnd(8, ' '));
  return new Uint8Array(Buffer.from(changed, 'latin1'));
}

/** The page's content stream reference and font, as the last revision reads them. */
function pageShape(pdf: Uint8Array): string {
  const doc = new PdfDocument(pdf);
  const catalog = doc.catalog(doc.last);
  const pages = dictOf(doc.resolve(catalog?.get('Pages'), doc.last));
  const kids = doc.resolve(pages?.get('Kids'), doc.last) as PdfRef[];
  const page = dictOf(doc.resolve(kids[0], doc.last));
  const contents = page?.get('Contents');
  return `${contents instanceof PdfRef ? `${contents.num} ${contents.gen}` : 'none'} ${dictOf(doc.resolve(contents, doc.last))?.get('Length')}`;
}

const CASES: Array<[string, number | undefined]> = [
  ['/Size smaller than the highest object number', 3],
  ['/Size 1 (only the free entry)', 1],
  ['no /Size at all', undefined],
];

describe('numbering the objects a signature appends', () => {
  for (const [what, size] of CASES) {
    it(`${what}: new objects get unused numbers; the page is intact and the B-LTA signature verifies`, async () => {
      const letter = await letterWithSize(size);
      const before = pageShape(letter);
      const signed = await signPdf(letter, {
        trustAnchors: pki.root.cert,
        validationData: { crls: pki.crls },
        signer: signerFor(pki, pki.officer),
        level: 'B-LTA',
        tsa: pki.tsa,
      });
      expect(pageShape(signed)).toBe(before);
      const report = await verifyPdfSignatures(signed, verifyOptions);
      expect(report.signatures.map((s) => [s.kind, s.indication])).toEqual([
        ['signature', 'TOTAL_PASSED'],
        ['document-timestamp', 'TOTAL_PASSED'],
      ]);
    });
  }

  qpdf.it('the signed PDF of a /Size-too-small letter is a clean file for qpdf', async () => {
    const signed = await signPdf(await letterWithSize(3), {
      skipChainCheck: true,
      signer: signerFor(pki, pki.officer),
    });
    const check = qpdfCheck(signed);
    expect(check.output).not.toMatch(/damaged|reconstruct/i);
    expect(check.status).toBe(0);
  });
});
