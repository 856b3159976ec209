import type { FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mkdir, open } from '../builtins.js';
import { invalidArgument, ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { type AuditAnchor, type AuditAnchorStore, createAnchor } from './anchor.js';
import { directoriesToSync, FileAnchorStore, syncDirectory } from './anchor-file.js';
import { encodeRecord, GENESIS_HASH, sha256Hex } from './chain.js';
import { GroupCommitQueue } from './group-commit.js';
import { type AuditChainKey, AuditKeyRing, secretBytes } from './keys.js';
import { withFileLock } from './lock.js';
import {
  type AuditEvent,
  type AuditRecordBody,
  type AuditSink,
  createSubjectHasher,
  type SubjectHasher,
  toRecordBody,
} from './record.js';
import { type ChainHead, resumeChain } from './resume.js';
import { auditKeyShape, isAnchorStore } from './sink-options.js';
import { readFirstLine, readTail } from './tail.js';
import { verifyWithRing } from './verify.js';

/** Options of `FileAuditSink`: the log file, the chain keys, the anchor and how hard to sync. */
export interface FileAuditSinkOptions {
  /** The JSONL file; created (with its directory) when missing, appended to otherwise. */
  path: string;
  /**
   * Key of the subject hashes (at least 16 bytes). Kept apart from the chain keys: whoever verifies the
   * log gets the chain key only and cannot test citizen IDs against the hashes.
   */
  hmacSecret: string | Uint8Array;
  /** The key that authenticates new records and the anchor (HMAC-SHA-256, at least 32 bytes). */
  chainKey: AuditChainKey;
  /** Keys of earlier rotations: needed when the log's last record or the anchor still uses one. */
  previousChainKeys?: AuditChainKey[];
  /**
   * Where the head is kept after every batch: a file path or a store. Default `<path>.anchor`; put it on
   * another disk or host (or a store of your own) so whoever can write the log cannot also roll it back.
   */
  anchor?: string | AuditAnchorStore;
  /**
   * A log with records but no anchor: `refuse` (default, ERR_AUDIT_ANCHOR: it may have been cut), or
   * `adopt`: verify the whole log once and anchor its head (for logs written before anchors existed).
   */
  onMissingAnchor?: 'refuse' | 'adopt';
  /**
   * With `onMissingAnchor: 'adopt'`: also adopt a log holding legacy (unkeyed, format 1) records. Only for a log
   * written before the chain was keyed, once, during the migration: nothing tells such a log from a keyed one
   * rewritten by someone without the chain key. Without it adoption refuses any legacy record (ERR_AUDIT_CHAIN).
   */
  allowLegacy?: boolean;
  /** How long an append waits for another process holding the log's lock. Default 10 000. */
  lockTimeoutInMs?: number;
  /**
   * `always` (default): every batch (and its anchor) is fsync'ed before the appends resolve.
   * `never`: the OS decides when data reaches the disk (close() still syncs); no crash guarantee.
   */
  fsync?: 'always' | 'never';
  /**
   * What to do when the file's last line is incomplete (a crash mid-write): `refuse` (default) throws
   * ERR_AUDIT_CHAIN; `recover` moves the incomplete bytes to `<path>.partial-<time>` and continues the
   * chain from the last complete line. A complete last line that fails its MAC is always refused.
   */
  onBrokenTail?: 'refuse' | 'recover';
}

const optionsSchema = z
  .object({
    path: z.string().min(1),
    ...auditKeyShape,
    anchor: z
      .union([
        z.string().min(1),
        z.custom<AuditAnchorStore>(isAnchorStore, {
          message: 'must be a path or an object with read() and write()',
        }),
      ])
      .optional(),
    onMissingAnchor: z.enum(['refuse', 'adopt']).optional(),
    allowLegacy: z.boolean().optional(),
    lockTimeoutInMs: z.number().int().min(0).max(600_000).optional(),
    fsync: z.enum(['always', 'never']).optional(),
    onBrokenTail: z.enum(['refuse', 'recover']).optional(),
  })
  .strict();

/** Records written per write()/fsync: group commit keeps throughput up under many concurrent appends. */
const MAX_BATCH = 256;

/** The file as this sink last left it: when it still looks so under the lock, nobody else wrote. */
interface Position {
  ino: number;
  size: number;
}

/**
 * Append-only audit log in a JSONL file, chained with HMAC-SHA-256 under a chain key (see chain.ts), its
 * head anchored outside the file after every batch. Appends are serialized in this process and, through a
 * lock file, across processes: each batch re-reads the tail when another writer moved it, so several
 * processes extend one chain. On open (and whenever the file changed under it) the sink refuses a log
 * shorter than its anchor or different from it.
 *
 * @example
 * ```ts
 * import { FileAuditSink } from '@thgov/core';
 *
 * const audit = new FileAuditSink({
 *   path: 'audit/gdx.jsonl', // anchor: audit/gdx.jsonl.anchor
 *   hmacSecret: process.env.AUDIT_HMAC_SECRET!,
 *   chainKey: { id: '2026-01', secret: process.env.AUDIT_CHAIN_KEY! },
 * });
 * await audit.append({ who: 'welfare-portal', service: 'gdx', status: 'ok' });
 * await audit.close();
 * ```
 */
export class FileAuditSink implements AuditSink {
  readonly path: string;
  readonly #hash: SubjectHasher;
  readonly #ring: AuditKeyRing;
  readonly #kid: string;
  readonly #anchor: AuditAnchorStore;
  readonly #lockPath: string;
  readonly #lockTimeoutInMs: number;
  readonly #fsync: 'always' | 'never';
  readonly #onBrokenTail: 'refuse' | 'recover';
  readonly #onMissingAnchor: 'refuse' | 'adopt';
  readonly #allowLegacy: boolean;
  readonly #queue: GroupCommitQueue<AuditRecordBody>;
  #position: Position | undefined;
  #head: ChainHead = { seq: 0, hash: '' };
  /** The log's identity (SHA-256 of its first line, `GENESIS_HASH` while empty), named by every anchor written. */
  #log = GENESIS_HASH;
  #failed: ThGovError | undefined;
  #closed = false;
  /** Folders holding a name this sink created (the log, its folders) not yet synced: done with the next batch. */
  readonly #unsyncedDirs = new Set<string>();

  constructor(options: FileAuditSinkOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidArgument(
        `Invalid FileAuditSink options at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
      );
    }
    const o = parsed.data;
    this.path = o.path;
    this.#hash = createSubjectHasher(o.hmacSecret);
    this.#ring = new AuditKeyRing([o.chainKey, ...(o.previousChainKeys ?? [])]);
    if (this.#ring.contains(secretBytes(o.hmacSecret)))
      throw invalidArgument('FileAuditSink: the chain keys must differ from hmacSecret (the subject key)');
    this.#kid = o.chainKey.id;
    this.#fsync = o.fsync ?? 'always';
    this.#anchor =
      typeof o.anchor === 'object'
        ? o.anchor
        : new FileAnchorStore({ path: o.anchor ?? `${o.path}.anchor`, fsync: this.#fsync });
    this.#lockPath = `${o.path}.lock`;
    this.#lockTimeoutInMs = o.lockTimeoutInMs ?? 10_000;
    this.#onBrokenTail = o.onBrokenTail ?? 'refuse';
    this.#onMissingAnchor = o.onMissingAnchor ?? 'refuse';
    this.#allowLegacy = o.allowLegacy ?? false;
    this.#queue = new GroupCommitQueue({
      maxBatch: MAX_BATCH,
      write: (batch) => this.#withFile((handle) => this.#writeBatch(handle, batch)),
      stopped: () => this.#failed,
    });
  }

  /** Checks the file's tail against the anchor now rather than on the first append. */
  async open(): Promise<void> {
    if (this.#closed) throw new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed');
    await this.#withFile(async () => undefined);
  }

  /**
   * Runs `fn` under the lock with the log open and the head caught up with the file. The file is opened per
   * batch (O_APPEND): no descriptor outlives a call, and a replaced or deleted file is seen at once.
   */
  async #withFile<T>(fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    try {
      // The lock file lives next to the log: its directory must exist first.
      const created = await mkdir(dirname(this.path), { recursive: true });
      if (created !== undefined)
        for (const dir of directoriesToSync(this.path, created)) this.#unsyncedDirs.add(dir);
    } catch (cause) {
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log directory could not be created', { cause });
    }
    return withFileLock(this.#lockPath, { timeoutInMs: this.#lockTimeoutInMs }, async () => {
      let handle: FileHandle;
      try {
        // a+ = O_APPEND | O_CREAT | O_RDWR: every write lands at the end; reads still work for the tail.
        handle = await open(this.path, 'a+', 0o600);
      } catch (cause) {
        throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be opened', { cause });
      }
      try {
        await this.#catchUp(handle);
        return await fn(handle);
      } finally {
        await handle.close();
      }
    });
  }

  /** Under the lock: when another writer (or anyone) changed the file, re-reads its tail and the anchor. */
  async #catchUp(handle: FileHandle): Promise<void> {
    let current: Position;
    try {
      const st = await handle.stat();
      current = { ino: st.ino, size: st.size };
    } catch (cause) {
      throw new ThGovError('ERR_AUDIT_IO', 'The audit log file could not be read', { cause });
    }
    const known = this.#position;
    if (known && known.ino === current.ino && known.size === current.size) return;
    // An empty file may be one this open just created: its name is durable once its folder is synced.
    if (current.size === 0) this.#unsyncedDirs.add(dirname(resolve(this.path)));
    this.#position = undefined;
    const { partialStart } = await readTail(handle, current.size);
    if (partialStart !== undefined && this.#onBrokenTail !== 'recover') {
      throw new ThGovError(
        'ERR_AUDIT_CHAIN',
        `The audit log ends with an incomplete line at byte ${partialStart}; open with onBrokenTail: 'recover' to set it aside`,
        { hint: 'Run verifyAuditLog() on the file first.' },
      );
    }
    // The complete lines are checked against the anchor first: a cut into anchored records is refused
    // before anything is moved.
    const size = partialStart ?? current.size;
    await this.#resume(handle, size);
    if (partialStart !== undefined) await this.#setAside(handle, partialStart, current.size);
    this.#position = { ino: current.ino, size };
  }

  /** Moves the incomplete bytes of a crashed write to `<path>.partial-<time>` (onBrokenTail: 'recover'). */
  async #setAside(handle: FileHandle, partialStart: number, size: number): Promise<void> {
    try {
      const partial = Buffer.alloc(size - partialStart);
      await handle.read(partial, 0, partial.length, partialStart);
      const aside = await open(
        `${this.path}.partial-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        'w',
        0o600,
      );
      try {
        await aside.writeFile(partial);
        if (this.#fsync === 'always') await aside.sync();
      } finally {
        await aside.close();
      }
      // The fragment is kept (its name durable) before it is cut from the log.
      if (this.#fsync === 'always') await syncDirectory(dirname(resolve(this.path)));
      await handle.truncate(partialStart);
      await handle.sync();
    } catch (cause) {
      throw new ThGovError('ERR_AUDIT_IO', 'The incomplete last line could not be set aside', { cause });
    }
  }

  /** Sets the head from the tail and the anchor (see resumeChain), re-anchoring after a crash. */
  async #resume(handle: FileHandle, size: number): Promise<void> {
    const anchor = await this.#anchor.read();
    const log = size === 0 ? GENESIS_HASH : sha256Hex(await readFirstLine(handle, size));
    const lines = (await readTail(handle, size)).lines;
    let decision = resumeChain(lines, anchor, this.#ring, MAX_BATCH, undefined, log);
    if (decision.kind === 'need-lines') {
      const { lines } = await readTail(handle, size, decision.count);
      decision = resumeChain(lines, anchor, this.#ring, MAX_BATCH, undefined, log);
      if (decision.kind === 'need-lines')
        throw new ThGovError('ERR_AUDIT_ANCHOR', 'The audit log has fewer records than its anchor implies');
    }
    if (decision.kind === 'no-anchor') {
      if (this.#onMissingAnchor !== 'adopt') {
        throw new ThGovError(
          'ERR_AUDIT_ANCHOR',
          `The audit log has ${decision.head.seq} records but no anchor: the newest could have been cut`,
          {
            hint: "A log written before anchors existed: check it (thgov audit verify) and open it once with onMissingAnchor: 'adopt'.",
          },
        );
      }
      await this.#adopt(handle, size);
      decision = { kind: 'resume', head: decision.head, reanchor: true };
    }
    this.#log = log;
    this.#head = decision.head;
    if (decision.reanchor) await this.#writeAnchor(decision.head);
  }

  /**
   * A log without an anchor is taken over only when every record of it verifies, and one holding legacy
   * (unkeyed) records only with `allowLegacy`: without the chain key anyone can write those.
   */
  async #adopt(handle: FileHandle, size: number): Promise<void> {
    const bytes = Buffer.alloc(size);
    await handle.read(bytes, 0, size, 0);
    // Adopting is the explicit answer to a missing anchor: records saying their writer kept one are no error here.
    const result = verifyWithRing(bytes, this.#ring, { allowLegacy: this.#allowLegacy, adopting: true });
    if (!result.ok) {
      const first = result.errors[0];
      throw new ThGovError(
        'ERR_AUDIT_CHAIN',
        `The audit log to adopt does not verify (line ${first?.line}: ${first?.kind})`,
        {
          hint:
            first?.kind === 'legacy'
              ? 'Run thgov audit verify on it. Only a log written before the chain was keyed may be adopted, once, with allowLegacy: true.'
              : 'Run thgov audit verify on it to see every problem.',
        },
      );
    }
    if (result.format !== 'keyed' && result.format !== 'empty' && !this.#allowLegacy) {
      throw new ThGovError(
        'ERR_AUDIT_CHAIN',
        `The audit log to adopt holds legacy (unkeyed) records and has no anchor: refusing to adopt a ${result.format} log`,
        {
          hint: 'A log already adopted keeps its anchor: find out why it is missing. Only a log written before the chain was keyed may be adopted, once, with allowLegacy: true.',
        },
      );
    }
  }

  /** A format-3 anchor: the head, the log it belongs to and the batch bound a crash can leave it behind by. */
  async #writeAnchor(head: ChainHead, log = this.#log): Promise<AuditAnchor> {
    const anchor = createAnchor(head, this.#ring, this.#kid, new Date(), { log, batch: MAX_BATCH });
    await this.#anchor.write(anchor);
    return anchor;
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
    return this.#queue.push(body);
  }

  /** Under the lock: appends the batch, makes it durable, then moves the anchor to the new head. */
  async #writeBatch(handle: FileHandle, batch: AuditRecordBody[]): Promise<void> {
    let { seq, hash } = this.#head;
    const first = seq;
    let log = this.#log;
    const lines: string[] = [];
    for (const body of batch) {
      const encoded = encodeRecord(body, ++seq, hash, this.#ring, this.#kid, true);
      lines.push(encoded.line, '\n');
      hash = encoded.lineHash;
      if (first === 0 && seq === 1) log = hash;
    }
    const data = Buffer.from(lines.join(''), 'utf8');
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      if (this.#fsync === 'always') await this.#sync(handle);
      // The records are durable before the anchor names them: a crash in between leaves the anchor one
      // batch behind, which the next open accepts and repairs (resumeChain).
      await this.#writeAnchor({ seq, hash }, log);
    } catch (cause) {
      // What reached the file or the anchor is unknown now; stop so the chain is not extended blindly.
      this.#failed = new ThGovError(
        'ERR_AUDIT_IO',
        'Writing the audit log failed; close this sink and open a new one to check the tail and continue',
        { cause },
      );
      throw this.#failed;
    }
    this.#head = { seq, hash };
    this.#log = log;
    if (this.#position) this.#position = { ...this.#position, size: this.#position.size + data.length };
  }

  /** Makes the batch durable: the file's data, then the names of a new log file and of the folders made for it. */
  async #sync(handle: FileHandle): Promise<void> {
    await handle.datasync();
    for (const dir of [...this.#unsyncedDirs]) {
      await syncDirectory(dir);
      this.#unsyncedDirs.delete(dir);
    }
  }

  /**
   * The chain head as the file holds it now (last seq and the hash the next record will carry), after
   * pending appends; other processes may have moved it since this sink's last write.
   */
  async head(): Promise<ChainHead> {
    if (this.#closed) throw new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed');
    await this.#queue.idle();
    return this.#withFile(async () => ({ ...this.#head }));
  }

  /** Waits for pending appends (each batch is already durable); further appends fail with ERR_AUDIT_IO. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.idle();
  }
}
