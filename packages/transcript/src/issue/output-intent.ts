import type { PDFDocument } from 'pdf-lib';
import type { PdfLib } from './dependencies.js';
import { srgbIccProfile } from './srgb-icc.js';

const SRGB = 'sRGB IEC61966-2.1';

/**
 * Gives the document the sRGB PDF/A OutputIntent unless it already has a GTS_PDFA1 one (a caller's own
 * PDF/A page keeps its profile: PDF/A allows only one destination profile).
 */
export function ensureSrgbOutputIntent(lib: PdfLib, doc: PDFDocument): void {
  const { PDFArray, PDFDict, PDFName, PDFString } = lib;
  const ctx = doc.context;
  const key = PDFName.of('OutputIntents');
  const existing = doc.catalog.lookupMaybe(key, PDFArray);
  if (existing) {
    for (let i = 0; i < existing.size(); i++) {
      const oi = existing.lookupMaybe(i, PDFDict);
      if (oi?.lookupMaybe(PDFName.of('S'), PDFName) === PDFName.of('GTS_PDFA1')) return;
    }
  }
  const profile = ctx.register(ctx.flateStream(srgbIccProfile(), { N: 3 }));
  const intent = ctx.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of(SRGB),
    Info: PDFString.of(SRGB),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: profile,
  });
  if (existing) existing.push(ctx.register(intent));
  else doc.catalog.set(key, ctx.obj([ctx.register(intent)]));
}
