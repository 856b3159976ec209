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

export interface MultipartResult {
  fields: Record<string, string | string[]>;
  files: Map<string, ReceivedFile>;
}

export class MultipartError extends Error {}

interface Part {
  name: string;
  fileName: string | undefined;
  contentType: string;
  size: number;
  hash: ReturnType<typeof createHash> | undefined;
  kept: Buffer[];
  keptBytes: number;
}

function parseHeaders(block: string): Part {
  const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(block)?.[1] ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) throw new MultipartError('a part without a name');
  const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
  const contentType = /content-type:\s*([^\r\n]+)/i.exec(block)?.[1]?.trim() ?? 'application/octet-stream';
  return {
    name,
    fileName,
    contentType,
    size: 0,
    hash: fileName === undefined ? undefined : createHash('sha256'),
    kept: [],
    keptBytes: 0,
  };
}

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

  const feed = (data: Buffer) => {
    if (!part) return;
    part.size += data.length;
    if (part.hash) {
      part.hash.update(data);
      if (part.keptBytes + data.length <= o.keepFileBytes) {
        part.kept.push(Buffer.from(data));
        part.keptBytes += data.length;
      } else part.keptBytes = Number.POSITIVE_INFINITY;
    } else {
      if (part.size > o.maxFieldBytes) throw new MultipartError(`field ${part.name} is too large`);
      part.kept.push(Buffer.from(data));
    }
  };
  const finish = () => {
    if (!part) return;
    if (part.hash) {
      const bytes = Number.isFinite(part.keptBytes) ? Buffer.concat(part.kept) : undefined;
      result.files.set(part.name, {
        fileName: part.fileName ?? '',
        contentType: part.contentType,
        size: part.size,
        sha256: part.hash.digest('hex'),
        bytes,
      });
    } else {
      const value = Buffer.concat(part.kept).toString('utf8');
      const prev = result.fields[part.name];
      result.fields[part.name] =
        prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    part = undefined;
  };

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
        part = parseHeaders(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 4);
        state = 'body';
      } else if (state === 'body') {
        const i = buf.indexOf(delimiter);
        if (i < 0) {
          // Keep a delimiter's length back: it may be split across chunks.
          const safe = buf.length - delimiter.length;
          if (safe > 0) {
            feed(buf.subarray(0, safe));
            buf = buf.subarray(safe);
          }
          break;
        }
        if (buf.length < i + delimiter.length + 2) break;
        feed(buf.subarray(0, i));
        finish();
        const after = buf.subarray(i + delimiter.length, i + delimiter.length + 2).toString('latin1');
        buf = buf.subarray(i + delimiter.length + 2);
        state = after === '--' ? 'done' : 'headers';
      } else break;
    }
  }
  if (state !== 'done') throw new MultipartError('the multipart body ended early');
  return result;
}
