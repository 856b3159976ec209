import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { invalidArgument } from '@thgov/core';

/**
 * Where upload bytes come from. A file is read from disk once per attempt (so an idempotent upload can be
 * retried; the privacy scan reads the same bytes as they are sent) and a sample is read apart; a caller's stream is single-use: its first bytes are
 * held for the scan and replayed in front of the rest. Nothing holds the whole file in memory.
 */
export interface UploadSource {
  /** Bytes in total, when known before reading (files, in-memory content, or a stream with `size`). */
  size: number | undefined;
  /** The first bytes: the encoding and the container type are told from them; a stream's are scanned first. */
  sample: Buffer;
  /** The sample holds every byte. */
  sampleIsWhole: boolean;
  /** A file or in-memory content can be read again for a retry; a stream cannot. */
  replayable: boolean;
  /**
   * A file on disk: its bytes can change between two reads (another process rewrites it), so the privacy scan
   * reads the bytes as they are sent, never in a pass of its own before.
   */
  onDisk?: true;
  open(): AsyncIterable<Uint8Array>;
  /**
   * Reads every byte once, in order (in-memory content): how the privacy scan reads content before it is sent.
   * A chunk is valid only until `onChunk` returns.
   */
  readEach?(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Reads at any position (files and in-memory content): how a ZIP's central directory is found and read. */
  random?(): Promise<RandomAccess>;
}

/** Bytes read at any position; `read` returns fewer bytes than asked past the end. */
export interface RandomAccess {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Random access to bytes in memory. */
export function bytesAccess(bytes: Buffer): RandomAccess {
  return {
    size: bytes.length,
    read: async (position, length) => bytes.subarray(position, position + length),
    close: async () => {},
  };
}

/** Random access to a file whose size was read before (an open handle, closed by `close`). */
async function fileAccess(path: string, size: number): Promise<RandomAccess> {
  const handle = await open(path, 'r');
  return {
    size,
    async read(position, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      return buf.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

const CHUNK = 256 * 1024;

/** A file on disk: size from stat, the sample read apart, re-read per attempt. */
export async function fileSource(path: string, sampleBytes: number): Promise<UploadSource> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw invalidArgument('file must be a regular file');
    size = s.size;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_INVALID_ARG') throw err;
    throw invalidArgument('file cannot be read (it does not exist or is not accessible)', undefined, {
      cause: err,
    });
  }
  const handle = await open(path, 'r');
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(sampleBytes, size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return {
    size,
    sample,
    sampleIsWhole: sample.length === size,
    replayable: true,
    onDisk: true,
    open: () => createReadStream(path, { highWaterMark: CHUNK }),
    random: () => fileAccess(path, size),
  };
}

/** Bytes or a string in memory. */
export function contentSource(content: Uint8Array | string, sampleBytes: number): UploadSource {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return {
    size: bytes.length,
    sample: bytes.subarray(0, sampleBytes),
    sampleIsWhole: bytes.length <= sampleBytes,
    replayable: true,
    async *open() {
      for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
    },
    async readEach(onChunk) {
      for (let i = 0; i < bytes.length; i += CHUNK) onChunk(bytes.subarray(i, i + CHUNK));
    },
    random: async () => bytesAccess(bytes),
  };
}

/** A caller's stream: its first bytes held for the scan and replayed, single-use. */
export async function streamSource(
  stream: Readable | AsyncIterable<Uint8Array>,
  size: number | undefined,
  sampleBytes: number,
): Promise<UploadSource> {
  if (typeof (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
    throw invalidArgument('stream must be a Readable or an async iterable of bytes');
  }
  const it = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < sampleBytes) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = toBuffer(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  let opened = false;
  return {
    size,
    sample: Buffer.concat(head).subarray(0, sampleBytes),
    sampleIsWhole: done && headBytes <= sampleBytes,
    replayable: false,
    async *open() {
      if (opened) throw invalidArgument('a stream source can be sent only once');
      opened = true;
      yield* head;
      while (!done) {
        const next = await it.next();
        if (next.done) break;
        yield toBuffer(next.value);
      }
    },
  };
}

function toBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw invalidArgument('stream chunks must be bytes or strings');
}
