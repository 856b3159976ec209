/** PDF object model of our own reader. Offsets are kept so signature checks can point at exact bytes. */

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex: boolean,
    /** Offset of the opening `(` or `<`. */
    readonly start: number,
    /** Offset just after the closing `)` or `>`. */
    readonly end: number,
  ) {}
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      let s = '';
      for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      return new TextDecoder().decode(b.subarray(3));
    }
    return String.fromCharCode(...b);
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  key(): string {
    return `${this.num} ${this.gen}`;
  }
}

export class PdfDict {
  constructor(
    readonly map: Map<string, PdfObject>,
    readonly start: number,
    readonly end: number,
    /** Keys the parsed dictionary repeated; `map` holds the last value of each, as poppler, qpdf and pdf.js read it. */
    readonly repeated: readonly string[] = [],
  ) {}
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** Raw (still encoded) stream bytes. */
    readonly raw: Uint8Array,
    readonly dataStart: number,
  ) {}
}

export type PdfArray = PdfObject[];
export type PdfObject =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfDict
  | PdfStream
  | PdfArray;

/** An indirect object as found at an offset: its header numbers and value. */
export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfObject;
  offset: number;
  end: number;
}

export function isName(o: PdfObject | undefined, name?: string): o is PdfName {
  return o instanceof PdfName && (name === undefined || o.name === name);
}

export function dictOf(o: PdfObject | undefined): PdfDict | undefined {
  if (o instanceof PdfDict) return o;
  if (o instanceof PdfStream) return o.dict;
  return undefined;
}

/** Deep structural equality, ignoring offsets: used to tell a re-written object from a changed one. */
export function pdfEquals(a: PdfObject | undefined, b: PdfObject | undefined, depth = 0): boolean {
  if (depth > 100) return false;
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && bytesEqual(a.bytes, b.bytes);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => pdfEquals(v, b[i], depth + 1));
  }
  if (a instanceof PdfStream) {
    return b instanceof PdfStream && pdfEquals(a.dict, b.dict, depth + 1) && bytesEqual(a.raw, b.raw);
  }
  if (a instanceof PdfDict) {
    if (!(b instanceof PdfDict) || a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) if (!b.map.has(k) || !pdfEquals(v, b.map.get(k), depth + 1)) return false;
    return true;
  }
  return false;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every key repeated in a dictionary of `o`, its direct values included (not following references; bounded). */
export function repeatedKeys(o: PdfObject | undefined, out: string[] = [], depth = 0): string[] {
  if (depth > 100 || out.length > 64 || o === null || o === undefined || typeof o !== 'object') return out;
  if (Array.isArray(o)) for (const v of o) repeatedKeys(v, out, depth + 1);
  else if (o instanceof PdfStream) repeatedKeys(o.dict, out, depth + 1);
  else if (o instanceof PdfDict) {
    out.push(...o.repeated);
    for (const v of o.map.values()) repeatedKeys(v, out, depth + 1);
  }
  return out;
}

/** Every reference inside a value (not following them). */
export function collectRefs(o: PdfObject | undefined, out: PdfRef[] = [], depth = 0): PdfRef[] {
  if (depth > 100 || o === null || o === undefined || typeof o !== 'object') return out;
  if (o instanceof PdfRef) out.push(o);
  else if (Array.isArray(o)) for (const v of o) collectRefs(v, out, depth + 1);
  else if (o instanceof PdfDict) for (const v of o.map.values()) collectRefs(v, out, depth + 1);
  else if (o instanceof PdfStream) collectRefs(o.dict, out, depth + 1);
  return out;
}
