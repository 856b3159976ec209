import { pipeline, Readable, type Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { CitizenIdByteCounter, CitizenIdCounter, isBinaryContainer, textEncodingOf } from '../citizen-ids.js';
import { bytesAccess, type RandomAccess } from './source.js';

/**
 * Reading the text inside gzip and ZIP containers (XLSX, ODS, DOCX, plain .zip) for the privacy guard, with
 * node:zlib only and bounds everywhere: whatever passes a bound, or cannot be read, is `Uncheckable`.
 */

const MiB = 1024 * 1024;
/** Most entries a ZIP may list. */
export const MAX_ZIP_ENTRIES = 10_000;
/** Most bytes read once decompressed, over one upload and every container nested in it. */
export const MAX_SCANNED_BYTES = 512 * MiB;
/** Highest decompressed : compressed ratio of an entry or a gzip, once it is past `RATIO_FREE_BYTES`. */
export const MAX_COMPRESSION_RATIO = 200;
/** Decompressed bytes an entry or a gzip may have whatever its ratio (a sheet of blanks compresses very well). */
export const RATIO_FREE_BYTES = 4 * MiB;
/** Largest container inside a container, held in memory to be read (one level deep at most). */
export const MAX_NESTED_BYTES = 64 * MiB;
/** Largest ZIP central directory. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 64 * MiB;
/** Containers inside containers read: a zip in a zip, an XLSX in a zip; deeper is not checked. */
export const MAX_NESTING = 1;
/** The end of central directory record and the longest comment after it. */
const EOCD_SEARCH = 22 + 0xffff;
/** Bytes allowed between two entries (a data descriptor, ZIP64 included). */
const MAX_GAP = 24;
const READ_CHUNK = 256 * 1024;

/** A container the guard cannot read to its end; the message is the guard's own reason. */
export class Uncheckable extends Error {}

/** True for the first bytes of a ZIP archive (XLSX, ODS, DOCX …). */
export const isZip = (h: Uint8Array) =>
  h[0] === 0x50 && h[1] === 0x4b && ((h[2] === 3 && h[3] === 4) || (h[2] === 5 && h[3] === 6));
/** True for the first bytes of a gzip member. */
export const isGzip = (h: Uint8Array) => h[0] === 0x1f && h[1] === 0x8b && h[2] === 8;

/** Decompressed bytes read so far over one upload. */
export class ScanBudget {
  #scanned = 0;
  take(n: number): void {
    this.#scanned += n;
    if (this.#scanned > MAX_SCANNED_BYTES)
      throw new Uncheckable(`over ${MAX_SCANNED_BYTES / MiB} MiB decompressed`);
  }
}

interface Sink {
  push(chunk: Buffer): void;
  end(): Promise<number>;
}

/**
 * Text in XML: markup becomes a comma (an ID ends there); attribute values, character references and the content of
 * CDATA sections stay.
 */
export class MarkupStripper {
  #inTag = false;
  #inCdata = false;
  #quote = 0;

  strip(text: string): string {
    const parts: string[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (this.#inCdata) {
        const end = text.indexOf(']]>', i);
        if (end < 0) break;
        parts.push(text.slice(start, end), ',');
        this.#inCdata = false;
        i = end + 2;
        start = end + 3;
        continue;
      }
      const c = text.charCodeAt(i);
      if (!this.#inTag) {
        if (c !== 0x3c) continue;
        parts.push(text.slice(start, i), ',');
        if (text.startsWith('<![CDATA[', i)) {
          this.#inCdata = true;
          i += 8;
          start = i + 1;
        } else this.#inTag = true;
      } else if (this.#quote !== 0) {
        if (c !== this.#quote) continue;
        parts.push(text.slice(start, i), ',');
        this.#quote = 0;
      } else if (c === 0x22 || c === 0x27) {
        this.#quote = c;
        start = i + 1;
      } else if (c === 0x3e) {
        this.#inTag = false;
        start = i + 1;
      }
    }
    if (this.#inCdata || !this.#inTag || this.#quote !== 0) parts.push(text.slice(start));
    return parts.join('');
  }
}

function textSink(head: Buffer): Sink {
  const counter = new CitizenIdByteCounter(head);
  return { push: (c) => void counter.push(c), end: async () => counter.end() };
}

function xmlSink(head: Buffer): Sink {
  const decoder = new TextDecoder(textEncodingOf(head));
  const stripper = new MarkupStripper();
  const counter = new CitizenIdCounter();
  return {
    push: (c) => void counter.push(stripper.strip(decoder.decode(c, { stream: true }))),
    end: async () => {
      counter.push(stripper.strip(decoder.decode()));
      return counter.end();
    },
  };
}

/** A container inside a container: held in memory (bounded) and read one level deeper. */
function nestedSink(head: Buffer, depth: number, budget: ScanBudget): Sink {
  if (depth >= MAX_NESTING) throw new Uncheckable('containers nested more than one deep');
  const parts: Buffer[] = [];
  let size = 0;
  return {
    push(c) {
      size += c.length;
      if (size > MAX_NESTED_BYTES)
        throw new Uncheckable(`a nested container over ${MAX_NESTED_BYTES / MiB} MiB`);
      parts.push(c);
    },
    end() {
      const bytes = Buffer.concat(parts);
      if (isZip(head)) return countInZip(bytesAccess(bytes), depth + 1, budget);
      return countInGzip([bytes], depth + 1, budget);
    },
  };
}

const XML_NAME = /\.(xml|rels|xhtml|html?|svg)$/i;

/** How decompressed bytes are read, by their first bytes: a container, a binary left unread, XML or text. */
function sinkFor(head: Buffer, name: string, depth: number, budget: ScanBudget): Sink | undefined {
  if (isZip(head) || isGzip(head)) return nestedSink(head, depth, budget);
  if (isBinaryContainer(head)) return undefined;
  if (XML_NAME.test(name) || head.subarray(0, 5).toString('latin1') === '<?xml') return xmlSink(head);
  return textSink(head);
}

/** Citizen IDs in decompressed bytes (an entry, a gzip's content). */
async function countIn(
  chunks: AsyncIterable<Buffer>,
  name: string,
  depth: number,
  budget: ScanBudget,
): Promise<number> {
  let sink: Sink | undefined;
  let started = false;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    budget.take(chunk.length);
    if (!started) {
      started = true;
      sink = sinkFor(chunk, name, depth, budget);
    }
    if (!sink) return 0;
    sink.push(chunk);
  }
  return sink ? sink.end() : 0;
}

/** The output of a zlib transform fed from `source`; a zlib error (corrupt, truncated data) is `Uncheckable`. */
async function* decompressed(source: AsyncIterable<Buffer>, z: Transform): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: true, highWaterMark: 2 });
  pipeline(input, z, () => {});
  try {
    for await (const chunk of z) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof Uncheckable) throw err;
    throw new Uncheckable('corrupt or truncated compressed data');
  } finally {
    input.destroy();
    z.destroy();
  }
}

