import { createHash } from 'node:crypto';
import type { LoadedFont } from './font.js';
import {
  num,
  PdfAscii,
  type PdfDictValue,
  PdfLocalRef,
  PdfName,
  type PdfObjectSet,
  type PdfValue,
  utf16be,
} from './pdf-values.js';
import type { GlyphRun, ShapedGlyph } from './shape.js';
import { subsetFont } from './subset.js';

/** Where and how big a run is drawn: PDF user space, points, y up; `resourceName` as in the page's /Font. */
export interface ShowTextOptions {
  x: number;
  y: number;
  size: number;
  resourceName: string;
}

interface Segment {
  glyphs: ShapedGlyph[];
  text: string;
}

/** Consecutive glyphs of one cluster, with the characters they stand for. */
function segmentsOf(run: GlyphRun): Segment[] {
  const segments: { glyphs: ShapedGlyph[]; start: number }[] = [];
  for (const g of run.glyphs) {
    const last = segments.at(-1);
    if (last && last.start === g.cluster) last.glyphs.push(g);
    else segments.push({ glyphs: [g], start: segments.length === 0 ? 0 : g.cluster });
  }
  return segments.map((s, i) => ({
    glyphs: s.glyphs,
    text: run.text.slice(s.start, segments[i + 1]?.start ?? run.text.length),
  }));
}

const hex4 = (gid: number) => gid.toString(16).toUpperCase().padStart(4, '0');

/**
 * Embeds one font as a Type0 / CIDFontType2 font with Identity-H encoding (glyph IDs are the character
 * codes), a subset of the TrueType program, a /W array equal to the font's own advances (PDF/A requires
 * them consistent) and a ToUnicode CMap; and writes content-stream operators that place every glyph where
 * HarfBuzz put it (advances and GPOS offsets, which pdf-lib and fontkit drop). Text that glyphs cannot
 * stand for one by one (SARA AM decomposed, ligatures) is wrapped in an /ActualText span, so copying and
 * extraction give back exactly the text that was shaped.
 * @example
 * ```ts
 * const writer = new PdfFontWriter(font);
 * const ops = writer.showText(await shapeText(font, 'น้ำ'), { x: 50, y: 700, size: 14, resourceName: 'F1' });
 * const { objects, root } = await writer.build(); // write `objects`, link `root` as /F1
 * ```
 */
export class PdfFontWriter {
  readonly font: LoadedFont;
  readonly #toUnicode = new Map<number, string>();

  constructor(font: LoadedFont) {
    this.font = font;
  }

  /** The width of a run at `size` points. */
  widthOf(run: GlyphRun, size: number): number {
    return (run.advance * size) / this.font.metrics.unitsPerEm;
  }

  /** A complete text object (`BT … ET`) drawing the run with its baseline origin at (x, y). */
  showText(run: GlyphRun, options: ShowTextOptions): string {
    if (run.font !== this.font) throw new RangeError('The run was shaped with another font');
    const upem = this.font.metrics.unitsPerEm;
    const toGlyphSpace = 1000 / upem;
    const ops = ['BT', `/${new PdfName(options.resourceName).name} ${num(options.size)} Tf`];
    ops.push(`1 0 0 1 ${num(options.x)} ${num(options.y)} Tm`);
    let tj: string[] = [];
    const flush = () => {
      if (tj.length > 0) ops.push(`[${tj.join(' ')}] TJ`);
      tj = [];
    };
    let pen = 0; // where HarfBuzz's pen is, font units
    let shown = 0; // where the PDF text position is after the last glyph shown, font units
    let rise = 0;
    for (const segment of segmentsOf(run)) {
      const actualText = this.#map(segment);
      if (actualText) {
        flush();
        ops.push(
          `/Span <</ActualText <${Buffer.from(utf16be(segment.text)).toString('hex').toUpperCase()}>>> BDC`,
        );
      }
      for (const g of segment.glyphs) {
        if (g.yOffset !== rise) {
          // Text rise cannot change inside a TJ array.
          flush();
          ops.push(`${num((g.yOffset * options.size) / upem)} Ts`);
          rise = g.yOffset;
        }
        const target = pen + g.xOffset;
        if (target !== shown) tj.push(num(-(target - shown) * toGlyphSpace));
        tj.push(`<${hex4(g.id)}>`);
        shown = target + this.font.glyphAdvance(g.id);
        pen += g.xAdvance;
      }
      if (actualText) {
        flush();
        ops.push('EMC');
      }
    }
    flush();
    // Text rise is graphics state: it would outlive this text object.
    if (rise !== 0) ops.push('0 Ts');
    ops.push('ET');
    return `${ops.join('\n')}\n`;
  }

