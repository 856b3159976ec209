import { nodeFs, open } from '../builtins.js';
import { ThGovError } from '../errors.js';

/**
 * What a path names when it is not a regular file, in the words error messages use ("directory", "FIFO",
 * "character device", …): the audit readers here and the CLI's input reader (through @thgov/core/internal).
 */
export function fileKind(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/**
 * The bytes of an audit file (a log or an anchor), read only when the path names a regular file: a FIFO without a
 * writer blocked `readFile` forever and `/dev/zero` filled memory. A file larger than `tooLarge.bytes` is refused
 * unread with `tooLarge.error`. `ENOENT` is thrown as it comes (a missing anchor is no anchor); any other failure is
 * ERR_AUDIT_IO with `what` in the message and the system error as the cause.
 */
export async function readAuditFile(
  path: string,
  what: string,
  tooLarge?: { bytes: number; error: ThGovError },
): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  // O_NONBLOCK: opening a FIFO without a writer returns at once (without it, open blocks until a writer comes);
  // on a regular file it changes nothing. Windows has no such flag (and no FIFOs in the file system).
  const { O_RDONLY, O_NONBLOCK = 0 } = nodeFs().constants;
  try {
    handle = await open(path, O_RDONLY | O_NONBLOCK);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw cause;
    throw new ThGovError('ERR_AUDIT_IO', `The ${what} could not be read`, { cause });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile())
      throw new ThGovError('ERR_AUDIT_IO', `The ${what} is not a regular file (${fileKind(st)})`);
    if (tooLarge && st.size > tooLarge.bytes) throw tooLarge.error;
    return await handle.readFile();
  } catch (cause) {
    if (cause instanceof ThGovError) throw cause;
    throw new ThGovError('ERR_AUDIT_IO', `The ${what} could not be read`, { cause });
  } finally {
    await handle.close();
  }
}