/** Decompressed chunks passed on while within `declared` bytes and the compression ratio bound. */
async function* bounded(
  chunks: AsyncIterable<Buffer>,
  declared: number,
  compressed: () => number,
): AsyncGenerator<Buffer> {
  let out = 0;
  for await (const chunk of chunks) {
    out += chunk.length;
    if (out > declared) throw new Uncheckable('an entry longer than its header says');
    if (out > RATIO_FREE_BYTES && out > MAX_COMPRESSION_RATIO * compressed()) {
      throw new Uncheckable(`compressed more than ${MAX_COMPRESSION_RATIO}:1`);
    }
    yield chunk;
  }
}

/** Citizen IDs in a gzip (every member of it) given as compressed chunks. */
export function countInGzip(chunks: AsyncIterable<Uint8Array> | Buffer[], depth: number, budget: ScanBudget) {
  let input = 0;
  async function* counted() {
    for await (const chunk of chunks) {
      input += chunk.length;
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  }
  return countIn(
    bounded(decompressed(counted(), createGunzip()), Infinity, () => input),
    '',
    depth,
    budget,
  );
}

interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  size: number;
  offset: number;
}

interface Directory {
  bytes: Buffer;
  count: number;
  offset: number;
}

/** The central directory, found through the end of central directory record (after a comment, if any). */
async function readDirectory(access: RandomAccess): Promise<Directory> {
  const tailStart = Math.max(0, access.size - EOCD_SEARCH);
  const tail = await access.read(tailStart, access.size - tailStart);
  let at = -1;
  for (let i = tail.length - 22; i >= 0 && at < 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) at = i;
  }
  if (at < 0) throw new Uncheckable('a truncated or corrupt ZIP: no central directory');
  const count = tail.readUInt16LE(at + 10);
  const size = tail.readUInt32LE(at + 12);
  const offset = tail.readUInt32LE(at + 16);
  const zip64 = at >= 20 && tail.readUInt32LE(at - 20) === 0x07064b50;
  if (zip64 || count === 0xffff || size === 0xffffffff || offset === 0xffffffff)
    throw new Uncheckable('ZIP64');
  if (tail.readUInt32LE(at + 4) !== 0 || tail.readUInt16LE(at + 8) !== count) {
    throw new Uncheckable('a ZIP split over several parts');
  }
  if (count > MAX_ZIP_ENTRIES) throw new Uncheckable(`more than ${MAX_ZIP_ENTRIES} entries`);
  if (size > MAX_CENTRAL_DIRECTORY_BYTES) throw new Uncheckable('a ZIP central directory too large');
  if (offset + size > tailStart + at) throw new Uncheckable('a truncated or corrupt ZIP central directory');
  const bytes = await access.read(offset, size);
  if (bytes.length !== size) throw new Uncheckable('a truncated ZIP central directory');
  return { bytes, count, offset };
}

