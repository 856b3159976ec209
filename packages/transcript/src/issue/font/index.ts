/**
 * Thai text for PDFs: shaping with HarfBuzz (WebAssembly, from npm) and embedding as a Type0/CIDFontType2
 * font with ToUnicode. Self-contained on purpose: every import stays inside this folder (plus `@thgov/core`
 * for the error base, `harfbuzzjs` and Node built-ins), no PDF library involved, so it can move as one piece
 * to the package that draws signature appearances.
 */
export { type BundledWeight, bundledThaiFont } from './bundled.js';
export { FONT_ERROR_CODES, FontError, type FontErrorCode, isFontError } from './errors.js';
export { type LoadedFont, loadFont } from './font.js';
export { PdfFontWriter, type ShowTextOptions } from './pdf-font.js';
export {
  num,
  PdfAscii,
  type PdfDictValue,
  PdfHex,
  PdfLocalRef,
  PdfName,
  type PdfObjectDef,
  type PdfObjectSet,
  type PdfValue,
  serializeValue,
  utf16be,
} from './pdf-values.js';
export type { FontMetrics } from './sfnt.js';
export { type GlyphRun, itemize, type ShapedGlyph, type ShapeOptions, shapeText } from './shape.js';
export { subsetFont } from './subset.js';
