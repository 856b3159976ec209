/**
 * A minimal PDF object model, so this folder can describe the font objects without a PDF library: the
 * caller maps the local references to object numbers in its own writer (pdf-lib for issuing, the
 * incremental writer for signature appearances).
 */
export class PdfName {
  constructor(readonly name: string) {}
}
/** A string written in hex (binary-safe): `<FEFF0E01>`. */
export class PdfHex {
  constructor(readonly bytes: Uint8Array) {}
}
/** A literal string of printable ASCII: `(Adobe)`. */
export class PdfAscii {
  constructor(readonly text: string) {}
}
/** A reference to the object at `index` in the same {@link PdfObjectSet}. */
export class PdfLocalRef {
  constructor(readonly index: number) {}
}

export type PdfValue =
  | number
  | boolean
  | PdfName
  | PdfHex
  | PdfAscii
  | PdfLocalRef
  | PdfValue[]
  | { [key: string]: PdfValue };

export type PdfDictValue = { [key: string]: PdfValue };

/** One indirect object: a dictionary, or a stream (its dictionary and uncompressed data). */
export interface PdfObjectDef {
  dict: PdfDictValue;
  /** Uncompressed stream data; the writer may compress it (and then adds /Filter). */
  stream?: Uint8Array;
}

/** Objects that refer to each other by index; `root` is the one the caller links to (e.g. the font). */
export interface PdfObjectSet {
  objects: PdfObjectDef[];
  root: number;
}

/** Shortest decimal without exponent, at most 3 decimals: what content streams and W arrays need. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('A PDF number must be finite');
  const s = Number(n.toFixed(3)).toString();
  return s === '-0' ? '0' : s;
}

const NAME_SAFE = /^[A-Za-z0-9.+_-]+$/;

/** Serializes a value; `ref` turns a local reference into `N G R` text. */
export function serializeValue(value: PdfValue, ref: (index: number) => string): string {
  if (typeof value === 'number') return num(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof PdfName) {
    if (!NAME_SAFE.test(value.name)) throw new RangeError('PDF names here are limited to [A-Za-z0-9.+_-]');
    return `/${value.name}`;
  }
  if (value instanceof PdfHex) return `<${Buffer.from(value.bytes).toString('hex').toUpperCase()}>`;
  if (value instanceof PdfAscii) {
    if (!/^[\x20-\x7e]*$/.test(value.text)) throw new RangeError('Literal PDF strings here are ASCII');
    return `(${value.text.replace(/([\\()])/g, '\\$1')})`;
  }
  if (value instanceof PdfLocalRef) return ref(value.index);
  if (Array.isArray(value)) return `[${value.map((v) => serializeValue(v, ref)).join(' ')}]`;
  const entries = Object.entries(value).map(([k, v]) => {
    if (!NAME_SAFE.test(k)) throw new RangeError('PDF dictionary keys here are limited to [A-Za-z0-9.+_-]');
    return `/${k} ${serializeValue(v, ref)}`;
  });
  return `<<${entries.join(' ')}>>`;
}

/** Text from UTF-16BE with a byte-order mark, as PDF text strings (/ActualText) carry it. */
export function utf16be(text: string, bom = true): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let o = 0;
  if (bom) {
    out[o++] = 0xfe;
    out[o++] = 0xff;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[o++] = c >> 8;
    out[o++] = c & 0xff;
  }
  return out;
}
