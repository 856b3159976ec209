import { deflateSync } from 'node:zlib';
import {
  type LoadedFont,
  PdfFontWriter,
  type PdfObjectDef,
  serializeValue,
  shapeText,
} from '../../src/issue/font/index.js';

export interface TextLine {
  text: string;
  x: number;
  y: number;
  size: number;
}

/**
 * A one-page PDF written straight from the font layer's objects (no pdf-lib), so rendering tests look at
 * exactly what the layer emits. `ops` replaces the content stream when given (e.g. an unshaped variant).
 */
export async function textPdf(
  font: LoadedFont,
  lines: TextLine[],
  page: { width: number; height: number } = { width: 400, height: 200 },
): Promise<Uint8Array> {
  const writer = new PdfFontWriter(font);
  let content = '0 g\n';
  for (const l of lines) {
    content += writer.showText(await shapeText(font, l.text), { ...l, resourceName: 'F1' });
  }
  return assemble(await writer.build(), content, page);
}

/** Writes catalog, page, content and the font set (objects 5…) with a classic xref table. */
export function assemble(
  font: { objects: PdfObjectDef[]; root: number },
  content: string,
  page: { width: number; height: number },
): Uint8Array {
  const fontNum = (i: number) => 5 + i;
  const ref = (i: number) => `${fontNum(i)} 0 R`;
  const bodies: (string | Uint8Array)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Resources << /Font << /F1 ${ref(font.root)} >> >> /Contents 4 0 R >>`,
    stream({}, new TextEncoder().encode(content), ref),
    ...font.objects.map((o) => (o.stream ? stream(o.dict, o.stream, ref) : serializeValue(o.dict, ref))),
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = chunks[0]!.length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(length);
    const b = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body),
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(b);
    length += b.length;
  });
  let xref = `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(off).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}

function stream(dict: PdfObjectDef['dict'], data: Uint8Array, ref: (i: number) => string): Uint8Array {
  const packed = deflateSync(data);
  const head = serializeValue(dict, ref).slice(0, -2);
  return Buffer.concat([
    Buffer.from(`${head} /Filter /FlateDecode /Length ${packed.length}>>\nstream\n`, 'latin1'),
    packed,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}
