import { FontError } from './errors.js';
import { loadSubsetter } from './harfbuzz.js';

// hb-subset.h: flags and input sets.
const RETAIN_GIDS = 0x2;
const NO_LAYOUT_CLOSURE = 0x200;
const SETS_DROP_TABLE_TAG = 3;
/** Shaping happened before embedding; a PDF reader only draws glyphs by ID, so layout tables are dead weight. */
const DROPPED_TABLES = ['GSUB', 'GPOS', 'GDEF', 'kern', 'morx', 'mort', 'JSTF', 'BASE', 'DSIG'];

function tag(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}

/**
 * A subset of the font holding only `glyphIds` (and the components of composite glyphs), with glyph IDs
 * kept (RETAIN_GIDS), so the IDs chosen while shaping the full font stay valid as CIDs of an Identity-H
 * font. Deterministic: the same font and glyphs give the same bytes.
 */
export async function subsetFont(bytes: Uint8Array, glyphIds: Iterable<number>): Promise<Uint8Array> {
  const hb = await loadSubsetter();
  const fontPtr = hb.malloc(bytes.length);
  new Uint8Array(hb.memory.buffer).set(bytes, fontPtr);
  // Mode 1 (READONLY): HarfBuzz neither copies nor frees the memory; it is freed below.
  const blob = hb.hb_blob_create(fontPtr, bytes.length, 1, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  const input = hb.hb_subset_input_create_or_fail();
  let subset = 0;
  try {
    if (!input) throw new FontError('ERR_FONT_UNREADABLE', 'The font subsetter is out of memory');
    const glyphs = hb.hb_subset_input_set(input, 0);
    hb.hb_set_add(glyphs, 0);
    for (const gid of glyphIds) hb.hb_set_add(glyphs, gid);
    const drop = hb.hb_subset_input_set(input, SETS_DROP_TABLE_TAG);
    for (const t of DROPPED_TABLES) hb.hb_set_add(drop, tag(t));
    hb.hb_subset_input_set_flags(input, RETAIN_GIDS | NO_LAYOUT_CLOSURE);
    subset = hb.hb_subset_or_fail(face, input);
    if (!subset) throw new FontError('ERR_FONT_UNREADABLE', 'The font could not be subset for embedding');
    const out = hb.hb_face_reference_blob(subset);
    const length = hb.hb_blob_get_length(out);
    const data = hb.hb_blob_get_data(out, 0);
    const copy = new Uint8Array(hb.memory.buffer, data, length).slice();
    hb.hb_blob_destroy(out);
    if (copy.length === 0) throw new FontError('ERR_FONT_UNREADABLE', 'The font subset is empty');
    return copy;
  } finally {
    if (subset) hb.hb_face_destroy(subset);
    if (input) hb.hb_subset_input_destroy(input);
    hb.hb_face_destroy(face);
    hb.free(fontPtr);
  }
}
