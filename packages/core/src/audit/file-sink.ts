import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { invalidArgument, ThGovError } from '../errors.js';
import { decodeLine, encodeRecord, GENESIS_HASH } from './chain.js';
import {
  type AuditEvent,
  type AuditRecordBody,
  type AuditSink,
  createSubjectHasher,
  type SubjectHasher,
  toRecordBody,
} from './record.js';

export interface FileAuditSinkOptions {
  /** The JSONL file; created (with its directory) when missing, appended to otherwise. */
  path: string;
  /** Agency secret for the keyed hash of subjects (at least 16 bytes). Keep it out of the log's reach. */
  hmacSecret: string | Uint8Array;
  /**
   * `always` (default): every batch of appends is fsync'ed before the appends resolve.
   * `never`: the OS decides when data reaches the disk (close() still syncs).
   */
  fsync?: 'always' | 'never';
  /**
   * What to do when the file's last line is incomplete (a crash mid-write): `refuse` (default) throws
   * ERR_AUDIT_CHAIN; `recover` moves the incomplete bytes to `<path>.partial-<time>` and continues the
   * chain from the last complete line. A complete last line that fails its hash is always refused.
   */
  onBrokenTail?: 'refuse' | 'recover';
}

const optionsSchema = z
  .object({
    path: z.string().min(1),
    hmacSecret: z.union([z.string(), z.instanceof(Uint8Array)]),
    fsync: z.enum(['always', 'never']).optional(),
    onBrokenTail: z.enum(['refuse', 'recover']).optional(),
  })
  .strict();

/** Longest line we accept when reading the tail back: records are small, anything larger is corruption. */
const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK = 64 * 1024;
/** Records written per write()/fsync: group commit keeps throughput up under many concurrent appends. */
const MAX_BATCH = 256;

interface Pending {
  body: AuditRecordBody;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Tail {
  /** Bytes of the last complete line, or undefined for an empty file. */
  lastLine: Buffer | undefined;
  /** Offset where the incomplete trailing bytes start, when there are any. */
  partialStart: number | undefined;
}

async function readTail(handle: FileHandle, size: number): Promise<Tail> {
  if (size === 0) return { lastLine: undefined, partialStart: undefined };
  let start = size;
  let buf = Buffer.alloc(0);
  // Read backwards until the buffer holds the last complete line and what follows it.
  for (;;) {
    const readFrom = Math.max(0, start - CHUNK);
    const chunk = Buffer.alloc(start - readFrom);
    await handle.read(chunk, 0, chunk.length, readFrom);
    buf = Buffer.concat([chunk, buf]);
    start = readFrom;
    const endsWithNewline = buf[buf.length - 1] === 0x0a;
    const lastNl = endsWithNewline ? buf.length - 1 : buf.lastIndexOf(0x0a);
    const partialStart = endsWithNewline ? undefined : lastNl === -1 ? start : start + lastNl + 1;
    if (lastNl !== -1) {
      const prevNl = lastNl > 0 ? buf.lastIndexOf(0x0a, lastNl - 1) : -1;
      if (prevNl !== -1 || start === 0) {
        return { lastLine: buf.subarray(prevNl + 1, lastNl), partialStart };
      }
    } else if (start === 0) {
      return { lastLine: undefined, partialStart };
    }
    if (buf.length > 2 * MAX_LINE_BYTES) {
      throw new ThGovError('ERR_AUDIT_CHAIN', 'The audit log ends with a line longer than any valid record');
    }
  }
}

/**
 * Append-only, hash-chained JSONL audit log. Appends are serialized (order and chain are kept however
 * many calls run at once) and written with O_APPEND. One process should own a file at a time.
 */
/** Files held by a sink in this process: a second sink on the same file would fork the chain. */
const openPaths = new Set<string>();

export class FileAuditSink implements AuditSink {
  readonly path: string;
  readonly #hash: SubjectHasher;
  readonly #fsync: 'always' | 'never';
  readonly #onBrokenTail: 'refuse' | 'recover';
  readonly #queue: Pending[] = [];
  #handle: FileHandle | undefined;
  #opening: Promise<void> | undefined;
  #draining: Promise<void> | undefined;
  #seq = 0;
  #prevHash = GENESIS_HASH;
  #failed: ThGovError | undefined;
  #closed = false;

