import { ThGovError } from '@thgov/core';
import { escapeControls } from './terminal-text.js';

/** A stream the CLI writes text to. */
export interface CliWriter {
  write(chunk: string): unknown;
}

/** Where the CLI writes; injectable so commands can be tested in-process as well as as a process. */
export interface CliIo {
  stdout: CliWriter & { isTTY?: boolean };
  stderr: CliWriter & { isTTY?: boolean; columns?: number };
  /** Where a command reads what the user types (an OTP); commands that need it refuse to run without it. */
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** Exit codes: 0 success, 1 verification failed or an input could not be checked, 2 usage error. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/**
 * A bad argument, option or option value: the command prints its usage and exits with status 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--policy must be transcript or pdf');
 * ```
 */
export class UsageError extends ThGovError {
  constructor(message: string) {
    super('ERR_INVALID_ARG', message);
    this.name = 'UsageError';
  }
}

const RAW = Symbol('thgov.cli.raw');
type Guarded<T> = T & { [RAW]: T };

function guard<T extends CliWriter & { isTTY?: boolean; columns?: number }>(stream: T): Guarded<T> {
  if ((stream as unknown as Partial<Guarded<T>>)[RAW]) return stream as Guarded<T>;
  return {
    write: (chunk: string) =>
      stream.write(escapeControls(typeof chunk === 'string' ? chunk : String(chunk), { keepLines: true })),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    [RAW]: stream,
  } as unknown as Guarded<T>;
}

/**
 * The CLI's streams with every control character escaped on the way out (see `escapeControls`): whatever a
 * command prints — a signer name from a PDF, a file name, a server's answer, an audit record — cannot move the
 * cursor, erase lines or reorder text. Line feeds and tabs pass. JSON written through it parses to the same
 * value (JSON.stringify already escapes C0 controls; the rest become the same JSON escapes). `run()` applies it
 * to every command; applying it twice changes nothing.
 *
 * @example
 * ```ts
 * const io = terminalSafeIo({ stdout: process.stdout, stderr: process.stderr });
 * io.stdout.write('name: Evil\r\u001b[2K\n'); // prints name: Evil\u000d\u001b[2K
 * ```
 */
export function terminalSafeIo(io: CliIo): CliIo {
  return { stdout: guard(io.stdout), stderr: guard(io.stderr), ...(io.stdin ? { stdin: io.stdin } : {}) };
}

/**
 * The stream under a guarded one, for the CLI's own terminal drawing (the progress line's `\r` and erase
 * sequence), which is built from numbers and fixed text only.
 */
export function rawWriter(stream: CliWriter): CliWriter {
  return (stream as Partial<Guarded<CliWriter>>)[RAW] ?? stream;
}
