/**
 * One generated page with Thai and Latin lines: the HarfBuzz shaping + Type0 embedding layer (what issuing
 * uses) against pdf-lib + fontkit drawing the same lines with the same font (which misplaces Thai marks),
 * in the same run, interleaved rounds. Wall time and CPU per page (process.cpuUsage), medians and spread.
 * Run: node --import tsx bench/thai-page.bench.ts [--quick]
 */
import fontkit from '@pdf-lib/fontkit';
import { bundledThaiFont, loadFont, PdfFontWriter, shapeText } from '@thgov/esign/internal';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import * as lib from 'pdf-lib';
import { PDFDocument, PDFName, rgb } from 'pdf-lib';
import { addObjectSet } from '../src/issue/pdf-lib-objects.js';

const LINES = [
  'ใบแสดงผลการศึกษา Academic transcript',
  'มหาวิทยาลัยทดสอบ Test University',
  'นางสาวสมศรี ใจดี',
  'Ms Somsri Jaidee',
  'ผู้ใหญ่บ้าน น้ำใจ ปู่ป่า ที่กิ่ง ญูฐู ฟ้า ทำ',
];
const bytes = await bundledThaiFont('regular');

async function ours(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await loadFont(bytes);
  const writer = new PdfFontWriter(font);
  let ops = '0 g\n';
  for (const [i, text] of LINES.entries()) {
    ops += writer.showText(await shapeText(font, text), {
      x: 50,
      y: 780 - i * 30,
      size: 14,
      resourceName: 'F1',
    });
  }
  const page = doc.addPage([595, 842]);
  page.node.set(
    PDFName.of('Resources'),
    doc.context.obj({ Font: { F1: addObjectSet(lib, doc.context, await writer.build()) } }),
  );
  page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(ops)));
  return doc.save({ useObjectStreams: false });
}

async function pdfLib(): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(bytes, { subset: true });
  const page = doc.addPage([595, 842]);
  for (const [i, text] of LINES.entries())
    page.drawText(text, { x: 50, y: 780 - i * 30, size: 14, font, color: rgb(0, 0, 0) });
  return doc.save({ useObjectStreams: false });
}

const PAGES = sized(6, 2);
const size = { ours: 0, pdfLib: 0 };
const pages = (make: () => Promise<Uint8Array>, key: keyof typeof size) => async () => {
  for (let i = 0; i < PAGES; i++) size[key] = (await make()).length;
};
const line = await compareRounds({
  bench: 'thai-page-harfbuzz-type0-median',
  kind: 'time',
  unit: 'ms',
  baseline: 'pdf-lib-fontkit-drawText',
  opsPerRound: PAGES,
  rounds: sized(5, 2),
  thgov: pages(ours, 'ours'),
  baselineSide: pages(pdfLib, 'pdfLib'),
});
emitBenchLine({ ...line, bytes: size.ours, baselineBytes: size.pdfLib });
