import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** Options of `writeOutputFile`. */
export interface WriteOutputOptions {
  /**
   * The file holds secrets (a configuration with client secrets): it is created 0600 and stays 0600 when it
   * replaces an existing file, whatever that file's mode was.
   */
  secret?: boolean;
  /**
   * Make the folders of `file` that do not exist yet (a report path such as `reports/ci/thgov.xml` in a fresh CI
   * job), as ESLint's and Vitest's report options do.
   */
  createFolders?: boolean;
}

// Not every platform has O_NOFOLLOW (Windows): 0 leaves the flags as they are there.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function refuse(file: string, why: string, cause?: unknown): CliError {
  return new CliError('ERR_CLI_FILE_WRITE', `will not write ${file}: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'Name a regular file in a folder you own (a symbolic link is never followed or replaced).',
  });
}

/** The mode of what is at `file` now, or undefined when nothing is; refuses anything but a regular file. */
async function existingMode(file: string): Promise<number | undefined> {
  try {
    const st = await lstat(file);
    if (st.isSymbolicLink()) throw refuse(file, 'it is a symbolic link');
    if (!st.isFile()) throw refuse(file, 'it is not a regular file');
    return st.mode & 0o777;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw refuse(file, 'a part of its folder path is a file, not a folder', err);
    throw err;
  }
}

/**
 * Writes a file the CLI produces (`--config-out`, `--junit`, the sandbox trust anchor, sample transcripts)
 * without the ways that goes wrong: the data goes to a new temporary file in the same folder (created
 * exclusively, never through a symbolic link) and is renamed over the target, so a reader never sees half a
 * file and a link planted at the target is refused rather than followed. Secrets get mode 0600; other files
 * keep the mode of the file they replace (0644 for a new one, less whatever the umask removes).
 *
 * @example
 * ```ts
 * await writeOutputFile('thgov.config.json', JSON.stringify(config), { secret: true });
 * ```
 */
export async function writeOutputFile(
  file: string,
  data: string | Uint8Array,
  options: WriteOutputOptions = {},
): Promise<void> {
  if (options.createFolders) await createFolders(file);
  const before = await existingMode(file);
  const mode = options.secret ? 0o600 : (before ?? 0o644);
  // At most 48 characters of the name (192 bytes in UTF-8): a valid name near NAME_MAX (255 bytes) stays writable.
  const stem = [...basename(file)].slice(0, 48).join('');
  const tmp = join(dirname(file), `.${stem}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, mode);
  } catch (err) {
    throw refuse(
      file,
      `cannot create a file in ${dirname(file)} (${(err as NodeJS.ErrnoException).code})`,
      err,
    );
  }
  try {
    await handle.writeFile(data);
    // The umask applies at creation: a secret file is made 0600 exactly, a replaced file keeps its own mode.
    if (options.secret || before !== undefined) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    // Checked again just before the rename: a link planted meanwhile is refused, not replaced.
    await existingMode(file);
    await rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (err instanceof CliError) throw err;
    throw refuse(file, `writing failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
}

/** Makes the folders of `file` that are missing; a path part that is a file is refused, typed. */
async function createFolders(file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
  } catch (err) {
    throw refuse(
      file,
      `cannot make its folder ${dirname(file)} (${(err as NodeJS.ErrnoException).code})`,
      err,
    );
  }
}
