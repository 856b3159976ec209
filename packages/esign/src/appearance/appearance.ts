import { X509Certificate } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PdfRef } from '../pdf/objects.js';
import type { UpdateObject } from '../pdf/writer.js';
import {
  bundledThaiFont,
  loadFont,
  num,
  type PdfDictValue,
  PdfFontWriter,
  PdfLocalRef,
  PdfName,
  type PdfObjectSet,
  serializeValue,
  shapeText,
} from './font/index.js';

/** A visible signature: where it goes and what it says. Invisible when absent. */
export interface SignatureAppearance {
  /** 1-based page number; default 1. */
  page?: number;
  /** Rectangle in PDF points, `[x1, y1, x2, y2]` from the page's lower-left corner. */
  rect: [number, number, number, number];
  /** The signer's name as shown; default the certificate's common name. */
  name?: string;
  /** Position or title (ตำแหน่ง), e.g. `ผู้อำนวยการกอง / Director`. */
  position?: string;
  /** TrueType/OpenType font bytes; default the bundled Sarabun (needs the optional peers harfbuzzjs and the font). */
  font?: Uint8Array;
}

/** The lines of the appearance: name, position, and the signing date in the Thai (Buddhist-era) and ISO forms. */
export function appearanceLines(a: SignatureAppearance, signerCert: Uint8Array, signingTime: Date): string[] {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(Buffer.from(signerCert)).subject)?.[1];
  const thaiDate = signingTime.toLocaleDateString('th-TH-u-ca-buddhist', {
    timeZone: 'Asia/Bangkok',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  const lines = [`ลงนามโดย / Signed by: ${a.name ?? cn ?? ''}`];
  if (a.position) lines.push(a.position);
  // Both dates in Thai time, so they name the same day.
  const isoDate = signingTime.toLocaleDateString('en-CA', { timeZone: 'Asia/Bangkok' });
  lines.push(`วันที่ ${thaiDate} / Date: ${isoDate}`);
  return lines;
}

/** A compressed stream object in the font layer's value model (refs are absolute object numbers). */
function streamObject(dict: PdfDictValue, data: Uint8Array, ref: (i: number) => string): UpdateObject {
  const compressed = deflateSync(data);
  const full: PdfDictValue = { ...dict, Filter: new PdfName('FlateDecode'), Length: compressed.length };
  return {
    raw: Buffer.concat([
      Buffer.from(`${serializeValue(full, ref)}\nstream\n`, 'latin1'),
      compressed,
      Buffer.from('\nendstream', 'latin1'),
    ]),
  };
}

/** The font objects, numbered from `first`, as raw update objects. */
function fontObjects(set: PdfObjectSet, first: number): Map<number, UpdateObject> {
  const ref = (i: number) => `${first + i} 0 R`;
  const out = new Map<number, UpdateObject>();
  set.objects.forEach((o, i) => {
    out.set(
      first + i,
      o.stream
        ? streamObject(o.dict, o.stream, ref)
        : { raw: Buffer.from(serializeValue(o.dict, ref), 'latin1') },
    );
  });
  return out;
}

/**
 * The appearance stream of a visible signature: a thin frame and the lines shaped with HarfBuzz (Thai marks
 * placed as Thai readers expect) in an embedded subset of the font. Returns a builder for the signing update.
 */
export async function buildAppearance(
  a: SignatureAppearance,
  lines: string[],
): Promise<(first: number) => { objects: Map<number, UpdateObject>; next: number; appearance: PdfRef }> {
  const font = await loadFont(a.font ?? (await bundledThaiFont('regular')));
  const writer = new PdfFontWriter(font);
  const [x1, y1, x2, y2] = a.rect;
  const w = Math.abs(x2 - x1);
  const h = Math.abs(y2 - y1);
  const size = Math.max(6, Math.min(12, (h - 8) / (lines.length * 1.4)));
  let ops = `q 0.2 0.2 0.5 RG 0.8 w 0.4 0.4 ${num(w - 0.8)} ${num(h - 0.8)} re S Q\n0 g\n`;
  let y = h - 4 - size;
  for (const line of lines) {
    const run = await shapeText(font, line);
    let s = size;
    while (s > 5 && writer.widthOf(run, s) > w - 8) s -= 0.5;
    ops += writer.showText(run, { x: 4, y, size: s, resourceName: 'F1' });
    y -= size * 1.4;
  }
  const set = await writer.build();
  return (first) => {
    const objects = fontObjects(set, first);
    const xobjectNum = first + set.objects.length;
    const form: PdfDictValue = {
      Type: new PdfName('XObject'),
      Subtype: new PdfName('Form'),
      BBox: [0, 0, w, h],
      Resources: { Font: { F1: new PdfLocalRef(first + set.root) } },
    };
    objects.set(
      xobjectNum,
      streamObject(form, new TextEncoder().encode(ops), (n) => `${n} 0 R`),
    );
    return { objects, next: xobjectNum + 1, appearance: new PdfRef(xobjectNum, 0) };
  };
}
