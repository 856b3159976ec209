import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { PdfStream } from '../src/pdf/objects.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const signed = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-T',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
  signingTime: new Date('2026-12-02T03:00:00Z'),
  appearance: {
    page: 1,
    rect: [300, 60, 560, 140],
    name: 'นางสาวสมศรี ใจดี',
    position: 'ผู้อำนวยการกอง / Director',
  },
});

describe('visible signatures', () => {
  it('place a widget with an appearance stream on the page rectangle, and the signature stays valid', async () => {
    const report = await verifyPdfSignatures(signed, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    const doc = new PdfDocument(signed);
    const text = Buffer.from(signed).toString('latin1');
    expect(text).toMatch(/\/Rect \[300 60 560 140\]/);
    expect(text).toMatch(/\/AP <<\/N \d+ 0 R>>/);
    const ap = /\/AP <<\/N (\d+) 0 R>>/.exec(text)!;
    expect(doc.getObject(Number(ap[1]), doc.last)).toBeInstanceOf(PdfStream);
  });
});

const popplerText = requireTool('poppler-text', {
  why: 'pdftotext shows what a reader extracts from the appearance',
});
popplerText.describe('the appearance text', () => {
  it('pdftotext gives back the Thai name, the position and the Buddhist-era date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-ap-'));
    writeFileSync(join(dir, 's.pdf'), signed);
    const out = execFileSync('pdftotext', ['-layout', join(dir, 's.pdf'), '-'], { encoding: 'utf8' });
    expect(out).toContain('นางสาวสมศรี ใจดี');
    expect(out).toContain('ผู้อำนวยการกอง / Director');
    expect(out).toContain('2569');
    expect(out).toContain('Date: 2026-12-02');
  });
});
