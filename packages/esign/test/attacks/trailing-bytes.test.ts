// Bytes after the last %%EOF that no revision accounts for. PDF white-space there is harmless (writers pad with
// NULs or line ends); anything else is data no cross-reference section lists — an update without its xref, which a
// reader that reconstructs a damaged file may still show, or a payload riding on the document. The document fails
// with a clear reason, and so does the signature it follows: its report must not say "No changes after signing".
// What other writers leave there without content — a DOS end-of-file Ctrl-Z (0x1A), a repeated %%EOF line — is
// padding too (Acrobat and poppler's pdfsig accept it), but the signature then covers its revision, never "the
// entire file".
import { requireTool } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../src/verify/report.js';
import { appendUpdate, edited, signedFixture } from '../helpers/tamper.js';

const fx = await signedFixture('B-T');
const withTail = (pdf: Uint8Array, tail: string) =>
  new Uint8Array(Buffer.concat([Buffer.from(pdf), Buffer.from(tail, 'latin1')]));
const check = (r: VerificationReport, id: string) =>
  [...r.checks, ...r.signatures.flatMap((s) => s.checks)].find((c) => c.id === id)!;
const SHADOW_PAGE = '\n3 0 obj\n<< /Type /Page /Contents 99 0 R >>\nendobj\n99 0 obj\n<< >>\nendobj\n';

describe('bytes after the last %%EOF', () => {
  it.each([
    ['objects without a cross-reference section', SHADOW_PAGE],
    ['an HTML payload', '<html><script>1</script></html>'],
    ['an object after a repeated %%EOF', `%%EOF${SHADOW_PAGE}`],
    ['an object after a Ctrl-Z', `\x1a${SHADOW_PAGE}`],
    ['a comment other than %%EOF', '% 3 0 obj\n'],
    ['a broken %%EOF marker', '%%E%%EOFOF\n'],
  ])('%s: the document and the signature fail, saying what was found', async (_, tail) => {
    const report = await fx.verify(withTail(fx.pdf, tail));
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(check(report, 'structure').message).toMatch(/TRAILING_BYTES.*after the last %%EOF/);
    const sig = report.signatures[0]!;
    expect(sig.indication).not.toBe('TOTAL_PASSED');
    expect(check(report, 'modifications').status).toBe('FAILED');
    expect(check(report, 'modifications').message).toContain('TRAILING_BYTES');
    // What the bytes say never reaches the report.
    expect(JSON.stringify(report)).not.toContain('script');
  });

  it('a complete update before the garbage is still seen as a change', async () => {
    const rotated = appendUpdate(
      fx.pdf,
      ({ pageRef, page }) => new Map([[pageRef.num, { value: edited(page, { Rotate: 90 }) }]]),
    );
    const report = await fx.verify(withTail(rotated, 'junk'));
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]!.modification).toBe('OTHER');
  });

  it('PDF white-space (line ends, NULs, blanks, form feeds) is only a warning', async () => {
    const report = await fx.verify(withTail(fx.pdf, '\r\n\0\0 \t\f'));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(check(report, 'structure').warnings.join(' ')).toContain('TRAILING_BYTES');
    expect(check(report, 'modifications').status).toBe('PASSED');
  });

  it.each([
    ['a Ctrl-Z', '\x1a'],
    ['a CR LF and a Ctrl-Z', '\r\n\x1a'],
    ['a repeated end-of-file line', '%%EOF\n'],
    ['repeated end-of-file lines with CR LF around them', '\r\n%%EOF\r\n%%EOF\x1a'],
  ])('%s at the end: a warning, and the signature covers its revision only', async (_, tail) => {
    const report = await fx.verify(withTail(fx.pdf, tail));
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(check(report, 'structure').warnings.join(' ')).toContain('TRAILING_BYTES');
    const sig = report.signatures[0]!;
    expect(sig.indication).toBe('TOTAL_PASSED');
    expect(sig.coverage).toBe('ENTIRE_REVISION');
    expect(check(report, 'coverage').message).not.toMatch(/entire file/i);
    expect(check(report, 'modifications').status).toBe('PASSED');
  });
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent verifier of the same bytes' });
pdfsig.describe('poppler pdfsig reads the same tails the same way', () => {
  let db: import('../helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('../helpers/pdfsig.js');
    db = PdfsigDb.create(fx.pki.root.cert);
  });

  it('a Ctrl-Z or a repeated %%EOF: the signature is valid, not the total document signed', () => {
    for (const tail of ['\x1a', '%%EOF\n']) {
      const out = db.check(withTail(fx.pdf, tail));
      expect(out).toContain('Signature is Valid.');
      expect(out).toContain('Not total document signed');
    }
    expect(db.check(fx.pdf)).toContain('Total document signed');
  });
});
