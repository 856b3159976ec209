import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** The largest file the verify commands read: the verifier's own default `limits.maxBytes` (50 MiB). */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

/** Why an input could not be read: `code` is the errno code (ENOENT, EACCES…), or ours for a refused file. */
export class InputFileError extends Error {
  constructor(
    readonly code: 'ERR_NOT_REGULAR_FILE' | 'ERR_FILE_TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

// Opening never waits (a FIFO without a writer would block the open forever) and never takes a terminal as
// the controlling one; the flags Windows lacks are left out there.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 1 << 16;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them. A FIFO, device, socket or directory is
 * refused after `fstat`, before anything is read, and so is a file larger than `maxBytes`; a file that grows past
 * the limit while it is read is refused once the limit is passed. Errors carry a `code`: the errno code when the
 * file cannot be opened, `ERR_NOT_REGULAR_FILE` or `ERR_FILE_TOO_LARGE` (an `InputFileError`) otherwise.
 *
 * @example
 * ```ts
 * const pdf = await readInputFile('transcript.pdf'); // throws "not a regular file (FIFO)" for a named pipe
 * ```
 */
export async function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputFileError('ERR_NOT_REGULAR_FILE', `not a regular file (${kindOf(st)})`);
    const tooLarge = () =>
      new InputFileError('ERR_FILE_TOO_LARGE', `larger than ${maxBytes} bytes, the verification limit`);
    if (st.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte past the limit is enough to know the file is over it.
      const want = Math.min(CHUNK, maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
      chunks.push(bytesRead === want ? buf : buf.subarray(0, bytesRead));
    }
    return new Uint8Array(Buffer.concat(chunks, total));
  } finally {
    await handle.close();
  }
}

/**
 * How a read failure ends a message that names the file: " (ENOENT)" for an errno code, ": not a regular file
 * (FIFO)" for a refused one, so "cannot read file" + this reads as one sentence.
 */
export function readFailure(err: unknown): string {
  if (err instanceof InputFileError) return `: ${err.message}`;
  return ` (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
}
