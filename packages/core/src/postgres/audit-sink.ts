import { setTimeout as delay } from 'node:timers/promises';
import {
  type AuditAnchor,
  type AuditAnchorStore,
  anchorProblem,
  createAnchor,
  parseAnchor,
} from '../audit/anchor.js';
import { encodeRecord, GENESIS_HASH, sha256Hex } from '../audit/chain.js';
import { GroupCommitQueue } from '../audit/group-commit.js';
import { type AuditChainKey, AuditKeyRing, secretBytes } from '../audit/keys.js';
import {
  type AuditEvent,
  type AuditRecordBody,
  type AuditSink,
  createSubjectHasher,
  type SubjectHasher,
  toRecordBody,
} from '../audit/record.js';
import { type ChainHead, resumeChain } from '../audit/resume.js';
import { auditKeyShape, isAnchorStore } from '../audit/sink-options.js';
import { createHmac } from '../builtins.js';
import { invalidArgument, ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { validateOptions } from '../validate.js';
import { AUDIT_MIGRATIONS, chainNameSchema } from './audit-schema.js';
import {
  connectionResolver,
  type PgClientLike,
  type PostgresConnectionOptions,
  postgresConnectionShape,
  quoteIdent,
  type ResolvedConnection,
} from './driver.js';
import { assertMigrated, runMigrations } from './migrate.js';
import { withTransaction } from './transaction.js';
import { isTransientPostgresError, postgresError } from './transient.js';

export interface PostgresAuditSinkOptions extends PostgresConnectionOptions {
  /** Name of the chain (one table holds several logs, e.g. `gdx`, `ecms`). Default `default`. */
  chain?: string;
  /** Key of the subject hashes (at least 16 bytes), kept apart from the chain keys as in `FileAuditSink`. */
  hmacSecret: string | Uint8Array;
  /** The key that authenticates new records and the head anchor (at least 32 bytes). */
  chainKey: AuditChainKey;
  /** Keys of earlier rotations: needed while the last record or the anchor still uses one. */
  previousChainKeys?: AuditChainKey[];
  /**
   * A copy of the head kept outside the database (e.g. a `FileAnchorStore` on another host), written
   * after each commit. The head row alone cannot tell a database restored to an older state (rows and
   * head row together); with a mirror the sink refuses to extend such a chain, and `thgov audit verify
   * --postgres URL --anchor FILE` reports it.
   */
  anchorMirror?: AuditAnchorStore;
  /** Run the migrations on first use instead of requiring `migrate()` first. Default false. */
  migrate?: boolean;
  /**
   * How long an append keeps trying through a lost connection or a restarting server before it fails
   * with ERR_POSTGRES. Default 30 000.
   */
  retryForInMs?: number;
}

const optionsSchema = z
  .object({
    ...postgresConnectionShape,
    chain: chainNameSchema,
    ...auditKeyShape,
    anchorMirror: z
      .custom<AuditAnchorStore>(isAnchorStore, { message: 'must be an object with read() and write()' })
      .optional(),
    migrate: z.boolean().optional(),
    retryForInMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

/** Records per INSERT: group commit keeps appends/s up when many callers append at once. */
const MAX_BATCH = 256;

/** U+0000 (PostgreSQL's text refuses it) or a UTF-16 surrogate without its pair (no UTF-8 spelling). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point.
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Pending {
  body: AuditRecordBody;
  /** The idempotency key as stored (a keyed hash) and as given (how versions before the hash stored it). */
  key: { stored: string; given: string } | undefined;
}

const IDEMPOTENCY_LABEL = 'thgov-audit-idempotency/1\n';

/**
 * The stored form of an idempotency key: HMAC-SHA-256 under the subject key, since the natural key of an operation
 * often names whom it was about (`dopa.linkage:<citizen ID>`). Exact, unlike a subject hash: two spellings of a
 * key stay two keys.
 */
function idempotencyKeyHasher(secret: string | Uint8Array): (key: string) => string {
  const key = secretBytes(secret);
  return (given) =>
    `hmac-sha256:${createHmac('sha256', key).update(IDEMPOTENCY_LABEL, 'utf8').update(given, 'utf8').digest('hex')}`;
}

/** A batch encoded against the head it was built on: what `#landed` looks for after an unknown commit. */
interface Encoded {
  rows: { seq: number; line: string; key: string | undefined }[];
  head: ChainHead;
}

/**
 * The audit log of several replicas in one PostgreSQL chain. Each record is the same line a
 * `FileAuditSink` writes (keyed HMAC chain, see core's audit guide); the head and its anchor live in a
 * row of `audit_heads` that every append locks (`SELECT … FOR UPDATE`), so appends from all replicas are
 * serialised into one chain. Records and the new anchor commit in one transaction; before extending the
 * chain the sink checks the last record against the anchor and refuses a cut or forged log.
 *
 * Import from `@thgov/core/postgres`; needs the optional peer `pg`.
 *
 * @example
 * ```ts
 * import { PostgresAuditSink } from '@thgov/core/postgres';
 *
 * const audit = new PostgresAuditSink({
 *   connectionString: process.env.DATABASE_URL!,
 *   chain: 'gdx',
 *   hmacSecret: process.env.AUDIT_HMAC_SECRET!,
 *   chainKey: { id: '2026-01', secret: process.env.AUDIT_CHAIN_KEY! },
 * });
 * await audit.migrate(); // once per release, or `migrate: true`
 * await audit.append({ who: 'welfare-portal', service: 'gdx', status: 'ok' });
 * await audit.close();
 * ```
 */
export class PostgresAuditSink implements AuditSink {
  readonly chain: string;
  readonly #connection: ReturnType<typeof connectionResolver>;
  readonly #hash: SubjectHasher;
  readonly #keyHash: (key: string) => string;
  readonly #ring: AuditKeyRing;
  readonly #kid: string;
  readonly #autoMigrate: boolean;
  readonly #retryForInMs: number;
  readonly #mirror: AuditAnchorStore | undefined;
  readonly #queue: GroupCommitQueue<Pending>;
  #ready: Promise<ResolvedConnection> | undefined;
  #closed = false;

  constructor(options: PostgresAuditSinkOptions) {
    const o = validateOptions(optionsSchema, options, 'PostgresAuditSink options');
    this.#connection = connectionResolver(options, 'PostgresAuditSink options');
    this.chain = o.chain ?? 'default';
    this.#hash = createSubjectHasher(o.hmacSecret);
    this.#keyHash = idempotencyKeyHasher(o.hmacSecret);
    this.#ring = new AuditKeyRing([o.chainKey, ...(o.previousChainKeys ?? [])]);
    if (this.#ring.contains(secretBytes(o.hmacSecret)))
      throw invalidArgument(
        'PostgresAuditSink: the chain keys must differ from hmacSecret (the subject key)',
      );
    this.#kid = o.chainKey.id;
    this.#autoMigrate = o.migrate ?? false;
    this.#retryForInMs = o.retryForInMs ?? 30_000;
    this.#mirror = o.anchorMirror;
    this.#queue = new GroupCommitQueue({ maxBatch: MAX_BATCH, write: (batch) => this.#writeBatch(batch) });
  }

  /** Creates or upgrades the audit tables (idempotent; replicas may call it together). */
  async migrate(): Promise<number[]> {
    const c = await this.#connection.resolve();
    return runMigrations(c.pool, c.schema, 'audit', AUDIT_MIGRATIONS);
  }

  #open(): Promise<ResolvedConnection> {
    this.#ready ??= (async () => {
      const c = await this.#connection.resolve();
      if (this.#autoMigrate) await runMigrations(c.pool, c.schema, 'audit', AUDIT_MIGRATIONS);
      else
        await assertMigrated(
          c.pool,
          c.schema,
          'audit',
          AUDIT_MIGRATIONS,
          'thgov audit migrate --postgres URL',
        );
      return c;
    })();
    // A failed open (server down, not migrated) is tried again on the next append.
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  /**
   * Appends one record. With `idempotencyKey`, a record with that key already in the chain makes this a
   * no-op: a worker that redoes an operation after a crash (at-least-once) still leaves one record. The key is
   * 1–256 characters without U+0000 or a lone UTF-16 surrogate (ERR_INVALID_ARG otherwise). The table keeps a keyed
   * hash of it (under `hmacSecret`), never the key itself: it may name a person.
   */
  append(event: AuditEvent, options: { idempotencyKey?: string } = {}): Promise<void> {
    const key = options.idempotencyKey;
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 256))
      return Promise.reject(invalidArgument('idempotencyKey must be 1–256 characters'));
    // Refused here, not by PostgreSQL: its text type refuses U+0000 and the driver turns a lone surrogate into
    // U+FFFD (two keys would become one, the second event dropped as redone), and either would fail the whole
    // group-commit batch, the other callers' events with it. The key itself is not echoed.
    if (key !== undefined && UNSTORABLE_TEXT.test(key))
      return Promise.reject(
        invalidArgument(
          'idempotencyKey must not hold U+0000 or a lone UTF-16 surrogate (PostgreSQL cannot store it)',
        ),
      );
    if (this.#closed) return Promise.reject(new ThGovError('ERR_AUDIT_IO', 'The audit sink is closed'));
    let body: AuditRecordBody;
    try {
      body = toRecordBody(event, this.#hash);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#queue.push({
      body,
      key: key === undefined ? undefined : { stored: this.#keyHash(key), given: key },
    });
  }

  /**
   * Writes one batch, riding out a restarting server: a transient failure before COMMIT is retried by
   * withTransaction; when the COMMIT itself was cut, the sink looks whether its last record landed
   * (same seq, same line hash) before writing the batch again, so a record is never written twice.
   */
  async #writeBatch(bodies: Pending[]): Promise<void> {
    const deadline = Date.now() + this.#retryForInMs;
    for (let attempt = 0; ; attempt++) {
      let encoded: Encoded | undefined;
      try {
        const c = await this.#open();
        const mirrored = await this.#mirror?.read();
        await withTransaction(
          c.pool,
          async (client) => {
            encoded = await this.#appendLocked(client, c.schema, bodies, mirrored);
          },
          { what: 'appending to the audit log', retries: 0 },
        );
        if (encoded && this.#mirror) await this.#writeMirror(encoded.head);
        return;
      } catch (err) {
        if (!isTransientPostgresError(err) || Date.now() >= deadline) throw err;
        if (encoded && (await this.#landed(encoded).catch(() => false))) return;
        await delay(Math.min(1_000, 50 * 2 ** attempt));
      }
    }
  }

  /** Under the head row's lock: check the tail against the anchor, insert the batch, move the anchor. */
  async #appendLocked(
    client: PgClientLike,
    schemaName: string,
    pending: Pending[],
    mirrored: AuditAnchor | undefined,
  ): Promise<Encoded> {
    const s = quoteIdent(schemaName);
    const anchor = await this.#lockHead(client, s);
    if (mirrored) this.#checkMirror(mirrored, anchor);
    // A statement of its own, after the lock: in READ COMMITTED it sees what the previous holder committed.
    const last = await client.query<{ line: string }>(
      `SELECT line FROM ${s}.audit_records WHERE chain = $1 ORDER BY seq DESC LIMIT 1`,
      [this.chain],
    );
    const lines = last.rows.map((r) => Buffer.from(r.line, 'utf8'));
    // Records and anchor commit together, so the log may never be ahead of its anchor (lag 0).
    const decision = resumeChain(lines, anchor, this.#ring, 0, this.chain);
    if (decision.kind !== 'resume')
      throw new ThGovError('ERR_AUDIT_ANCHOR', 'The audit log in PostgreSQL does not match its head row');
    let { seq, hash } = decision.head;
    const rows: Encoded['rows'] = [];
    const seen = await this.#recordedKeys(client, s, pending);
    for (const p of pending) {
      if (p.key !== undefined) {
        if (seen.has(p.key.stored) || seen.has(p.key.given)) continue;
        seen.add(p.key.stored);
      }
      const e = encodeRecord(p.body, ++seq, hash, this.#ring, this.#kid);
      rows.push({ seq, line: e.line, key: p.key?.stored });
      hash = e.lineHash;
    }
    if (rows.length === 0) return { rows, head: decision.head };
    const values = rows.map((_, i) => `($1, $${3 * i + 2}, $${3 * i + 3}, $${3 * i + 4})`).join(', ');
    await client.query(
      `INSERT INTO ${s}.audit_records (chain, seq, line, idempotency_key) VALUES ${values}`,
      [this.chain, ...rows.flatMap((r) => [r.seq, r.line, r.key ?? null])],
    );
    const next = createAnchor({ seq, hash }, this.#ring, this.#kid, new Date(), this.chain);
    await client.query(`UPDATE ${s}.audit_heads SET anchor = $2, updated_at = now() WHERE chain = $1`, [
      this.chain,
      JSON.stringify(next),
    ]);
    return { rows, head: { seq, hash } };
  }

  /**
   * Idempotency keys of this batch that the chain already has (read under the head row's lock), hashed as stored
   * now or in clear as stored before.
   */
  async #recordedKeys(client: PgClientLike, s: string, pending: Pending[]): Promise<Set<string>> {
    const keys = pending.flatMap((p) => (p.key ? [p.key.stored, p.key.given] : []));
    if (keys.length === 0) return new Set();
    const r = await client.query<{ k: string }>(
      `SELECT idempotency_key AS k FROM ${s}.audit_records WHERE chain = $1 AND idempotency_key = ANY($2)`,
      [this.chain, keys],
    );
    return new Set(r.rows.map((row) => row.k));
  }

  /** The database's head may be ahead of the mirror (other replicas, a lost mirror write), never behind. */
  #checkMirror(mirrored: AuditAnchor, anchor: AuditAnchor): void {
    const problem = anchorProblem(mirrored, this.#ring, this.chain);
    if (problem)
      throw new ThGovError('ERR_AUDIT_ANCHOR', `The audit anchor mirror cannot be trusted: ${problem}`);
    if (anchor.seq < mirrored.seq || (anchor.seq === mirrored.seq && anchor.hash !== mirrored.hash))
      throw new ThGovError(
        'ERR_AUDIT_ANCHOR',
        `The audit chain in PostgreSQL ends at seq ${anchor.seq} but its mirrored anchor is at seq ${mirrored.seq}: the database was rolled back or cut`,
        { hint: 'Keep the database and the mirror for investigation; restore the newest backup.' },
      );
  }

  /** Best effort after the commit: a lost mirror write only leaves the mirror behind, which is allowed. */
  async #writeMirror(head: ChainHead): Promise<void> {
    try {
      await this.#mirror?.write(createAnchor(head, this.#ring, this.#kid, new Date(), this.chain));
    } catch {
      // The records are committed; the next append writes a newer mirror.
    }
  }

  /** Locks (creating when missing) the chain's head row and returns its anchor. */
  async #lockHead(client: PgClientLike, s: string): Promise<AuditAnchor> {
    const select = `SELECT anchor FROM ${s}.audit_heads WHERE chain = $1 FOR UPDATE`;
    let r = await client.query<{ anchor: unknown }>(select, [this.chain]);
    if (r.rows.length === 0) {
      // Insert first: a replica starting the same chain at the same moment waits on the unique key and then
      // finds the head the first one committed. Only the transaction that really created the head may find
      // records without one — which means the head row was deleted.
      const genesis = createAnchor(
        { seq: 0, hash: GENESIS_HASH },
        this.#ring,
        this.#kid,
        new Date(),
        this.chain,
      );
      const inserted = await client.query(
        `INSERT INTO ${s}.audit_heads (chain, anchor) VALUES ($1, $2) ON CONFLICT (chain) DO NOTHING`,
        [this.chain, JSON.stringify(genesis)],
      );
      if (inserted.rowCount === 1) {
        const any = await client.query(`SELECT 1 FROM ${s}.audit_records WHERE chain = $1 LIMIT 1`, [
          this.chain,
        ]);
        if (any.rows.length > 0)
          throw new ThGovError(
            'ERR_AUDIT_ANCHOR',
            `The audit chain ${this.chain} has records but its head row is gone: the newest could have been cut`,
            { hint: 'Keep the tables for investigation; verify with thgov audit verify --postgres.' },
          );
      }
      r = await client.query<{ anchor: unknown }>(select, [this.chain]);
    }
    return parseAnchor(r.rows[0]?.anchor, 'row');
  }

  /** After an unknown COMMIT: true when the batch's last record is in the table, byte for byte. */
  async #landed(encoded: Encoded): Promise<boolean> {
    const c = await this.#open();
    const last = encoded.rows[encoded.rows.length - 1];
    if (!last) return true;
    const r = await c.pool.query<{ line: string }>(
      `SELECT line FROM ${quoteIdent(c.schema)}.audit_records WHERE chain = $1 AND seq = $2`,
      [this.chain, last.seq],
    );
    const line = r.rows[0]?.line;
    return line !== undefined && sha256Hex(line) === encoded.head.hash;
  }

  /** The chain head as the database holds it now (after this sink's pending appends). */
  async head(): Promise<ChainHead> {
    await this.#queue.idle();
    const c = await this.#open();
    try {
      const r = await c.pool.query<{ anchor: unknown }>(
        `SELECT anchor FROM ${quoteIdent(c.schema)}.audit_heads WHERE chain = $1`,
        [this.chain],
      );
      if (r.rows.length === 0) return { seq: 0, hash: GENESIS_HASH };
      const a = parseAnchor(r.rows[0]?.anchor, 'row');
      return { seq: a.seq, hash: a.hash };
    } catch (err) {
      throw postgresError('reading the audit head', err);
    }
  }

  /** Waits for pending appends, then closes the pool when the sink opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.idle();
    const c = await this.#connection.resolve().catch(() => undefined);
    if (c?.owned) await c.pool.end().catch(() => undefined);
  }
}
