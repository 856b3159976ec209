/** What a PDF FontDescriptor needs from a TrueType font, in font units. */
export interface FontMetrics {
  unitsPerEm: number;
  bbox: [number, number, number, number];
  ascent: number;
  descent: number;
  capHeight: number;
  italicAngle: number;
  fixedPitch: boolean;
  weightClass: number;
  /** OS/2 fsType: the embedding permissions the font's licence grants. */
  fsType: number;
}

type TableReader = (tag: string) => Uint8Array | undefined;

function view(table: Uint8Array | undefined, minLength: number): DataView | undefined {
  if (!table || table.length < minLength) return undefined;
  return new DataView(table.buffer, table.byteOffset, table.byteLength);
}

/**
 * Reads head, hhea, OS/2 and post. Returns undefined when head or hhea is missing or short: without them
 * the file is not a usable TrueType font. OS/2 and post are optional in the format, so defaults apply.
 */
export function readFontMetrics(table: TableReader): FontMetrics | undefined {
  const head = view(table('head'), 54);
  const hhea = view(table('hhea'), 36);
  if (!head || !hhea) return undefined;
  const unitsPerEm = head.getUint16(18);
  if (unitsPerEm < 16 || unitsPerEm > 16384) return undefined;
  const bbox: [number, number, number, number] = [
    head.getInt16(36),
    head.getInt16(38),
    head.getInt16(40),
    head.getInt16(42),
  ];
  let ascent = hhea.getInt16(4);
  let descent = hhea.getInt16(6);
  let capHeight = ascent;
  let weightClass = 400;
  let fsType = 0;
  const os2 = view(table('OS/2'), 78);
  if (os2) {
    weightClass = os2.getUint16(4);
    fsType = os2.getUint16(8);
    // Typographic ascent/descent are the designer's line metrics; hhea's include accent clearance.
    ascent = os2.getInt16(68) || ascent;
    descent = os2.getInt16(70) || descent;
    if (os2.getUint16(0) >= 2 && os2.byteLength >= 90) capHeight = os2.getInt16(88) || capHeight;
  }
  let italicAngle = 0;
  let fixedPitch = false;
  const post = view(table('post'), 16);
  if (post) {
    italicAngle = post.getInt32(4) / 65536;
    fixedPitch = post.getUint32(12) !== 0;
  }
  return { unitsPerEm, bbox, ascent, descent, capHeight, italicAngle, fixedPitch, weightClass, fsType };
}

/**
 * OS/2 fsType bit 1 (value 2) is "restricted licence embedding"; bit 9 (0x200) is "bitmap embedding
 * only". Either makes embedding the outlines a licence breach, so such fonts are refused.
 */
export function embeddingAllowed(fsType: number): boolean {
  return (fsType & 0x0002) === 0 && (fsType & 0x0200) === 0;
}