/** One central directory record at `p`, checked; its length. */
function parseEntry(b: Buffer, p: number, entries: ZipEntry[]): number {
  if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50)
    throw new Uncheckable('a corrupt ZIP central directory');
  const flags = b.readUInt16LE(p + 8);
  const method = b.readUInt16LE(p + 10);
  const compressed = b.readUInt32LE(p + 20);
  const size = b.readUInt32LE(p + 24);
  const offset = b.readUInt32LE(p + 42);
  const length = 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  if (p + length > b.length) throw new Uncheckable('a corrupt ZIP central directory');
  if ([compressed, size, offset].includes(0xffffffff)) throw new Uncheckable('ZIP64');
  if (flags & 0x41) throw new Uncheckable('an encrypted ZIP entry');
  if (method !== 0 && method !== 8) throw new Uncheckable(`ZIP compression method ${method}`);
  if (method === 0 && compressed !== size) throw new Uncheckable('a corrupt ZIP entry');
  if (size > RATIO_FREE_BYTES && size > MAX_COMPRESSION_RATIO * compressed) {
    throw new Uncheckable(`compressed more than ${MAX_COMPRESSION_RATIO}:1`);
  }
  const name = b.toString('utf8', p + 46, p + 46 + b.readUInt16LE(p + 28));
  entries.push({ name, method, compressed, size, offset });
  return length;
}

/** The entries of the central directory, sorted by position; their declared total within the bound. */
function parseEntries(dir: Directory): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < dir.count; i++) p += parseEntry(dir.bytes, p, entries);
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > MAX_SCANNED_BYTES) throw new Uncheckable(`over ${MAX_SCANNED_BYTES / MiB} MiB decompressed`);
  return entries.sort((a, b) => a.offset - b.offset);
}

/** Where an entry's data starts, from its local header; the data must end before the central directory. */
async function dataStart(access: RandomAccess, e: ZipEntry, end: number): Promise<number> {
  const h = await access.read(e.offset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) throw new Uncheckable('a corrupt ZIP local header');
  if (h.readUInt16LE(6) & 0x41) throw new Uncheckable('an encrypted ZIP entry');
  const start = e.offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressed > end) throw new Uncheckable('a truncated or corrupt ZIP entry');
  return start;
}

/** An entry's decompressed bytes, chunk by chunk. */
function entryChunks(access: RandomAccess, e: ZipEntry, start: number): AsyncIterable<Buffer> {
  async function* raw() {
    for (let at = 0; at < e.compressed; at += READ_CHUNK) {
      const chunk = await access.read(start + at, Math.min(READ_CHUNK, e.compressed - at));
      if (chunk.length === 0) throw new Uncheckable('a truncated ZIP entry');
      yield chunk;
    }
  }
  const bytes = e.method === 0 ? raw() : decompressed(raw(), createInflateRaw());
  return bounded(bytes, e.size, () => e.compressed);
}

/**
 * Citizen IDs in a ZIP: every entry listed in its central directory, read where its local header says. Entries
 * must follow one another with no bytes hidden between them nor overlapping (a way to hide data or build a bomb).
 * Stops at the first entry holding IDs.
 */
export async function countInZip(access: RandomAccess, depth: number, budget: ScanBudget): Promise<number> {
  const dir = await readDirectory(access);
  let pos = 0;
  for (const e of parseEntries(dir)) {
    if (e.offset < pos || e.offset - pos > MAX_GAP) throw new Uncheckable('ZIP entries overlapping or apart');
    const start = await dataStart(access, e, dir.offset);
    pos = start + e.compressed;
    if (e.name.endsWith('/') && e.size === 0) continue;
    const n = await countIn(entryChunks(access, e, start), e.name, depth, budget);
    if (n > 0) return n;
  }
  if (dir.offset - pos > MAX_GAP) throw new Uncheckable('bytes hidden before the ZIP central directory');
  return 0;
}
