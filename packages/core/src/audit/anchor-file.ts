import { dirname, resolve } from 'node:path';
import { mkdir, open, randomBytes, rename, rm } from '../builtins.js';
import { ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { validateOptions } from '../validate.js';
import { type AuditAnchor, type AuditAnchorStore, parseAnchor } from './anchor.js';
import { readAuditFile } from './regular-file.js';

/** Options of `FileAnchorStore`, which keeps the audit chain's head outside the log file. */
export interface FileAnchorStoreOptions {
  /** The anchor file (a small JSON object), replaced atomically on every write. */
  path: string;
  /** `always` (default): the file and its directory are fsync'ed, so a written anchor survives a crash. */
  fsync?: 'always' | 'never';
}

const optionsSchema = z
  .object({ path: z.string().min(1), fsync: z.enum(['always', 'never']).optional() })
  .strict();

/** Anchors are a few hundred bytes; anything much larger is not one. */
const MAX_ANCHOR_BYTES = 4096;

/**
 * Keeps an audit anchor in a file: written to a temporary file, fsync'ed, renamed over the anchor and the
 * directory fsync'ed, so after a crash the file holds the old anchor or the new one, whole.
 *
 * @example
 * ```ts
 * import { FileAnchorStore, FileAuditSink } from '@thgov/core';
 *
 * const sink = new FileAuditSink({
 *   path: '/var/log/agency/gdx.jsonl',
 *   anchor: new FileAnchorStore({ path: '/var/lib/agency-anchor/gdx.anchor' }), // another disk
 *   hmacSecret: process.env.AUDIT_HMAC_SECRET!,
 *   chainKey: { id: '2026-01', secret: process.env.AUDIT_CHAIN_KEY! },
 * });
 * ```
 */
export class FileAnchorStore implements AuditAnchorStore {
  readonly path: string;
  readonly #fsync: boolean;

  constructor(options: FileAnchorStoreOptions) {
    const o = validateOptions(optionsSchema, options, 'FileAnchorStore options');
    this.path = o.path;
    this.#fsync = o.fsync !== 'never';
  }

  async read(): Promise<AuditAnchor | undefined> {
    let bytes: Buffer;
    const tooLarge = new ThGovError('ERR_AUDIT_ANCHOR', 'The audit anchor file is too large to be an anchor');
    try {
      bytes = await readAuditFile(this.path, 'audit anchor file', {
        bytes: MAX_ANCHOR_BYTES,
        error: tooLarge,
      });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw cause;
    }
    // It may have grown between the size check and the read.
    if (bytes.length > MAX_ANCHOR_BYTES) throw tooLarge;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ThGovError('ERR_AUDIT_ANCHOR', 'The audit anchor file is not valid JSON');
    }
    return parseAnchor(value, 'file');
  }

  async write(anchor: AuditAnchor): Promise<void> {
    const tmp = `${this.path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      const created = await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(anchor)}\n`);
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
      if (this.#fsync) for (const dir of directoriesToSync(this.path, created)) await syncDirectory(dir);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new ThGovError('ERR_AUDIT_IO', 'The audit anchor file could not be written', { cause });
    }
  }
}

/**
 * The folders whose entries a new file at `path` added: its own folder and, when `mkdir` created folders for it
 * (`created`, what a recursive mkdir returns), each one up to the folder that holds the first of them. Syncing a
 * file does not make its name (or its new folders' names) durable: after a power cut the file could be gone.
 */
export function directoriesToSync(path: string, created: string | undefined): string[] {
  let dir = dirname(resolve(path));
  const dirs = [dir];
  if (created === undefined) return dirs;
  const top = resolve(created);
  while (dir !== top && dirname(dir) !== dir) {
    dir = dirname(dir);
    dirs.push(dir);
  }
  if (dir === top) dirs.push(dirname(top));
  return dirs;
}

/** Makes a rename or a new name durable. Some platforms cannot open or sync a directory: there the rename is all we have. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}
