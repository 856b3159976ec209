import fontkit from '@pdf-lib/fontkit';
import { requireTool } from '@thgov/testkit';
import { PDFDocument, rgb } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { bundledThaiFont, loadFont } from '../src/issue/font/index.js';
import {
  type InkMask,
  inkCount,
  renderWithPdfJs,
  renderWithPoppler,
  renderWithSkiaText,
  strayInk,
} from './helpers/render.js';
import { textPdf } from './helpers/text-pdf.js';

// Marks above and below, tone marks on tall consonants (ป ฝ ฟ), stacked marks, SARA AM, ญ/ฐ before a
// lower vowel: every case where placing glyphs by advance alone goes wrong.
const SAMPLES = ['ปั้น ฝั่ง ฟื้น ป้ำ ที่ กิ่ง น้ำ', 'ญู ฐู ปู่ ทำ ผู้ใหญ่', 'นางสาวสมศรี ใจดี Ms Somsri Jaidee'];
const PAGE = { width: 400, height: 60 };
const LINE = { x: 10, y: 20, size: 24 };
const PX = 4;

const bytes = await bundledThaiFont('regular');
const font = await loadFont(bytes);

/** What pdf-lib + fontkit produce for the same text: GSUB applied, GPOS offsets dropped. */
async function pdfLibPdf(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const f = await doc.embedFont(bytes, { subset: true });
  doc.addPage([PAGE.width, PAGE.height]).drawText(text, { ...LINE, font: f, color: rgb(0, 0, 0) });
  return doc.save();
}

function expectSameInk(rendered: InkMask, oracle: InkMask, label: string): void {
  expect(inkCount(oracle), `${label}: the oracle drew text`).toBeGreaterThan(2000);
  expect(strayInk(rendered, oracle), `${label}: ink where the oracle has none`).toBeLessThan(0.01);
  expect(strayInk(oracle, rendered), `${label}: oracle ink missing from the page`).toBeLessThan(0.01);
}

describe('Thai shaping on the rendered page (pdf.js from npm, always)', () => {
  for (const text of SAMPLES) {
    it(`pdf.js draws every glyph of sample ${SAMPLES.indexOf(text) + 1} where Skia's own shaper puts it`, async () => {
      const page = await renderWithPdfJs(await textPdf(font, [{ text, ...LINE }], PAGE), PX);
      expectSameInk(page, renderWithSkiaText(bytes, { text, ...LINE }, PAGE, PX), 'pdf.js');
    });
  }

  it('the comparison can fail: pdf-lib + fontkit (no GPOS offsets) misplaces the marks', async () => {
    const text = SAMPLES[0]!;
    const oracle = renderWithSkiaText(bytes, { text, ...LINE }, PAGE, PX);
    const ours = await renderWithPdfJs(await textPdf(font, [{ text, ...LINE }], PAGE), PX);
    const theirs = await renderWithPdfJs(await pdfLibPdf(text), PX);
    expect(strayInk(ours, oracle)).toBeLessThan(0.01);
    // Several percent of the ink (the marks) is somewhere else without GPOS.
    expect(strayInk(theirs, oracle)).toBeGreaterThan(0.02);
  });
});

// pdftoppm is a second, independent renderer (Splash + FreeType): requireTool skips and lists it where it is
// missing, and fails the run under CI=true.
const pdftoppm = requireTool('pdftoppm', { why: "poppler's renderer as a second opinion on Thai shaping" });
pdftoppm.describe('Thai shaping on the rendered page (poppler pdftoppm)', () => {
  it('pdftoppm draws the shaped samples like the oracle, and the unshaped one unlike it', async () => {
    for (const text of SAMPLES) {
      const page = renderWithPoppler(await textPdf(font, [{ text, ...LINE }], PAGE), PX);
      expectSameInk(page, renderWithSkiaText(bytes, { text, ...LINE }, PAGE, PX), 'pdftoppm');
    }
    const text = SAMPLES[0]!;
    const unshaped = renderWithPoppler(await pdfLibPdf(text), PX);
    expect(strayInk(unshaped, renderWithSkiaText(bytes, { text, ...LINE }, PAGE, PX))).toBeGreaterThan(0.02);
  });
});
