import type { FileHandle } from 'node:fs/promises';
import { ThGovError } from '../errors.js';

/** Longest line we accept when reading the tail back: records are small, anything larger is corruption. */
export const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK = 64 * 1024;

export interface Tail {
  /** The last `count` complete lines (fewer when the file has fewer), oldest first, without newlines. */
  lines: Buffer[];
  /** Offset where incomplete trailing bytes (no newline) start, when there are any. */
  partialStart: number | undefined;
}

/** Splits the complete lines off the end of `buf`, which starts at file offset `start`. */
function lastLines(buf: Buffer, start: number, count: number): Tail | undefined {
  const endsWithNewline = buf[buf.length - 1] === 0x0a;
  let end = endsWithNewline ? buf.length - 1 : buf.lastIndexOf(0x0a);
  // Without any newline we cannot yet tell where a partial tail starts, unless we hold the whole file.
  if (end === -1 && start > 0) return undefined;
  const partialStart = endsWithNewline ? undefined : end === -1 ? start : start + end + 1;
  const lines: Buffer[] = [];
  while (lines.length < count && end !== -1) {
    const prevNl = end > 0 ? buf.lastIndexOf(0x0a, end - 1) : -1;
    if (prevNl === -1 && start > 0) return undefined;
    lines.unshift(buf.subarray(prevNl + 1, end));
    end = prevNl;
  }
  return { lines, partialStart };
}

/** Reads the last `count` complete lines of a file backwards, in chunks, without reading the whole file. */
export async function readTail(handle: FileHandle, size: number, count = 1): Promise<Tail> {
  if (size === 0) return { lines: [], partialStart: undefined };
  let start = size;
  let buf = Buffer.alloc(0);
  for (;;) {
    const readFrom = Math.max(0, start - CHUNK);
    const chunk = Buffer.alloc(start - readFrom);
    await handle.read(chunk, 0, chunk.length, readFrom);
    buf = Buffer.concat([chunk, buf]);
    start = readFrom;
    const found = lastLines(buf, start, count);
    if (found) return found;
    if (buf.length > (count + 1) * MAX_LINE_BYTES) {
      throw new ThGovError('ERR_AUDIT_CHAIN', 'The audit log ends with a line longer than any valid record');
    }
  }
}

/**
 * The first line of a file holding at least one complete line within its first `size` bytes, without its newline:
 * what names the log in a format-3 anchor.
 */
export async function readFirstLine(handle: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.min(size, MAX_LINE_BYTES + 1));
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
  if (nl === -1)
    throw new ThGovError('ERR_AUDIT_CHAIN', 'The audit log starts with a line longer than any valid record');
  return buf.subarray(0, nl);
}
