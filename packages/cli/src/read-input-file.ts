import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileKind } from '@thgov/core/internal';

/** The largest file the verify commands read: the verifier's own default `limits.maxBytes` (50 MiB). */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

/** The largest JSON document read as a command's input (catalog metadata): 4 MiB. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** The largest secret file read (`--pin-file`, `--passphrase-file`): 64 KiB; a PIN is one short line. */
export const MAX_SECRET_BYTES = 64 * 1024;

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

/** How `readInputFile` reads a file: its size limit, and whether a pipe or character device may be read. */
export interface ReadInputOptions {
  /** The most bytes accepted; one more and the read fails with `ERR_FILE_TOO_LARGE`. Default `MAX_INPUT_BYTES`. */
  maxBytes?: number;
  /**
   * Also read a FIFO or a character device (`--pin-file <(pass show x)`, `/dev/stdin`, a terminal) until it
   * ends, and refuse it one byte past `maxBytes`, which should then be small (/dev/zero never ends). The open
   * waits for the writer of a named FIFO, as `cat` does. Directories, sockets and block devices stay refused.
   * Default false: regular files only.
   */
  streams?: boolean;
  /** What the limit is, for the `ERR_FILE_TOO_LARGE` message. Default "the verification limit". */
  limitName?: string;
}

// Opening a file never waits (a FIFO without a writer would block the open forever) and never takes a terminal
// as the controlling one; the flags Windows lacks are left out there. A stream that may be read is opened
// blocking, so that its reads wait for data instead of failing with EAGAIN.
const NOCTTY = constants.O_NOCTTY ?? 0;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | NOCTTY;
const STREAM_FLAGS = constants.O_RDONLY | NOCTTY;
const CHUNK = 1 << 16;

const isStream = (st: Stats | undefined) => st !== undefined && (st.isFIFO() || st.isCharacterDevice());

/** The limit, the stream permission and the limit's name, from either form of the second argument. */
function settle(options: number | ReadInputOptions): Required<ReadInputOptions> {
  const o = typeof options === 'number' ? { maxBytes: options } : options;
  return {
    maxBytes: o.maxBytes ?? MAX_INPUT_BYTES,
    streams: o.streams === true,
    limitName: o.limitName ?? 'the verification limit',
  };
}

function tooLarge(o: Required<ReadInputOptions>): InputFileError {
  return new InputFileError('ERR_FILE_TOO_LARGE', `larger than ${o.maxBytes} bytes, ${o.limitName}`);
}

/** Throws when what was opened may not be read: not a regular file (nor an allowed stream), or too large. */
function admit(st: Stats, o: Required<ReadInputOptions>): void {
  if (!st.isFile() && !(o.streams && isStream(st)))
    throw new InputFileError('ERR_NOT_REGULAR_FILE', `not a regular file (${fileKind(st)})`);
  if (st.size > o.maxBytes) throw tooLarge(o);
}

/** Gathers the chunks read, refusing the input once it passes the limit. */
function collector(o: Required<ReadInputOptions>) {
  const chunks: Buffer[] = [];
  let total = 0;
  return {
    // One byte past the limit is enough to know the input is over it.
    buffer: () => Buffer.allocUnsafe(Math.min(CHUNK, o.maxBytes + 1 - total)),
    /** Takes `bytesRead` bytes of `buf`; false at the end of the input. */
    add(buf: Buffer, bytesRead: number): boolean {
      if (bytesRead === 0) return false;
      total += bytesRead;
      if (total > o.maxBytes) throw tooLarge(o);
      chunks.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      return true;
    },
    bytes: () => new Uint8Array(Buffer.concat(chunks, total)),
  };
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them (`MAX_INPUT_BYTES` by default). A FIFO,
 * device, socket or directory is refused after `fstat`, before anything is read, and so is a file larger than
 * the limit; a file that grows past the limit while it is read is refused once the limit is passed. With
 * `{ streams: true }` a FIFO or character device is read as well, until it ends or passes the limit. Errors
 * carry a `code`: the errno code when the file cannot be opened, `ERR_NOT_REGULAR_FILE` or `ERR_FILE_TOO_LARGE`
 * (an `InputFileError`) otherwise.
 *
 * @example
 * ```ts
 * const pdf = await readInputFile('transcript.pdf'); // throws "not a regular file (FIFO)" for a named pipe
 * const pin = await readInputFile('/dev/fd/63', { maxBytes: MAX_SECRET_BYTES, streams: true }); // <(pass show x)
 * ```
 */
export async function readInputFile(
  path: string,
  options: number | ReadInputOptions = MAX_INPUT_BYTES,
): Promise<Uint8Array> {
  const o = settle(options);
  // Only a path that is a stream now is opened blocking; what the open returns is checked all the same.
  const before = o.streams ? await stat(path).catch(() => undefined) : undefined;
  const handle = await open(path, isStream(before) ? STREAM_FLAGS : OPEN_FLAGS);
  try {
    admit(await handle.stat(), o);
    const input = collector(o);
    for (;;) {
      const buf = input.buffer();
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (!input.add(buf, bytesRead)) return input.bytes();
    }
  } finally {
    await handle.close();
  }
}

/**
 * `readInputFile` for synchronous code (the files a configuration names, read while client options are
 * built): the same checks and limits, the same errors.
 *
 * @example
 * ```ts
 * const ca = readInputFileSync('/etc/thgov/ca.pem'); // throws "not a regular file (character device)" for /dev/zero
 * ```
 */
export function readInputFileSync(
  path: string,
  options: number | ReadInputOptions = MAX_INPUT_BYTES,
): Uint8Array {
  const o = settle(options);
  let before: Stats | undefined;
  try {
    before = o.streams ? statSync(path) : undefined;
  } catch {
    before = undefined;
  }
  const fd = openSync(path, isStream(before) ? STREAM_FLAGS : OPEN_FLAGS);
  try {
    admit(fstatSync(fd), o);
    const input = collector(o);
    for (;;) {
      const buf = input.buffer();
      if (!input.add(buf, readSync(fd, buf, 0, buf.length, null))) return input.bytes();
    }
  } finally {
    closeSync(fd);
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
