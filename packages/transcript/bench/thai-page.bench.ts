/**
 * One generated page with Thai and Latin lines: the HarfBuzz shaping + Type0 embedding layer (what issuing
 * uses) against pdf-lib + fontkit drawing the same lines with the same font (which misplaces Thai marks),
 * in the same run. Wall time median and CPU per page (process.cpuUsage).
 * Run: node --import tsx bench/thai-page.bench.ts
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFName, rgb } from 'pdf-lib';
import { bundledThaiFont, loadFont, PdfFontWriter, shapeText } from '../src/issue/font/index.js';
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
    doc.context.obj({ Font: { F1: addObjectSet(doc.context, await writer.build()) } }),
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

async function measure(fn: () => Promise<Uint8Array>, runs: number) {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    size = (await fn()).length;
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, cpuMs: (cpu.user + cpu.system) / 1000 / runs, size };
}

const a = await measure(ours, 30);
const b = await measure(pdfLib, 30);
process.stdout.write(
  `${JSON.stringify({
    bench: 'thai-page-harfbuzz-type0-median',
    unit: 'ms',
    value: Number(a.median.toFixed(2)),
    cpuMsPerOp: Number(a.cpuMs.toFixed(2)),
    bytes: a.size,
    baseline: 'pdf-lib-fontkit-drawText',
    baselineValue: Number(b.median.toFixed(2)),
    baselineCpuMsPerOp: Number(b.cpuMs.toFixed(2)),
    baselineBytes: b.size,
    ratio: Number((a.median / b.median).toFixed(3)),
  })}\n`,
);
