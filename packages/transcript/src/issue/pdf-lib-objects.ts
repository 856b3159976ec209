import { type PDFContext, PDFDict, PDFObjectParser, type PDFRef } from 'pdf-lib';
import { type PdfObjectSet, serializeValue } from './font/index.js';

/**
 * Adds a font layer object set to a pdf-lib document: each object gets a fresh reference, dictionaries
 * are parsed by pdf-lib from their serialized form, streams are Flate-compressed by pdf-lib (pako, the
 * same bytes on every Node version). Returns the reference of the set's root.
 */
export function addObjectSet(ctx: PDFContext, set: PdfObjectSet): PDFRef {
  const refs = set.objects.map(() => ctx.nextRef());
  set.objects.forEach((o, i) => {
    const text = serializeValue(o.dict, (j) => `${refs[j]!.objectNumber} 0 R`);
    const dict = PDFObjectParser.forBytes(new TextEncoder().encode(text), ctx).parseObject();
    if (!(dict instanceof PDFDict)) throw new Error('font object is not a dictionary');
    if (o.stream) {
      const stream = ctx.flateStream(o.stream);
      for (const [key, value] of dict.entries()) stream.dict.set(key, value);
      ctx.assign(refs[i]!, stream);
    } else {
      ctx.assign(refs[i]!, dict);
    }
  });
  return refs[set.root]!;
}
