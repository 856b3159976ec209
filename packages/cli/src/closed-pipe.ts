import type { CliWriter } from './io.js';

/** A process stream as the CLI writes to it (`process.stdout`, `process.stderr`). */
type ProcessStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * A process stream whose reader may go away (`thgov transcript verify … --junit r.xml | head`): once the pipe
 * reports EPIPE, later writes are dropped instead of crashing the process with an unhandled `error` event. The
 * command runs to its end — a `--junit` file is still written — and exits with its own status, not a crash's.
 * Any other stream error stays fatal.
 */
export function closablePipe(stream: ProcessStream): CliWriter & { isTTY?: boolean; columns?: number } {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return {
    write: (chunk: string) => closed || stream.write(chunk),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}
