import { EsignError } from '../errors.js';
import type { Budget } from './limits.js';
import {
  type IndirectObject,
  PdfDict,
  PdfName,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
} from './objects.js';

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export function isWhite(c: number | undefined): boolean {
  return c !== undefined && WS[c] === 1;
}
function isRegular(c: number | undefined): boolean {
  return c !== undefined && WS[c] !== 1 && DELIM[c] !== 1;
}

function formatError(message: string): EsignError {
  return new EsignError('ERR_PDF_FORMAT', message);
}

/** Resolves `/Length 12 0 R` while a stream is being parsed; undefined when it cannot. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/**
 * A recursive-descent reader over raw bytes. It never executes anything and every loop is bounded
 * by the input length, the nesting depth and the shared time budget.
 */
export class PdfParser {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly budget: Budget,
    readonly resolveLength?: LengthResolver,
  ) {}

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS[c] === 1) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  /** Reads a bare keyword or number token without consuming it permanently when peek is used. */
  readToken(): string {
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.buf.length && isRegular(this.buf[this.pos])) this.pos++;
    return latin1(this.buf, start, this.pos);
  }

  peekKeyword(word: string): boolean {
    const save = this.pos;
    const t = this.readToken();
    this.pos = save;
    return t === word;
  }

  parseObject(depth = 0): PdfObject {
    if (depth > this.budget.limits.maxDepth) {
      throw new EsignError('ERR_PDF_LIMIT', `Nesting deeper than ${this.budget.limits.maxDepth} levels`);
    }
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) throw formatError('Unexpected end of data while reading an object');
    const c = b[this.pos]!;
    if (c === 0x2f) return this.parseName();
    if (c === 0x28) return this.parseLiteralString();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) return this.parseDictOrStream(depth);
      return this.parseHexString();
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfObject[] = [];
      for (;;) {
        this.skipWs();
        if (this.pos >= b.length) throw formatError('Unterminated array');
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.parseObject(depth + 1));
        if ((arr.length & 0x3ff) === 0) this.budget.tick();
      }
    }
    const start = this.pos;
    const tok = this.readToken();
    if (tok === '') throw formatError(`Unexpected byte 0x${c.toString(16)} at ${start}`);
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    // `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the two digit runs of the latter split a long token both ways (a
    // hostile 100,000-digit token took seconds, quadratic).
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(tok)) {
      // Lookahead for `num gen R`.
      if (/^\d+$/.test(tok)) {
        const save = this.pos;
        const gen = this.readToken();
        if (/^\d+$/.test(gen)) {
          const r = this.readToken();
          if (r === 'R') return new PdfRef(Number(tok), Number(gen));
        }
        this.pos = save;
      }
      return Number(tok);
    }
    throw formatError(`Unexpected token at offset ${start}`);
  }

  private parseName(): PdfName {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    while (this.pos < b.length && isRegular(b[this.pos])) {
      const c = b[this.pos]!;
      if (c === 0x23 && this.pos + 2 < b.length) {
        const h = Number.parseInt(latin1(b, this.pos + 1, this.pos + 3), 16);
        if (!Number.isNaN(h)) {
          out.push(h);
          this.pos += 3;
          continue;
        }
      }
      out.push(c);
      this.pos++;
    }
    return new PdfName(String.fromCharCode(...out));
  }

  private parseLiteralString(): PdfString {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    let depth = 1;
    const out: number[] = [];
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const n = b[this.pos++];
        if (n === undefined) break;
        const map: Record<number, number> = {
          110: 10,
          114: 13,
          116: 9,
          98: 8,
          102: 12,
          40: 40,
          41: 41,
          92: 92,
        };
        if (map[n] !== undefined) out.push(map[n]);
        else if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let k = 0; k < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++)
            v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (n === 13) {
          if (b[this.pos] === 10) this.pos++;
        } else if (n !== 10) out.push(n);
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        depth--;
        if (depth === 0) return new PdfString(Uint8Array.from(out), false, start, this.pos);
      }
      out.push(c);
    }
    throw formatError('Unterminated literal string');
  }

  private parseHexString(): PdfString {
    const b = this.buf;
    const start = this.pos;
    this.pos++;
    const end = b.indexOf(0x3e, this.pos);
    if (end < 0) throw formatError('Unterminated hex string');
    const fast = plainHex(b, this.pos, end);
    if (fast) {
      this.pos = end + 1;
      return new PdfString(fast, true, start, this.pos);
    }
    const out = new Uint8Array(Math.ceil((end - this.pos) / 2));
    let n = 0;
    let hi = -1;
    for (let i = this.pos; i < end; i++) {
      const c = b[i]!;
      if (WS[c] === 1) continue;
      const v = hexVal(c);
      if (v < 0) throw formatError(`Bad character in hex string at ${i}`);
      if (hi < 0) hi = v;
      else {
        out[n++] = (hi << 4) | v;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi << 4;
    this.pos = end + 1;
    return new PdfString(out.subarray(0, n), true, start, this.pos);
  }

  private parseDictOrStream(depth: number): PdfDict | PdfStream {
    const b = this.buf;
    const start = this.pos;
    this.pos += 2;
    const map = new Map<string, PdfObject>();
    let repeated: string[] | undefined;
    for (;;) {
      this.skipWs();
      if (this.pos >= b.length) throw formatError('Unterminated dictionary');
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        break;
      }
      if (b[this.pos] !== 0x2f) throw formatError(`Dictionary key is not a name at offset ${this.pos}`);
      const key = this.parseName().name;
      const value = this.parseObject(depth + 1);
      // A repeated key is a parser differential (PDF 32000-1 §7.3.7 leaves it undefined). poppler, qpdf and pdf.js
      // keep the last value, so this reader does too (what is judged is what viewers show) and records the key:
      // the document reports it, and a signature fails when it appears after the signed revision.
      if (map.has(key)) {
        repeated ??= [];
        repeated.push(key);
      }
      map.set(key, value);
    }
    const dict = new PdfDict(map, start, this.pos, repeated);
    const save = this.pos;
    if (this.readToken() !== 'stream') {
      this.pos = save;
      return dict;
    }
    if (b[this.pos] === 13) this.pos++;
    if (b[this.pos] === 10) this.pos++;
    const dataStart = this.pos;
    let len: number | undefined;
    const lenObj = dict.get('Length');
    if (typeof lenObj === 'number') len = lenObj;
    else if (lenObj instanceof PdfRef) len = this.resolveLength?.(lenObj);
    let dataEnd: number;
    if (
      len !== undefined &&
      Number.isInteger(len) &&
      len >= 0 &&
      dataStart + len <= b.length &&
      this.endsStream(dataStart + len)
    ) {
      dataEnd = dataStart + len;
    } else {
      const idx = indexOfBytes(b, ENDSTREAM, dataStart);
      if (idx < 0) throw formatError('Stream without endstream');
      dataEnd = idx;
      if (b[dataEnd - 1] === 10) dataEnd--;
      if (b[dataEnd - 1] === 13) dataEnd--;
    }
    this.pos = dataEnd;
    if (this.readToken() !== 'endstream') throw formatError('Stream without endstream');
    return new PdfStream(dict, b.subarray(dataStart, dataEnd), dataStart);
  }

  private endsStream(at: number): boolean {
    const save = this.pos;
    this.pos = at;
    const ok = this.readToken() === 'endstream';
    this.pos = save;
    return ok;
  }

  /** Parses `num gen obj … endobj` at the current position. */
  parseIndirect(): IndirectObject {
    this.skipWs();
    const offset = this.pos;
    const n = this.readToken();
    const g = this.readToken();
    const kw = this.readToken();
    if (!/^\d+$/.test(n) || !/^\d+$/.test(g) || kw !== 'obj')
      throw formatError(`No object header at offset ${offset}`);
    const value = this.parseObject(0);
    const save = this.pos;
    if (this.readToken() !== 'endobj') this.pos = save;
    this.budget.countObject();
    return { num: Number(n), gen: Number(g), value, offset, end: this.pos };
  }
}

const ENDSTREAM = Uint8Array.from('endstream', (c) => c.charCodeAt(0));

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle, from);
}

export function lastIndexOfBytes(hay: Uint8Array, needle: Uint8Array, from?: number): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).lastIndexOf(needle, from);
}

/**
 * The bytes of `b[from..to)` when it is an even run of hex digits and nothing else (a signature's /Contents
 * is), decoded by Node; undefined otherwise (whitespace, an odd digit, a bad character), for the byte loop.
 * Node's decoder stops at the first pair it cannot read, so a full-length result means every digit was valid.
 */
function plainHex(b: Uint8Array, from: number, to: number): Uint8Array | undefined {
  const length = to - from;
  if (length % 2 !== 0 || length < 64) return undefined;
  const out = new Uint8Array(length / 2);
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', from, to);
  return Buffer.from(out.buffer).write(text, 'hex') === out.length ? out : undefined;
}
