import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { verifyPdfSignatures } from '../src/index.js';
import { PdfDocument } from '../src/pdf/document.js';
import { QPDF_FIXTURES, readFixture, rewrittenTranscriptTrust } from './fixtures/qpdf-fixtures.js';

const qpdf = requireTool('qpdf', { why: "qpdf's structural check of the committed qpdf-made fixtures" });

describe('committed qpdf fixtures (regenerate with `pnpm --filter @thgov/transcript fixtures:regen`)', () => {
  it('the object-stream files keep their objects in object streams', () => {
    for (const file of [QPDF_FIXTURES.titledPage, QPDF_FIXTURES.letter]) {
      const doc = new PdfDocument(readFixture(file));
      expect(
        [...doc.last.xref.values()].some((e) => e.kind === 'compressed'),
        file,
      ).toBe(true);
    }
  });

  it('the rewritten transcript is a signed file whose byte range no longer fits, with its root beside it', async () => {
    const bytes = readFixture(QPDF_FIXTURES.rewrittenTranscript);
    expect(Buffer.from(bytes).toString('latin1')).toMatch(/\/ByteRange\s*\[/);
    const [root] = rewrittenTranscriptTrust();
    expect(new X509Certificate(root!).subject).toContain('CN=Test Root CA');
    const r = await verifyPdfSignatures(bytes, { trust: rewrittenTranscriptTrust() });
    expect([r.indication, r.subIndication]).toEqual(['TOTAL_FAILED', 'FORMAT_FAILURE']);
  });

  qpdf.it('qpdf --check finds every committed fixture a sound PDF', () => {
    for (const file of [QPDF_FIXTURES.titledPage, QPDF_FIXTURES.letter, QPDF_FIXTURES.rewrittenTranscript]) {
      expect(execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })).toContain(
        'No syntax or stream encoding errors',
      );
    }
  });
});
