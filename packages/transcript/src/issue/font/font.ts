import { createHash } from 'node:crypto';
import { FontError } from './errors.js';
import { type HarfBuzz, loadHarfBuzz } from './harfbuzz.js';
import { embeddingAllowed, type FontMetrics, readFontMetrics } from './sfnt.js';

/** A TrueType/OpenType font ready for shaping and embedding. Load it once; it is immutable. */
export interface LoadedFont {
  /** The font file as given (what gets subset and embedded). */
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex: names the font in subset tags and caches. */
  readonly digest: string;
  /** PostScript name, reduced to the characters a PDF name may hold without escapes. */
  readonly postScriptName: string;
  readonly metrics: FontMetrics;
  /** The glyph's advance width from hmtx, in font units. */
  glyphAdvance(glyphId: number): number;
  /** The lowest code point the font's cmap maps to this glyph, if any. */
  codePointOf(glyphId: number): number | undefined;
  /** @internal The HarfBuzz objects, for the shaper in this folder. */
  readonly hb: { module: HarfBuzz; font: InstanceType<HarfBuzz['Font']> };
}

const MAX_FONT_BYTES = 32 * 1024 * 1024;
/** Fonts already parsed, by SHA-256: issuing many documents with one font parses it once. */
const loaded = new Map<string, Promise<LoadedFont>>();
const MAX_CACHED = 8;

/**
 * Parses a TrueType/OpenType font with HarfBuzz (compiled to WebAssembly) and reads the metrics a PDF
 * font descriptor needs.
 * @throws FontError `ERR_FONT_UNREADABLE` for bytes that are not a font, `ERR_FONT_NOT_EMBEDDABLE` when the
 * font's licence flags forbid embedding.
 * @example
 * ```ts
 * const font = await loadFont(await bundledThaiFont('regular'));
 * const run = await shapeText(font, 'น้ำใจ');
 * ```
 */
export async function loadFont(bytes: Uint8Array): Promise<LoadedFont> {
  if (!(bytes instanceof Uint8Array) || bytes.length < 12 || bytes.length > MAX_FONT_BYTES) {
    throw new FontError('ERR_FONT_UNREADABLE', 'The font is empty, truncated or larger than 32 MiB');
  }
  const tag = String.fromCharCode(...bytes.subarray(0, 4));
  // TrueType outlines (0x00010000 or 'true') or CFF ('OTTO'); collections and web fonts are not sfnt files.
  if (tag !== '\u0000\u0001\u0000\u0000' && tag !== 'true' && tag !== 'OTTO') {
    throw new FontError('ERR_FONT_UNREADABLE', 'The font is not a TrueType/OpenType file', {
      hint: 'Pass the bytes of a .ttf or .otf file (WOFF/WOFF2 web fonts and .ttc collections are not accepted).',
    });
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  let font = loaded.get(digest);
  if (!font) {
    // A private copy: the caller may reuse its buffer, the cached font must not change with it.
    font = parse(bytes.slice(), digest);
    if (loaded.size >= MAX_CACHED) loaded.delete(loaded.keys().next().value!);
    loaded.set(digest, font);
    font.catch(() => loaded.delete(digest));
  }
  return font;
}

async function parse(bytes: Uint8Array, digest: string): Promise<LoadedFont> {
  const hb = await loadHarfBuzz();
  const face = new hb.Face(new hb.Blob(bytes));
  const metrics = readFontMetrics((t) => face.referenceTable(t));
  const glyphCount = face.referenceTable('maxp') ? maxpGlyphCount(face.referenceTable('maxp')!) : 0;
  if (!metrics || glyphCount === 0 || face.upem !== metrics.unitsPerEm) {
    throw new FontError('ERR_FONT_UNREADABLE', 'The font has no usable head, hhea or maxp table');
  }
  if (!embeddingAllowed(metrics.fsType)) {
    throw new FontError('ERR_FONT_NOT_EMBEDDABLE', 'The font’s licence does not allow embedding it', {
      hint: 'Use an OFL font such as Sarabun (the bundled default).',
    });
  }
  const font = new hb.Font(face);
  const byGlyph = new Map<number, number>();
  for (const cp of face.collectUnicodes()) {
    const gid = font.nominalGlyph(cp);
    if (gid !== undefined && gid !== 0 && !byGlyph.has(gid)) byGlyph.set(gid, cp);
  }
  const advances = new Map<number, number>();
  return {
    bytes,
    digest,
    postScriptName: (face.getName(6, 'en') || 'Font').replace(/[^A-Za-z0-9-]/g, '').slice(0, 60) || 'Font',
    metrics,
    glyphAdvance(glyphId) {
      let adv = advances.get(glyphId);
      if (adv === undefined) {
        adv = glyphId < glyphCount ? font.glyphHAdvance(glyphId) : 0;
        advances.set(glyphId, adv);
      }
      return adv;
    },
    codePointOf: (glyphId) => byGlyph.get(glyphId),
    hb: { module: hb, font },
  };
}

function maxpGlyphCount(maxp: Uint8Array): number {
  if (maxp.length < 6) return 0;
  return new DataView(maxp.buffer, maxp.byteOffset, maxp.byteLength).getUint16(4);
}
