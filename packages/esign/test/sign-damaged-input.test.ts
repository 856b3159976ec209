import type { TimeStampFunction } from '@thgov/pki';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { extendPdf } from '../src/sign/extend.js';
import { addDocumentTimeStamp, signPdf } from '../src/sign/sign-pdf.js';
import type { Signer } from '../src/signers/signer.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { countingSigner, createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { qpdfCheck } from './helpers/qpdf.js';

/**
 * An officer handed a damaged PDF (bytes before the header, an update cut short, an update without its
 * cross-reference section) must get a clear refusal, not a signed file that no verifier accepts (thgov's own
 * fails the whole document on these anomalies; a header offset also broke the new revision's offsets). The
 * refusal comes before the key, a remote signing service or a TSA is used.
 */

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };
const qpdf = requireTool('qpdf', { why: 'qpdf checks that the signed output is not a damaged file' });

/** A TSA function counting its calls. */
function countingTsa(): { stamp: TimeStampFunction; calls: number } {
  const t = {
    calls: 0,
    stamp: (async (req) => {
      t.calls++;
      return (pki.tsa as TimeStampFunction)(req);
    }) as TimeStampFunction,
  };
  return t;
}

const concat = (...parts: (Uint8Array | string)[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));

/** Damage as it arrives in practice, each applied to a clean PDF. */
const DAMAGE: Array<[string, (pdf: Uint8Array) => Uint8Array]> = [
  ['a mail header left before %PDF-', (pdf) => concat('X-Attachment-Id: f_ab12\r\n\r\n', pdf)],
  [
    'an update cut short (its startxref leads nowhere)',
    (pdf) =>
      concat(
        pdf,
        '99 0 obj\n<< /Producer (crashed editor) >>\nendobj\nxref\n0 1\n0000000000 65535 f \n',
        'trailer\n<< /Size 100 >>\nstartxref\n987654\n%%EOF\n',
      ),
  ],
  [
    'an update without its cross-reference section (objects after the last %%EOF)',
    (pdf) => concat(pdf, '4 0 obj\n<< /Type /Page /MediaBox [0 0 10 10] >>\nendobj\n'),
  ],
];

const signOptions = (signer: Signer) => ({
  signer,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});

describe('signing a damaged PDF', () => {
  for (const [what, damage] of DAMAGE) {
    it(`${what}: signPdf refuses with ERR_PDF_FORMAT naming the damage, before the key is used`, async () => {
      const signer = countingSigner(pki, pki.officer);
      const err = await signPdf(damage(await letterPdf()), signOptions(signer)).catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_PDF_FORMAT')).toBe(true);
      expect((err as Error).message).toMatch(/damaged/);
      expect(signer.uses).toBe(0);
    });

    it(`${what}, after signing: extendPdf and addDocumentTimeStamp refuse before asking the TSA`, async () => {
      const signed = await signPdf(await letterPdf(), signOptions(signerFor(pki, pki.officer)));
      const damaged = damage(signed);
      const tsa = countingTsa();
      const extended = await extendPdf(damaged, {
        level: 'B-LTA',
        tsa: tsa.stamp,
        validationData: { crls: pki.crls },
      }).catch((e: unknown) => e);
      expect(isEsignError(extended, 'ERR_PDF_FORMAT')).toBe(true);
      const stamped = await addDocumentTimeStamp(damaged, { tsa: tsa.stamp }).catch((e: unknown) => e);
      expect(isEsignError(stamped, 'ERR_PDF_FORMAT')).toBe(true);
      expect(tsa.calls).toBe(0);
    });
  }

  it('guard: PDF white-space after the last %%EOF is no damage: the PDF is signed and verifies', async () => {
    const padded = concat(await letterPdf(), '\r\n\n  \n');
    const signed = await signPdf(padded, {
      ...signOptions(signerFor(pki, pki.officer)),
      level: 'B-LTA',
      tsa: pki.tsa,
    });
    const report = await verifyPdfSignatures(signed, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });

  qpdf.it(
    'guard: a DOS Ctrl-Z or a repeated %%EOF after the last %%EOF is padding too: signed, verified, clean for qpdf',
    async () => {
      for (const tail of ['\x1a', '%%EOF\r\n']) {
        const signed = await signPdf(concat(await letterPdf(), tail), {
          ...signOptions(signerFor(pki, pki.officer)),
          level: 'B-T',
          tsa: pki.tsa,
        });
        const report = await verifyPdfSignatures(signed, verifyOptions);
        expect(report.indication).toBe('TOTAL_PASSED');
        expect(report.signatures[0]!.coverage).toBe('ENTIRE_FILE');
        expect(qpdfCheck(signed).status).toBe(0);
      }
    },
  );

  qpdf.it(
    'guard: every level thgov writes on a clean PDF is a clean file for qpdf (no repair needed)',
    async () => {
      const signed = await signPdf(await letterPdf(), {
        ...signOptions(signerFor(pki, pki.officer)),
        level: 'B-LTA',
        tsa: pki.tsa,
      });
      const check = qpdfCheck(signed);
      expect(check.output).not.toMatch(/damaged|reconstruct/i);
      expect(check.status).toBe(0);
    },
  );
});
