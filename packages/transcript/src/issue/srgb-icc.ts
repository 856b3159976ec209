/**
 * A small ICC v2 sRGB display profile (matrix/TRC), generated in code so no binary profile has to be
 * vendored: PDF/A needs one as the DestOutputProfile of its OutputIntent.
 */

/** D50, the ICC profile connection space white. */
const D50 = [0.9642, 1.0, 0.8249] as const;
/** sRGB primaries adapted from D65 to D50 with the Bradford transform (as in the ICC's own sRGB profiles). */
const RED = [0.4360747, 0.2225045, 0.0139322] as const;
const GREEN = [0.3850649, 0.7168786, 0.0971045] as const;
const BLUE = [0.1430804, 0.0606169, 0.7141733] as const;
/** Entries of the sampled tone curve: enough for a smooth inverse in any CMM, and still ~2 KB. */
const CURVE_POINTS = 1024;
const DESCRIPTION = 'sRGB IEC61966-2.1';
const COPYRIGHT = 'No copyright, use freely';

/** The sRGB electro-optical transfer function (IEC 61966-2-1). */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
}

function s15Fixed16(view: DataView, at: number, v: number): void {
  view.setInt32(at, Math.round(v * 65536));
}

function xyzTag(xyz: readonly [number, number, number]): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  b.set(ascii('XYZ '), 0);
  xyz.forEach((c, i) => {
    s15Fixed16(v, 8 + i * 4, c);
  });
  return b;
}

function curveTag(): Uint8Array {
  const b = new Uint8Array(12 + CURVE_POINTS * 2);
  const v = new DataView(b.buffer);
  b.set(ascii('curv'), 0);
  v.setUint32(8, CURVE_POINTS);
  for (let i = 0; i < CURVE_POINTS; i++) {
    v.setUint16(12 + i * 2, Math.round(srgbToLinear(i / (CURVE_POINTS - 1)) * 65535));
  }
  return b;
}

/** v2 textDescriptionType: ASCII part plus empty Unicode and ScriptCode parts (67 reserved bytes). */
function descTag(text: string): Uint8Array {
  const n = text.length + 1;
  const b = new Uint8Array(12 + n + 8 + 3 + 67);
  const v = new DataView(b.buffer);
  b.set(ascii('desc'), 0);
  v.setUint32(8, n);
  b.set(ascii(text), 12);
  return b;
}

function textTag(text: string): Uint8Array {
  const b = new Uint8Array(8 + text.length + 1);
  b.set(ascii('text'), 0);
  b.set(ascii(text), 8);
  return b;
}

let cached: Uint8Array | undefined;

/** The profile bytes (a fresh copy each call; deterministic). */
export function srgbIccProfile(): Uint8Array {
  cached ??= buildProfile();
  return cached.slice();
}

function buildProfile(): Uint8Array {
  const curve = curveTag();
  const tags: [string, Uint8Array][] = [
    ['desc', descTag(DESCRIPTION)],
    ['cprt', textTag(COPYRIGHT)],
    ['wtpt', xyzTag(D50)],
    ['rXYZ', xyzTag(RED)],
    ['gXYZ', xyzTag(GREEN)],
    ['bXYZ', xyzTag(BLUE)],
    ['rTRC', curve],
    ['gTRC', curve],
    ['bTRC', curve],
  ];
  const align = (n: number) => (n + 3) & ~3;
  let offset = 128 + 4 + tags.length * 12;
  // The three TRC tags share one data block, as the ICC specification allows.
  const placed = new Map<Uint8Array, number>();
  const table: [string, number, number][] = [];
  for (const [sig, data] of tags) {
    let at = placed.get(data);
    if (at === undefined) {
      at = offset;
      placed.set(data, at);
      offset = align(offset + data.length);
    }
    table.push([sig, at, data.length]);
  }
  const size = offset;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, size);
  v.setUint32(8, 0x02100000); // version 2.1.0
  out.set(ascii('mntr'), 12);
  out.set(ascii('RGB '), 16);
  out.set(ascii('XYZ '), 20);
  // A fixed creation date keeps the bytes (and so issued PDFs) reproducible.
  [2026, 1, 1, 0, 0, 0].forEach((n, i) => {
    v.setUint16(24 + i * 2, n);
  });
  out.set(ascii('acsp'), 36);
  v.setUint32(64, 0); // perceptual rendering intent
  D50.forEach((c, i) => {
    s15Fixed16(v, 68 + i * 4, c);
  });
  v.setUint32(128, table.length);
  table.forEach(([sig, at, len], i) => {
    out.set(ascii(sig), 132 + i * 12);
    v.setUint32(136 + i * 12, at);
    v.setUint32(140 + i * 12, len);
  });
  for (const [data, at] of placed) out.set(data, at);
  return out;
}