  /**
   * Fixes the ToUnicode value of each glyph on first sight (a one-glyph cluster gives its characters, a
   * glyph inside a larger cluster its cmap character) and reports whether the segment needs ActualText.
   */
  #map(segment: Segment): boolean {
    const [only] = segment.glyphs;
    if (segment.glyphs.length === 1 && only && !this.#toUnicode.has(only.id)) {
      this.#toUnicode.set(only.id, segment.text);
    }
    for (const g of segment.glyphs) {
      if (this.#toUnicode.has(g.id)) continue;
      const cp = this.font.codePointOf(g.id);
      this.#toUnicode.set(g.id, cp === undefined ? segment.text : String.fromCodePoint(cp));
    }
    return segment.glyphs.map((g) => this.#toUnicode.get(g.id)).join('') !== segment.text;
  }

  /**
   * The font objects for every glyph shown so far: Type0 font (the `root`), CIDFontType2, FontDescriptor,
   * FontFile2 (subset, uncompressed: the writer compresses) and ToUnicode CMap.
   */
  async build(): Promise<PdfObjectSet> {
    const glyphs = [...this.#toUnicode.keys()].sort((a, b) => a - b);
    const program = await subsetFont(this.font.bytes, glyphs);
    const m = this.font.metrics;
    const scale = 1000 / m.unitsPerEm;
    const baseFont = new PdfName(`${subsetTag(this.font.digest, glyphs)}+${this.font.postScriptName}`);
    const descriptor: PdfDictValue = {
      Type: new PdfName('FontDescriptor'),
      FontName: baseFont,
      // Symbolic (4): Thai is outside the standard Latin character set; FixedPitch 1, Italic 64.
      Flags: 4 | (m.fixedPitch ? 1 : 0) | (m.italicAngle !== 0 ? 64 : 0),
      FontBBox: m.bbox.map((v) => Math.round(v * scale)),
      ItalicAngle: m.italicAngle,
      Ascent: Math.round(m.ascent * scale),
      Descent: Math.round(m.descent * scale),
      CapHeight: Math.round(m.capHeight * scale),
      StemV: Math.round(10 + (220 * Math.max(0, m.weightClass - 50)) / 900),
      FontFile2: new PdfLocalRef(3),
    };
    return {
      root: 0,
      objects: [
        {
          dict: {
            Type: new PdfName('Font'),
            Subtype: new PdfName('Type0'),
            BaseFont: baseFont,
            Encoding: new PdfName('Identity-H'),
            DescendantFonts: [new PdfLocalRef(1)],
            ToUnicode: new PdfLocalRef(4),
          },
        },
        {
          dict: {
            Type: new PdfName('Font'),
            Subtype: new PdfName('CIDFontType2'),
            BaseFont: baseFont,
            CIDSystemInfo: {
              Registry: new PdfAscii('Adobe'),
              Ordering: new PdfAscii('Identity'),
              Supplement: 0,
            },
            FontDescriptor: new PdfLocalRef(2),
            W: widths(glyphs, (g) => this.font.glyphAdvance(g) * scale),
            CIDToGIDMap: new PdfName('Identity'),
          },
        },
        { dict: descriptor },
        { dict: { Length1: program.length }, stream: program },
        { dict: {}, stream: new TextEncoder().encode(toUnicodeCMap(glyphs, this.#toUnicode)) },
      ],
    };
  }
}

/** `[first [w w w] first [w] …]`: one group per run of consecutive glyph IDs. */
function widths(glyphs: number[], width: (gid: number) => number): PdfValue[] {
  const out: PdfValue[] = [];
  let group: number[] = [];
  let first = -2;
  glyphs.forEach((g, i) => {
    if (i > 0 && g === glyphs[i - 1]! + 1) group.push(width(g));
    else {
      if (group.length > 0) out.push(first, group);
      first = g;
      group = [width(g)];
    }
  });
  if (group.length > 0) out.push(first, group);
  return out;
}

/** Six capital letters from the font and the glyph set: the same subset always gets the same tag. */
function subsetTag(fontDigest: string, glyphs: number[]): string {
  const h = createHash('sha256').update(fontDigest).update(glyphs.join(',')).digest();
  return [...h.subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
}

function toUnicodeCMap(glyphs: number[], text: ReadonlyMap<number, string>): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  // A bfchar block holds at most 100 entries.
  for (let i = 0; i < glyphs.length; i += 100) {
    const chunk = glyphs.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`);
    for (const g of chunk) {
      const hex = Buffer.from(utf16be(text.get(g) ?? '', false))
        .toString('hex')
        .toUpperCase();
      lines.push(`<${hex4(g)}> <${hex}>`);
    }
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return `${lines.join('\n')}\n`;
}
