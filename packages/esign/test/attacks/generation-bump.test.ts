// A signed object re-written after signing, byte for byte, under another generation number (`5 1 obj`, the xref
// entry `… 00001 n`). Every signed reference still says `5 0 R`: poppler resolves it to null and pdf.js refuses it
// ("Inconsistent generation"), so the page loses that content, while the object's value is unchanged. It was
// "no changes after signing" before (the generation only made an ODD_GENERATION warning).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../src/pdf/document.js';
import type { PdfDict, PdfObject, PdfRef } from '../../src/pdf/objects.js';
import { signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');

/** The object number of page 1's (first) content stream. */
function contentNum(doc: PdfDocument): number {
  const rev = doc.last;
  const pages = doc.resolve(doc.catalog(rev)!.get('Pages'), rev) as PdfDict;
  const page = doc.resolve((doc.resolve(pages.get('Kids'), rev) as PdfObject[])[0], rev) as PdfDict;
  const c = page.get('Contents');
  return ((Array.isArray(c) ? c[0] : c) as PdfRef).num;
}

/** An update that writes object `num` again, same bytes, under generation `gen`. */
function regenerated(base: Uint8Array, num: number, gen: number): Uint8Array {
  const doc = new PdfDocument(base);
  const rev = doc.last;
  const text = Buffer.from(base).toString('latin1', doc.offsetOf(num, rev)!);
  const body = text.slice(text.indexOf('obj') + 3, text.indexOf('endobj'));
  let s = '\n';
  const at = base.length + s.length;
  s += `${num} ${gen} obj${body}endobj\n`;
  const xref = base.length + s.length;
  const entry = `${String(at).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`;
  s += `xref\n0 1\n0000000000 65535 f \n${num} 1\n${entry}trailer\n`;
  s += `<</Size ${rev.trailer.get('Size')}/Root ${(rev.trailer.get('Root') as PdfRef).num} 0 R/Prev ${rev.startxref}>>\n`;
  s += `startxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from(s, 'latin1')]));
}

function popplerText(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-gen-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), bytes);
    return spawnSync('pdftotext', [join(dir, 'in.pdf'), '-'], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const num = contentNum(new PdfDocument(pdf));
const bumped = regenerated(pdf, num, 1);

describe('a signed object re-written under another generation', () => {
  it('pdf.js no longer resolves the signed reference to it', async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: bumped.slice(), verbosity: 0 }).promise;
    try {
      await expect((await doc.getPage(1)).getTextContent()).rejects.toThrow(/generation/i);
    } finally {
      await doc.destroy();
    }
  });

  it('fails the signature: the content is gone for viewers although its bytes are the same', async () => {
    const report = await verify(bumped);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    const mods = report.signatures[0]!.checks.find((c) => c.id === 'modifications')!;
    expect(mods.status).toBe('FAILED');
    expect(report.signatures[0]!.modification).toBe('OTHER');
  });

  it('guard: the same object re-written under its own generation is no change', async () => {
    const report = await verify(regenerated(pdf, num, 0));
    expect(report.signatures[0]!.modification).toBe('NONE');
    expect(report.indication).toBe('TOTAL_PASSED');
  });
});

requireTool('poppler-text', { why: "poppler's reading of a reference whose generation changed" }).describe(
  'a generation bump as poppler reads it',
  () => {
    it('poppler shows the signed page without the re-written content', () => {
      expect(popplerText(pdf)).toContain('Official letter');
      expect(popplerText(bumped)).not.toContain('Official letter');
    });
  },
);
