import { TextDecoder } from 'node:util';
import { findCitizenIds } from '@thgov/core/internal';

/**
 * Citizen-ID counting for the privacy guard with core's detector, the one redaction uses (any decimal digit
 * script, dots, slashes, dashes, spaces, zero-width characters, percent, JSON and HTML escapes, cell separators),
 * over text of any length read piece by piece in bounded memory. A piece ends at a character that is neither part
 * of an ID, nor of an escape, nor a cell separator (a Thai letter, a bracket …), kept on both sides of the cut:
 * each piece reads exactly as the whole text would, and an ID split between two chunks of a stream is found once.
 * Text without such a character for a long stretch (a column of bare numbers) is read in overlapping windows.
 */

/** Longest piece given to the detector at once (its cost grows faster than the text on escape-heavy input). */
const PIECE = 16 * 1024;
/** Overlap of two windows where no cut was found: longer than any spelling of one ID. */
const OVERLAP = 2048;

/**
 * Bytes decoded at once: a larger chunk decodes to a string V8 puts in its large-object space, slower to make and
 * to collect (about twice the decoding time, and the resident memory of an upload).
 */
const DECODE_SLICE = 64 * 1024;

// Not the cell separators `,` `;` `|` `:` `'` `"`: core reads `1,1037,00123,45,8` and `"1","1037",…` as one ID
// (a spreadsheet's cells), so a cut there would hide the ID from both pieces.
const CUT_ASCII = new Uint8Array(128);
for (const c of '()[]{}<>=') CUT_ASCII[c.charCodeAt(0)] = 1;

/** A character that ends a digit run and belongs to no escape: the ASCII above, Thai letters and marks. */
function isCut(c: number): boolean {
  return c < 128 ? CUT_ASCII[c] === 1 : c >= 0x0e01 && c <= 0x0e4e;
}

/** Index of the last cut character before `limit` (not the first character), or -1. */
function lastCut(text: string, limit: number): number {
  for (let i = limit - 1; i > 0; i--) if (isCut(text.charCodeAt(i))) return i;
  return -1;
}

/** Counts citizen IDs in text given piece by piece; `end()` reads what is still held. */
export class CitizenIdCounter {
  #count = 0;
  #pending = '';
  /** Position in the whole text of `#pending[0]`. */
  #base = 0;
  /** End of the last ID counted (windows overlap: an ID is counted once). */
  #countedTo = 0;

  get count(): number {
    return this.#count;
  }

  /** Adds text; everything up to its last cut character is read now. */
  push(text: string): number {
    // The windows of `#pending + text`, each joined from at most PIECE characters: the pieces read are the ones
    // the whole joined text gives, without copying a long text into one string first.
    let at = 0;
    let pending = this.#pending;
    while (pending.length + text.length - at > PIECE) {
      const take = PIECE - pending.length;
      pending = this.#readWindow(pending + text.slice(at, at + take));
      at += take;
    }
    let rest = pending + text.slice(at);
    const cut = lastCut(rest, rest.length);
    if (cut > 0) rest = this.#read(rest, cut + 1, cut);
    this.#pending = rest;
    return this.#count;
  }

  /** Reads the rest; the total count. */
  end(): number {
    this.#read(this.#pending, this.#pending.length, this.#pending.length);
    this.#pending = '';
    return this.#count;
  }

  #readWindow(rest: string): string {
    const cut = lastCut(rest, PIECE);
    return cut > 0 ? this.#read(rest, cut + 1, cut) : this.#read(rest, PIECE, PIECE - OVERLAP);
  }

  /** Counts the IDs in `rest[0, length)`; returns `rest` from `next` on. */
  #read(rest: string, length: number, next: number): string {
    for (const [start, end] of findCitizenIds(rest.slice(0, length))) {
      if (this.#base + start < this.#countedTo) continue;
      this.#count++;
      this.#countedTo = this.#base + end;
    }
    this.#base += next;
    return rest.slice(next);
  }
}

/**
 * The text encoding of bytes: UTF-16 by its byte order mark, or without one when every other byte is zero (ASCII
 * in UTF-16), else UTF-8.
 */
export function textEncodingOf(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const pairs = Math.min(head.length, 1024) >> 1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (pairs >= 4 && odd >= pairs / 8 && even <= odd / 16) return 'utf-16le';
  if (pairs >= 4 && even >= pairs / 8 && odd <= even / 16) return 'utf-16be';
  return 'utf-8';
}

/** Counts citizen IDs in bytes given chunk by chunk, decoded as text (see textEncodingOf). */
export class CitizenIdByteCounter {
  readonly #decoder: TextDecoder;
  readonly #counter = new CitizenIdCounter();

  /** `head`: the first bytes, to tell the encoding. */
  constructor(head: Uint8Array) {
    this.#decoder = new TextDecoder(textEncodingOf(head));
  }

  push(chunk: Uint8Array): number {
    // The streaming decoder joins a character split between two slices, as between two chunks.
    for (let at = 0; at < chunk.byteLength; at += DECODE_SLICE) {
      this.#counter.push(this.#decoder.decode(chunk.subarray(at, at + DECODE_SLICE), { stream: true }));
    }
    return this.#counter.count;
  }

  end(): number {
    this.#counter.push(this.#decoder.decode());
    return this.#counter.end();
  }
}

/** Magic numbers of containers whose text is compressed or encoded: ZIP (XLSX, ODS, DOCX), OLE2 (XLS), and others. */
const CONTAINERS = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  [0x1f, 0x8b, 0x08],
  [0x25, 0x50, 0x44, 0x46, 0x2d],
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0xff, 0xd8, 0xff],
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
];

/**
 * True when the bytes start as a ZIP (XLSX), OLE2 (XLS), gzip, PDF, PNG, JPEG, 7z or xz file: not read as text.
 * ZIP and gzip are opened by the upload scan (upload/containers.ts); the others are not read for citizen IDs.
 * Anything else is read as text, whatever format it is declared as.
 */
export function isBinaryContainer(head: Uint8Array): boolean {
  return CONTAINERS.some((magic) => magic.every((b, i) => head[i] === b));
}
