import { createHash } from 'node:crypto';
import type { ReceivedFile } from './context.js';

/**
 * A streaming multipart/form-data reader: file parts are hashed and counted as they pass (bytes kept only up to
 * `keepFileBytes`), so a 200 MB upload costs the sandbox a few chunks of memory, like a real CKAN spooling to disk.
 */

export interface MultipartOptions {
  /** Largest text field. */
  maxFieldBytes: number;
  /** File bytes kept in memory (for downloads); beyond that only size and digest. */
  keepFileBytes: number;
}

/** Text fields (a list when repeated) and files by field name. */
export interface MultipartResult {
  fields: Record<string, string | string[]>;
  files: Map<string, ReceivedFile>;
}

/** A malformed or oversized multipart body. */
export class MultipartError extends Error {}

/** One part being received: text fields are kept (bounded), files hashed and kept only while small. */
class Part {
  size = 0;
  readonly #hash: ReturnType<typeof createHash> | undefined;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;

  constructor(
    readonly name: string,
    readonly fileName: string | undefined,
    readonly contentType: string,
    private readonly o: MultipartOptions,
  ) {
    this.#hash = fileName === undefined ? undefined : createHash('sha256');
  }

  static parse(block: string, o: MultipartOptions): Part {
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(block)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new MultipartError('a part without a name');
    const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = /content-type:\s*([^\r\n]+)/i.exec(block)?.[1]?.trim() ?? 'application/octet-stream';
    return new Part(name, fileName, contentType, o);
  }

  feed(data: Buffer): void {
    this.size += data.length;
    if (!this.#hash) {
      if (this.size > this.o.maxFieldBytes) throw new MultipartError(`field ${this.name} is too large`);
      this.#kept.push(Buffer.from(data));
      return;
    }
    this.#hash.update(data);
    if (this.#keptBytes + data.length <= this.o.keepFileBytes) {
      this.#kept.push(Buffer.from(data));
      this.#keptBytes += data.length;
    } else this.#keptBytes = Number.POSITIVE_INFINITY;
  }

  finish(result: MultipartResult): void {
    if (this.#hash) {
      result.files.set(this.name, {
        fileName: this.fileName ?? '',
        contentType: this.contentType,
        size: this.size,
        sha256: this.#hash.digest('hex'),
        bytes: Number.isFinite(this.#keptBytes) ? Buffer.concat(this.#kept) : undefined,
      });
      return;
    }
    const value = Buffer.concat(this.#kept).toString('utf8');
    const prev = result.fields[this.name];
    result.fields[this.name] =
      prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
}

/** Reads a multipart/form-data body chunk by chunk; a boundary may be split across chunks. */
export async function readMultipart(
  body: AsyncIterable<Buffer>,
  boundary: string,
  o: MultipartOptions,
): Promise<MultipartResult> {
  const first = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const result: MultipartResult = { fields: {}, files: new Map() };
  let buf: Buffer = Buffer.alloc(0);
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
  let part: Part | undefined;
  for await (const chunk of body) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      if (state === 'preamble') {
        const i = buf.indexOf(first);
        if (i < 0 || buf.length < i + first.length + 2) break;
        buf = buf.subarray(i + first.length + 2);
        state = 'headers';
      } else if (state === 'headers') {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) {
          if (buf.length > 16 * 1024) throw new MultipartError('part headers too long');
          break;
        }
        part = Part.parse(buf.subarray(0, i).toString('utf8'), o);
        buf = buf.subarray(i + 4);
        state = 'body';
      } else if (state === 'body') {
        const i = buf.indexOf(delimiter);
        if (i < 0) {
          // Keep a delimiter's length back: it may be split across chunks.
          const safe = buf.length - delimiter.length;
          if (safe > 0) {
            part?.feed(buf.subarray(0, safe));
            buf = buf.subarray(safe);
          }
          break;
        }
        if (buf.length < i + delimiter.length + 2) break;
        part?.feed(buf.subarray(0, i));
        part?.finish(result);
        const after = buf.subarray(i + delimiter.length, i + delimiter.length + 2).toString('latin1');
        buf = buf.subarray(i + delimiter.length + 2);
        state = after === '--' ? 'done' : 'headers';
      } else break;
    }
  }
  if (state !== 'done') throw new MultipartError('the multipart body ended early');
  return result;
}
