import { FontError } from './errors.js';
import type { LoadedFont } from './font.js';

/** One positioned glyph, in font units (HarfBuzz's coordinates: y up, offsets from the pen position). */
export interface ShapedGlyph {
  /** Glyph ID in the font (also its CID in an Identity-H PDF font). */
  id: number;
  /** UTF-16 index of the first character this glyph came from (monotone, left to right). */
  cluster: number;
  xAdvance: number;
  xOffset: number;
  yOffset: number;
}

/** The result of shaping: glyphs in visual (left-to-right) order with their positions. */
export interface GlyphRun {
  readonly font: LoadedFont;
  readonly text: string;
  readonly glyphs: readonly ShapedGlyph[];
  /** Sum of the advances, in font units. */
  readonly advance: number;
}

export interface ShapeOptions {
  /** BCP 47 language of the text, for language-specific forms. Default `th`. */
  language?: string;
}

type Script = 'Thai' | 'Latn' | 'Zyyy';

/** Thai letters, vowels, tone marks and digits; the Latin letter ranges; everything else is common. */
function scriptOf(cp: number): Script {
  if (cp >= 0x0e00 && cp <= 0x0e7f) return 'Thai';
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f)) return 'Latn';
  return 'Zyyy';
}

type Strong = Exclude<Script, 'Zyyy'>;

/**
 * Splits text into runs of one script: spaces, digits and punctuation join the run before them (leading
 * ones join the first letter's run), so "มหาวิทยาลัย Test University" is shaped as Thai, then Latin, each
 * with its own script's lookups.
 */
export function itemize(text: string): { start: number; end: number; script: Strong }[] {
  const units: { at: number; width: number; script: Script }[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    units.push({ at: i, width, script: scriptOf(cp) });
    i += width;
  }
  let current: Strong = (units.find((u) => u.script !== 'Zyyy')?.script as Strong | undefined) ?? 'Latn';
  const items: { start: number; end: number; script: Strong }[] = [];
  for (const u of units) {
    if (u.script !== 'Zyyy') current = u.script;
    const last = items.at(-1);
    if (last && last.script === current) last.end = u.at + u.width;
    else items.push({ start: u.at, end: u.at + u.width, script: current });
  }
  return items;
}

/**
 * Shapes one line of left-to-right text (Thai and Latin) with HarfBuzz: Thai marks placed above and below
 * their consonants (GPOS mark and mkmk), tone marks moved clear of tall consonants, SARA AM decomposed, the
 * descender of ญ and ฐ dropped before a lower vowel (GSUB). Clusters are characters, monotone.
 * @throws FontError `ERR_FONT_MISSING_GLYPH` when the font lacks a glyph (PDF/A forbids showing .notdef);
 * the message gives the count only, never the text.
 * @example
 * ```ts
 * const run = await shapeText(font, 'นางสาวสมศรี ใจดี');
 * const widthInPoints = (run.advance * 12) / font.metrics.unitsPerEm;
 * ```
 */
export async function shapeText(
  font: LoadedFont,
  text: string,
  options: ShapeOptions = {},
): Promise<GlyphRun> {
  const { module: hb, font: hbFont } = font.hb;
  const glyphs: ShapedGlyph[] = [];
  let missing = 0;
  for (const item of itemize(text)) {
    const buffer = new hb.Buffer();
    // The whole string is the context, so shaping at item edges sees its neighbours.
    buffer.addText(text, item.start, item.end - item.start);
    buffer.setDirection(hb.Direction.LTR);
    buffer.setScript(item.script);
    buffer.setLanguage(item.script === 'Thai' ? (options.language ?? 'th') : 'en');
    buffer.setClusterLevel(hb.ClusterLevel.MONOTONE_CHARACTERS);
    hb.shape(hbFont, buffer);
    for (const g of buffer.getGlyphInfosAndPositions()) {
      if (g.codepoint === 0) missing++;
      glyphs.push({
        id: g.codepoint,
        cluster: g.cluster,
        xAdvance: g.xAdvance ?? 0,
        xOffset: g.xOffset ?? 0,
        yOffset: g.yOffset ?? 0,
      });
    }
  }
  if (missing > 0) {
    throw new FontError(
      'ERR_FONT_MISSING_GLYPH',
      `The font has no glyph for ${missing} character(s) of the text to show`,
      { hint: 'Use a font that covers the text (the bundled Sarabun covers Thai and Latin).' },
    );
  }
  return { font, text, glyphs, advance: glyphs.reduce((sum, g) => sum + g.xAdvance, 0) };
}