  constructor(options: FileAuditSinkOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidArgument(
        `Invalid FileAuditSink options at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
      );
    }
    this.path = parsed.data.path;
    this.#hash = createSubjectHasher(parsed.data.hmacSecret);
    this.#fsync = parsed.data.fsync ?? 'always';
    this.#onBrokenTail = parsed.data.onBrokenTail ?? 'refuse';
  }

  /** Opens the file and checks its tail now rather than on the first append. */
  async open(): Promise<void> {
    if (this.#closed) throw new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed');
    await this.#ensureOpen();
  }

  async #ensureOpen(): Promise<void> {
    if (this.#handle) return;
    this.#opening ??= this.#doOpen().catch((err: unknown) => {
      this.#opening = undefined;
      throw err;
    });
    await this.#opening;
  }

  async #doOpen(): Promise<void> {
    const key = resolve(this.path);
    if (openPaths.has(key)) {
      throw new ThGovError('ERR_AUDIT_IO', 'Another FileAuditSink in this process already writes this file', {
        hint: 'Share one sink per file.',
      });
    }
    openPaths.add(key);
    try {
      await this.#openFile();
    } catch (err) {
      openPaths.delete(key);
      throw err;
    }
  }

  async #openFile(): Promise<void> {
    let handle: FileHandle;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      // a+ = O_APPEND | O_CREAT | O_RDWR: every write lands at the end; reads still work for the tail check.
      handle = await open(this.path, 'a+', 0o600);
    } catch (cause) {
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be opened', { cause });
    }
    try {
      let { size } = await handle.stat();
      let tail = await readTail(handle, size);
      if (tail.partialStart !== undefined) {
        if (this.#onBrokenTail !== 'recover') {
          throw new ThGovError(
            'ERR_AUDIT_CHAIN',
            `The audit log ends with an incomplete line at byte ${tail.partialStart}; open with onBrokenTail: 'recover' to set it aside`,
            { hint: 'Run verifyAuditLog() on the file first.' },
          );
        }
        const partial = Buffer.alloc(size - tail.partialStart);
        await handle.read(partial, 0, partial.length, tail.partialStart);
        await writeFile(`${this.path}.partial-${new Date().toISOString().replace(/[:.]/g, '-')}`, partial, {
          mode: 0o600,
        });
        await handle.truncate(tail.partialStart);
        await handle.sync();
        size = tail.partialStart;
        tail = await readTail(handle, size);
      }
      if (tail.lastLine !== undefined) {
        const decoded = decodeLine(tail.lastLine);
        if (!decoded.ok) {
          throw new ThGovError(
            'ERR_AUDIT_CHAIN',
            `The last record of the audit log is ${decoded.kind} (${decoded.message}); refusing to extend a broken chain`,
            { hint: 'Run verifyAuditLog() on the file to see where it was changed.' },
          );
        }
        this.#seq = decoded.record.seq;
        this.#prevHash = decoded.lineHash;
      }
      this.#handle = handle;
    } catch (err) {
      await handle.close().catch(() => undefined);
      if (err instanceof ThGovError) throw err;
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be read', { cause: err });
    }
  }

  append(event: AuditEvent): Promise<void> {
    if (this.#closed) return Promise.reject(new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed'));
    if (this.#failed) return Promise.reject(this.#failed);
    let body: AuditRecordBody;
    try {
      body = toRecordBody(event, this.#hash);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ body, resolve, reject });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      if (this.#failed) {
        for (const p of this.#queue.splice(0)) p.reject(this.#failed);
        return;
      }
      try {
        await this.#ensureOpen();
      } catch (err) {
        for (const p of this.#queue.splice(0)) p.reject(err);
        return;
      }
      const batch = this.#queue.splice(0, MAX_BATCH);
      let seq = this.#seq;
      let prevHash = this.#prevHash;
      const lines: string[] = [];
      for (const p of batch) {
        const encoded = encodeRecord(p.body, ++seq, prevHash);
        lines.push(encoded.line, '\n');
        prevHash = encoded.lineHash;
      }
      try {
        const data = Buffer.from(lines.join(''), 'utf8');
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await (this.#handle as FileHandle).write(
            data,
            written,
            data.length - written,
          );
          written += bytesWritten;
        }
        if (this.#fsync === 'always') await (this.#handle as FileHandle).datasync();
      } catch (cause) {
        // What reached the file is unknown now; stop writing so the chain is not extended blindly.
        this.#failed = new ThGovError(
          'ERR_AUDIT_IO',
          'Writing the audit log failed; close this sink and open a new one to check the tail and continue',
          {
            cause,
          },
        );
        for (const p of batch) p.reject(this.#failed);
        continue;
      }
      this.#seq = seq;
      this.#prevHash = prevHash;
      for (const p of batch) p.resolve();
    }
  }

  /** The chain head (last seq and the hash the next record will carry), for anchoring outside the file. */
  async head(): Promise<{ seq: number; hash: string }> {
    await this.open();
    while (this.#draining) await this.#draining;
    return { seq: this.#seq, hash: this.#prevHash };
  }

  /** Waits for pending appends, syncs and closes the file. Further appends fail with ERR_AUDIT_IO. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#draining) await this.#draining;
    await this.#opening?.catch(() => undefined);
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) return;
    try {
      await handle.sync();
    } finally {
      await handle.close();
      openPaths.delete(resolve(this.path));
    }
  }
}
