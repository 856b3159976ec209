import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { validateOptions, z } from '@thgov/core/internal';
import {
  assertMigrated,
  connectionResolver,
  isTransientPostgresError,
  type MigrationStatus,
  migrationStatus,
  type PgClientLike,
  type PostgresConnectionOptions,
  postgresConnectionShape,
  postgresError,
  quoteIdent,
  type ResolvedConnection,
  runMigrations,
  sqlState,
  withTransaction,
} from '@thgov/core/postgres';
import { ecmsError } from '../errors.js';
import type { Direction, LetterState } from '../journal.js';
import { bookNumberKey } from '../model.js';
import {
  type ClaimInput,
  type EvidenceRecord,
  type LeaseFence,
  type LetterLease,
  type LetterPatch,
  type LetterRecord,
  type LetterStore,
  type NaturalKeyQuery,
  outboundKey,
  type QuarantinedItem,
  type QuarantinePatch,
  type TransitionInput,
  type TransitionRecord,
  WAITING_STATES,
  type WaitingLetters,
} from './letter-store.js';
import { ECMS_MIGRATIONS } from './postgres-schema.js';
import {
  evidenceFromRow,
  LETTER_COLUMNS_BUT_DOCUMENT,
  leaseLost,
  letterFromRow,
  letterNotFound,
  PATCH_COLUMNS,
  POSTGRES_ROWS,
  quarantinedNotFound,
  quarantineFromRow,
  type Row,
  transitionFromRow,
} from './rows.js';
import {
  checkProcessKey,
  isProcessKey,
  isStorableText,
  processKey,
  storableLetter,
  storablePatch,
  storableQuarantine,
  storableQuarantinePatch,
  storableText,
  storableTransition,
} from './storable.js';

/** Options of `PostgresLetterStore`: the connection and whether to migrate on first use. */
export interface PostgresLetterStoreOptions extends PostgresConnectionOptions {
  /** Run the migrations on first use instead of requiring `migrate()` (or `thgov ecms migrate`) first. */
  migrate?: boolean;
  /**
   * Named (prepared) statements: the server parses and plans each of the journal's statements once per
   * connection instead of on every call. In the inbox bench this took the database's CPU per letter from
   * 4.5-5.8 ms to 3.1-3.9 ms. Off by default: a pooler in transaction mode between the replicas and the
   * server (PgBouncer before 1.21, or later without `max_prepared_statements`) cannot keep them. A plan that a
   * migration made stale (another replica upgraded) is prepared again and the call retried. A `pool` given
   * in the options must then take node-postgres's query config (`{ name, text, values }`), as `pg.Pool` does.
   */
  preparedStatements?: boolean;
}

/** A letter's columns, the document as base64 text (see `POSTGRES_ROWS.document`), for a table aliased `l`. */
const LETTER = `${LETTER_COLUMNS_BUT_DOCUMENT.map((c) => `l.${c}`).join(', ')}, encode(l.document, 'base64') AS document`;
/** The RETURNING list of a transition whose caller does not need the document. */
const RETURNING_BUT_DOCUMENT = LETTER_COLUMNS_BUT_DOCUMENT.map((c) => `l.${c}`).join(', ');

const optionsSchema = z
  .object({
    ...postgresConnectionShape,
    migrate: z.boolean().optional(),
    preparedStatements: z.boolean().optional(),
  })
  .strict();

/** The server refused a prepared statement whose tables changed under it (a migration by another replica). */
const isStalePlan = (err: unknown): boolean =>
  sqlState(err) === '0A000' && /cached plan must not change result type/.test(String((err as Error).message));

/**
 * Names for the journal's statement texts (a hash of the text, so a name never stands for two texts). `renew()`
 * moves every text to a new name, so each connection prepares it again: what follows a stale plan.
 */
class StatementNames {
  readonly #names = new Map<string, string>();
  #generation = 0;

  name(text: string): string {
    let name = this.#names.get(text);
    if (!name) {
      name = `thgov_ecms_${this.#generation}_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.#names.set(text, name);
    }
    return name;
  }

  renew(): void {
    this.#generation++;
    this.#names.clear();
  }
}

/** `client` whose queries run as named statements. */
function preparing(client: PgClientLike, names: StatementNames): PgClientLike {
  const named = client as unknown as { query(config: object): ReturnType<PgClientLike['query']> };
  return {
    query: ((text: string, values?: unknown[]) =>
      named.query({ name: names.name(text), text, values })) as PgClientLike['query'],
    release: (destroy) => client.release(destroy),
  };
}

const toLease = (r: Row): LetterLease => ({
  journalId: r.journal_id as string,
  owner: r.lease_owner as string,
  token: Number(r.lease_token),
  expiresAt: r.lease_expires_at as Date,
});

/**
 * The journal in PostgreSQL, shared by every replica. Each method is one transaction; a letter, its
 * evidence and its processed ProcessID commit together. Leases (`claim`, `claimOne`) hand letters that
 * need work to one worker at a time (`FOR UPDATE SKIP LOCKED`), with expiry measured on the database's
 * clock and a fencing token from one sequence: every fenced change checks the token under the row lock.
 * Registration numbers come from a counter row per register and year, incremented in the transaction
 * that stamps the letter, so they stay consecutive across replicas and crashes.
 *
 * Import from `@thgov/ecms/postgres`; needs the optional peer `pg`.
 *
 * @example
 * ```ts
 * import { EcmsInboxWorker } from '@thgov/ecms';
 * import { PostgresLetterStore } from '@thgov/ecms/postgres';
 *
 * const store = new PostgresLetterStore({ connectionString: process.env.DATABASE_URL!, schema: 'saraban' });
 * await store.migrate(); // or `thgov ecms migrate --postgres URL` once per release
 * const worker = new EcmsInboxWorker({ client, store, autoRegister: {} });
 * await worker.start();
 * ```
 */
export class PostgresLetterStore implements LetterStore {
  readonly schema: string;
  readonly #connection: ReturnType<typeof connectionResolver>;
  readonly #autoMigrate: boolean;
  /** Set when statements are prepared (`preparedStatements`). */
  readonly #names: StatementNames | undefined;
  #ready: Promise<ResolvedConnection> | undefined;
  #closed = false;

  constructor(options: PostgresLetterStoreOptions) {
    const o = validateOptions(optionsSchema, options, 'PostgresLetterStore options');
    this.#connection = connectionResolver(options, 'PostgresLetterStore options');
    this.schema = this.#connection.schema;
    this.#autoMigrate = o.migrate ?? false;
    this.#names = o.preparedStatements ? new StatementNames() : undefined;
  }

  /** Creates or upgrades the journal tables (idempotent; replicas may call it together). */
  async migrate(): Promise<number[]> {
    const c = await this.#connection.resolve();
    return runMigrations(c.pool, c.schema, 'ecms', ECMS_MIGRATIONS);
  }

  /** The journal's schema version in the database and the one this code needs. */
  async migrationStatus(): Promise<MigrationStatus> {
    const c = await this.#connection.resolve();
    return migrationStatus(c.pool, c.schema, 'ecms', ECMS_MIGRATIONS);
  }

  #open(): Promise<ResolvedConnection> {
    if (this.#closed) return Promise.reject(ecmsError('ERR_ECMS_STORE', 'The letter store is closed'));
    this.#ready ??= (async () => {
      const c = await this.#connection.resolve();
      if (this.#autoMigrate) await runMigrations(c.pool, c.schema, 'ecms', ECMS_MIGRATIONS);
      else
        await assertMigrated(c.pool, c.schema, 'ecms', ECMS_MIGRATIONS, 'thgov ecms migrate --postgres URL');
      return c;
    })();
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  get #t(): string {
    return quoteIdent(this.schema);
  }

  async #tx<T>(what: string, fn: (client: PgClientLike, s: string) => Promise<T>): Promise<T> {
    const c = await this.#open();
    const names = this.#names;
    if (!names) return withTransaction(c.pool, (client) => fn(client, this.#t), { what });
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTransaction(c.pool, (client) => fn(preparing(client, names), this.#t), { what });
      } catch (err) {
        // The transaction was rolled back: with the statements prepared again, it runs once more.
        const cause = (err as { cause?: unknown }).cause ?? err;
        if (attempt > 0 || !(isStalePlan(cause) || isStalePlan(err))) throw err;
        names.renew();
      }
    }
  }

  /**
   * One statement committed on its own: a read, or a write that is safe to run twice (a lease release, a
   * ProcessID insert that ignores a conflict, one letter's claim by its owner, which an owner may renew, a
   * state change out of its `from` states, a registration number that is not a renewal). A transient failure
   * is retried a few times here, even when it came after the server committed: running the statement again
   * changes nothing more. Two round trips cheaper than a transaction, on every letter.
   */
  async #statement(what: string, text: string, values: unknown[]): Promise<Row[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const c = await this.#open();
        if (!this.#names) return (await c.pool.query(text, values)).rows;
        const pool = c.pool as unknown as { query(config: object): Promise<{ rows: Row[] }> };
        return (await pool.query({ name: this.#names.name(text), text, values })).rows;
      } catch (err) {
        if (attempt < 4 && this.#names && isStalePlan(err)) {
          this.#names.renew();
          continue;
        }
        if (attempt >= 4 || !isTransientPostgresError(err)) throw postgresError(what, err);
        await delay(Math.min(2_000, 25 * 2 ** attempt));
      }
    }
  }

  async #addEvidence(
    client: PgClientLike,
    s: string,
    journalId: string | undefined,
    list: Omit<EvidenceRecord, 'journalId'>[] | undefined,
  ): Promise<void> {
    for (const e of list ?? []) {
      await client.query(
        `INSERT INTO ${s}.ecms_evidence (journal_id, process_id, operation, direction, xml, sha256, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          journalId ?? null,
          e.processId ?? null,
          e.operation,
          e.direction,
          Buffer.from(e.xml),
          e.sha256,
          e.at,
        ],
      );
    }
  }

  /** True when this call recorded the ProcessID (false: it was processed before). */
  async #markProcessed(
    client: PgClientLike,
    s: string,
    processId: string,
    journalId?: string,
  ): Promise<boolean> {
    const r = await client.query(
      `INSERT INTO ${s}.ecms_processed (process_key, process_id, journal_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [processKey(processId), storableText(processId), journalId ?? null],
    );
    return r.rows.length === 1;
  }

  async insert(
    record: LetterRecord,
    extra: { evidence?: Omit<EvidenceRecord, 'journalId'>[]; processedId?: string } = {},
  ): Promise<void> {
    const r = storableLetter(record, extra);
    await this.#tx('recording a letter', async (client, s) => {
      // First: a second worker that fetched the same item waits here for the first one's commit.
      if (extra.processedId && !(await this.#markProcessed(client, s, extra.processedId, r.journalId)))
        throw ecmsError('ERR_ECMS_DUPLICATE', 'The queue item was already recorded');
      // The unique indexes on the natural key (`naturalKey`: an inbound letter's while it is live) and the
      // idempotency key decide (a concurrent duplicate waits for the first insert's commit, then inserts
      // nothing): no check-then-insert race.
      const inserted = await client.query(
        `INSERT INTO ${s}.ecms_letters (journal_id, direction, state, letter_id, correspondence_date, subject,
          sender_department_id, receiver_department_id, process_id, accept_id, accept_date, register,
          registration_year, registration_number, document, send_count, dispatched, signature_status,
          signature_evidence, last_error, created_at, updated_at, idempotency_key, outbound_key, recover_failures,
          book_key)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [
          r.journalId,
          r.direction,
          r.state,
          r.letterId,
          r.correspondenceDate,
          r.subject,
          r.senderDepartmentId,
          r.receiverDepartmentId,
          r.processId ?? null,
          r.acceptId ?? null,
          r.acceptDate ?? null,
          r.register ?? null,
          r.registrationYear ?? null,
          r.registrationNumber ?? null,
          r.document ? Buffer.from(r.document) : null,
          r.sendCount,
          r.dispatched,
          r.signatureStatus ?? null,
          r.signature ? JSON.stringify(r.signature) : null,
          r.lastError ?? null,
          r.createdAt,
          r.updatedAt,
          r.idempotencyKey ?? null,
          outboundKey(r) ?? null,
          r.recoverFailures,
          bookNumberKey(r.letterId),
        ],
      );
      if (inserted.rows.length === 0)
        throw ecmsError(
          'ERR_ECMS_DUPLICATE',
          'This letter (journal id, natural key or idempotency key) is already in the journal',
        );
      await this.#addEvidence(client, s, r.journalId, extra.evidence);
    });
  }

  /** The SET list of a patch (and state), its values after the journal id ($1). */
  #assignments(patch: LetterPatch, state?: LetterState): { sets: string[]; values: unknown[] } {
    const sets = ['updated_at = now()'];
    const values: unknown[] = [];
    if (state) {
      values.push(state);
      sets.push(`state = $${values.length + 1}`);
    }
    for (const [k, v] of Object.entries(patch) as [keyof LetterPatch, unknown][]) {
      const col = PATCH_COLUMNS[k];
      if (!col) continue;
      values.push(v === undefined ? null : k === 'document' ? Buffer.from(v as Uint8Array) : v);
      sets.push(`${col} = $${values.length + 1}`);
    }
    return { sets, values };
  }

  /**
   * One statement does the whole transition: it locks the row, checks the fence and the state, applies the
   * patch, and records the history row, the evidence and the ProcessID only if the row changed. PostgreSQL
   * commits a statement with data-modifying WITH parts all or nothing, so this is the transaction of lock,
   * update, history, evidence and commit in one round trip instead of five or more.
   *
   * Running it twice is safe when `to` is not among `from` (the usual case): if the first run committed
   * and only its answer was lost, the second finds the letter in `to` and changes nothing (undefined, as for
   * a letter another worker moved). Then a transient failure is retried like a read; otherwise (a change
   * that keeps the state) the statement runs in a transaction, where a failure during COMMIT is not retried.
   *
   * The UPDATE reads its state and fence from `cur`, not from its own row: that makes the row lock come first
   * whatever join order the planner picks, and a concurrent change is judged on the locked, newest version.
   */
  async transition(change: TransitionInput): Promise<LetterRecord | undefined> {
    const input = storableTransition(change);
    const s = this.#t;
    const { sets, values } = this.#assignments(input.patch ?? {}, input.to);
    const params: unknown[] = [input.journalId, ...values];
    const p = (value: unknown) => `$${params.push(value)}`;
    const fenced = input.fence ? ` AND cur.lease_token = ${p(input.fence.token)}` : '';
    const from = p([...input.from]);
    const note = p(input.note ?? null);
    const parts = [
      `cur AS MATERIALIZED (
        SELECT state, lease_token FROM ${s}.ecms_letters WHERE journal_id = $1 FOR UPDATE)`,
      `upd AS (
        UPDATE ${s}.ecms_letters l SET ${sets.join(', ')} FROM cur
        WHERE l.journal_id = $1 AND cur.state = ANY(${from}::text[])${fenced}
        RETURNING ${input.withDocument === false ? RETURNING_BUT_DOCUMENT : LETTER})`,
      `history AS (
        INSERT INTO ${s}.ecms_transitions (journal_id, from_state, to_state, at, note)
        SELECT $1, cur.state, upd.state, now(), ${note}::text FROM cur, upd)`,
    ];
    // Only the parts this change needs: each costs the server planning time. Evidence values travel as
    // parameters of their own (the XML as binary bytea), one row each.
    const evidence = (input.evidence ?? []).map(
      (e, i) =>
        `(${p(e.processId ?? null)}::text, ${p(e.operation)}::text, ${p(e.direction)}::text, ` +
        `${p(Buffer.from(e.xml))}::bytea, ${p(e.sha256)}::text, ${p(e.at)}::timestamptz, ${i})`,
    );
    if (evidence.length > 0)
      parts.push(`evidence AS (
        INSERT INTO ${s}.ecms_evidence (journal_id, process_id, operation, direction, xml, sha256, at)
        SELECT $1, e.process_id, e.operation, e.direction, e.xml, e.sha256, e.at
        FROM (VALUES ${evidence.join(', ')}) AS e(process_id, operation, direction, xml, sha256, at, n)
        WHERE EXISTS (SELECT 1 FROM upd) ORDER BY e.n)`);
    if (input.processedId !== undefined)
      parts.push(`processed AS (
        INSERT INTO ${s}.ecms_processed (process_key, process_id, journal_id)
        SELECT ${p(processKey(input.processedId))}::bytea, ${p(storableText(input.processedId))}::text, $1
        FROM upd ON CONFLICT DO NOTHING)`);
    const text = `WITH ${parts.join(',\n      ')}
      SELECT cur.state AS prior_state, cur.lease_token AS prior_token, upd.* FROM cur LEFT JOIN upd ON true`;
    const rows = input.from.includes(input.to)
      ? await this.#tx('changing a letter state', async (client) => (await client.query(text, params)).rows)
      : await this.#statement('changing a letter state', text, params);
    const row = rows[0];
    if (!row) throw letterNotFound();
    if (input.fence && Number(row.prior_token) !== input.fence.token) throw leaseLost();
    return row.journal_id == null ? undefined : letterFromRow(row, POSTGRES_ROWS);
  }

  /**
   * One statement: the fence is checked in its WHERE, under the row lock the UPDATE takes (a transaction of
   * lock, update and commit cost three more round trips). Setting the same values twice changes nothing, so
   * a transient failure is retried. When no row changed, a read tells a missing letter from a lost lease.
   */
  async update(journalId: string, patch: LetterPatch, options: { fence?: LeaseFence } = {}): Promise<void> {
    const { sets, values } = this.#assignments(storablePatch(patch));
    const fenced = options.fence ? ` AND lease_token = $${values.length + 2}` : '';
    const changed = await this.#statement(
      'updating a letter',
      `UPDATE ${this.#t}.ecms_letters SET ${sets.join(', ')} WHERE journal_id = $1${fenced} RETURNING 1`,
      [journalId, ...values, ...(options.fence ? [options.fence.token] : [])],
    );
    if (changed.length > 0) return;
    const exists = await this.#statement(
      'updating a letter',
      `SELECT 1 FROM ${this.#t}.ecms_letters WHERE journal_id = $1`,
      [journalId],
    );
    throw exists.length === 0 ? letterNotFound() : leaseLost();
  }

  async get(journalId: string): Promise<LetterRecord | undefined> {
    const rows = await this.#statement(
      'reading a letter',
      `SELECT ${LETTER} FROM ${this.#t}.ecms_letters l WHERE journal_id = $1`,
      [journalId],
    );
    return rows[0] ? letterFromRow(rows[0], POSTGRES_ROWS) : undefined;
  }

  async findByProcessId(processId: string): Promise<LetterRecord | undefined> {
    // No letter holds what the journal cannot store (and PostgreSQL would refuse the parameter).
    if (!isStorableText(processId)) return undefined;
    const rows = await this.#statement(
      'finding a letter',
      `SELECT ${LETTER} FROM ${this.#t}.ecms_letters l WHERE process_id = $1 ORDER BY created_at DESC, ord DESC LIMIT 1`,
      [processId],
    );
    return rows[0] ? letterFromRow(rows[0], POSTGRES_ROWS) : undefined;
  }

  async findByNaturalKey(q: NaturalKeyQuery): Promise<LetterRecord[]> {
    if (![q.letterId, q.correspondenceDate, q.counterpartDepartmentId].every(isStorableText)) return [];
    const col = q.direction === 'outbound' ? 'receiver_department_id' : 'sender_department_id';
    const rows = await this.#statement(
      'finding a letter',
      `SELECT ${LETTER} FROM ${this.#t}.ecms_letters l WHERE direction = $1 AND book_key = $2 AND correspondence_date = $3
       AND ${col} = $4 ORDER BY created_at, ord`,
      [q.direction, bookNumberKey(q.letterId), q.correspondenceDate, q.counterpartDepartmentId],
    );
    return rows.map((r) => letterFromRow(r, POSTGRES_ROWS));
  }

  async findByBookNumber(direction: Direction, letterId: string): Promise<LetterRecord[]> {
    if (!isStorableText(letterId)) return [];
    const rows = await this.#statement(
      'finding letters by book number',
      `SELECT ${LETTER} FROM ${this.#t}.ecms_letters l WHERE direction = $1 AND book_key = $2 ORDER BY created_at, ord`,
      [direction, bookNumberKey(letterId)],
    );
    return rows.map((r) => letterFromRow(r, POSTGRES_ROWS));
  }

  async list(
    filter: { direction?: Direction; states?: readonly LetterState[] } = {},
  ): Promise<LetterRecord[]> {
    if (filter.states?.length === 0) return [];
    const rows = await this.#statement(
      'listing letters',
      `SELECT ${LETTER} FROM ${this.#t}.ecms_letters l WHERE ($1::text IS NULL OR direction = $1)
       AND ($2::text[] IS NULL OR state = ANY($2)) ORDER BY created_at, ord`,
      [filter.direction ?? null, filter.states ? [...filter.states] : null],
    );
    return rows.map((r) => letterFromRow(r, POSTGRES_ROWS));
  }

  async addEvidence(e: EvidenceRecord): Promise<void> {
    await this.#tx('recording evidence', (client, s) => this.#addEvidence(client, s, e.journalId, [e]));
  }

  async evidence(journalId: string): Promise<EvidenceRecord[]> {
    const rows = await this.#statement(
      'reading evidence',
      `SELECT * FROM ${this.#t}.ecms_evidence WHERE journal_id = $1 ORDER BY id`,
      [journalId],
    );
    return rows.map((r) => evidenceFromRow(r, POSTGRES_ROWS));
  }

  async transitions(journalId: string): Promise<TransitionRecord[]> {
    const rows = await this.#statement(
      'reading transitions',
      `SELECT * FROM ${this.#t}.ecms_transitions WHERE journal_id = $1 ORDER BY id`,
      [journalId],
    );
    return rows.map((r) => transitionFromRow(r, POSTGRES_ROWS));
  }

  async quarantine(item: QuarantinedItem): Promise<void> {
    const q = storableQuarantine(item);
    await this.#tx('quarantining a queue item', async (client, s) => {
      await client.query(
        `INSERT INTO ${s}.ecms_quarantine (id, process_id, operation, element, xml, sha256, at, error, signature,
          letter_key, notified, settled, note) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
        [
          q.id,
          q.processId,
          q.operation,
          q.element ?? null,
          Buffer.from(q.xml),
          q.sha256,
          q.at,
          JSON.stringify(q.error),
          q.signature ? JSON.stringify(q.signature) : null,
          q.letterKey ? JSON.stringify(q.letterKey) : null,
          q.notified,
          q.settled,
          q.note ?? null,
        ],
      );
      // The ProcessID as received: its key is exact even where the text column holds U+FFFD.
      await this.#markProcessed(client, s, item.processId);
    });
  }

  async quarantined(filter: { settled?: boolean } = {}): Promise<QuarantinedItem[]> {
    const rows = await this.#statement(
      'reading quarantined items',
      `SELECT * FROM ${this.#t}.ecms_quarantine WHERE ($1::boolean IS NULL OR settled = $1) ORDER BY at, ord`,
      [filter.settled ?? null],
    );
    return rows.map((r) => quarantineFromRow(r, POSTGRES_ROWS));
  }

  async updateQuarantined(id: string, patch: QuarantinePatch): Promise<void> {
    await this.#tx('updating a quarantined item', async (client, s) => {
      const r = await client.query(`SELECT * FROM ${s}.ecms_quarantine WHERE id = $1 FOR UPDATE`, [id]);
      if (!r.rows[0]) throw quarantinedNotFound();
      const next = { ...quarantineFromRow(r.rows[0], POSTGRES_ROWS), ...storableQuarantinePatch(patch) };
      await client.query(
        `UPDATE ${s}.ecms_quarantine SET notified = $2, settled = $3, note = $4 WHERE id = $1`,
        [id, next.notified, next.settled, next.note ?? null],
      );
    });
  }

  async markProcessed(processId: string, journalId?: string): Promise<void> {
    checkProcessKey(processId);
    await this.#statement(
      'recording a processed item',
      `INSERT INTO ${this.#t}.ecms_processed (process_key, process_id, journal_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [processKey(processId), storableText(processId), journalId ?? null],
    );
  }

  async isProcessed(processId: string): Promise<boolean> {
    if (!isProcessKey(processId)) return false;
    const rows = await this.#statement(
      'reading processed items',
      `SELECT 1 FROM ${this.#t}.ecms_processed WHERE process_key = $1`,
      [processKey(processId)],
    );
    return rows.length > 0;
  }

  /**
   * One statement: it locks the letter, checks the fence, and (unless the letter has a number and this is
   * no renewal) takes the next number from the counter row, whose lock serialises allocation per register
   * and year across replicas, and writes it on the letter. The number and the letter commit together, so a
   * crash leaves neither a gap nor a number used twice. Running it twice is safe except for a renewal (the
   * second run finds the number the first one wrote); a renewal runs in a transaction instead, so that a lost
   * answer is never retried into a second number and a gap.
   */
  async allocateRegistrationNumber(input: {
    journalId: string;
    register: string;
    year: number;
    renew?: boolean;
    fence?: LeaseFence;
  }): Promise<number> {
    const s = this.#t;
    const params: unknown[] = [input.journalId, input.register, input.year, input.renew === true];
    const fenced = input.fence ? ` AND cur.lease_token = $${params.push(input.fence.token)}` : '';
    const text = `WITH cur AS MATERIALIZED (
        SELECT registration_number, lease_token FROM ${s}.ecms_letters WHERE journal_id = $1 FOR UPDATE),
      counter AS (
        INSERT INTO ${s}.ecms_registration_counters AS c (register, year, last_number)
        SELECT $2, $3, 1 FROM cur WHERE (cur.registration_number IS NULL OR $4::boolean)${fenced}
        ON CONFLICT (register, year) DO UPDATE SET last_number = c.last_number + 1
        RETURNING last_number),
      upd AS (
        UPDATE ${s}.ecms_letters l SET register = $2, registration_year = $3,
          registration_number = counter.last_number, updated_at = now()
        FROM counter WHERE l.journal_id = $1
        RETURNING l.registration_number)
      SELECT cur.registration_number AS prior_number, cur.lease_token AS prior_token,
        (SELECT registration_number FROM upd) AS number FROM cur`;
    const rows = input.renew
      ? await this.#tx(
          'allocating a registration number',
          async (client) => (await client.query(text, params)).rows,
        )
      : await this.#statement('allocating a registration number', text, params);
    const row = rows[0];
    if (!row) throw letterNotFound();
    if (input.fence && Number(row.prior_token) !== input.fence.token) throw leaseLost();
    return (row.number ?? row.prior_number) as number;
  }

  async claim(input: ClaimInput): Promise<LetterLease[]> {
    if (input.states.length === 0 || input.limit < 1) return [];
    return this.#tx('claiming letters', async (client, s) => {
      const r = await client.query(
        `WITH picked AS (
           SELECT journal_id FROM ${s}.ecms_letters
           WHERE direction = $1 AND state = ANY($2)
             AND (lease_owner IS NULL OR lease_owner = $3 OR lease_expires_at <= now())${input.waiting ? NOT_WAITING : ''}
           ORDER BY lease_token NULLS FIRST, ord LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE ${s}.ecms_letters l
         SET lease_owner = $3, lease_token = nextval('${s}.ecms_lease_tokens'),
             lease_expires_at = now() + $5 * interval '1 millisecond'
         FROM picked WHERE l.journal_id = picked.journal_id
         RETURNING l.journal_id, l.lease_owner, l.lease_token, l.lease_expires_at`,
        [
          input.direction,
          [...input.states],
          input.owner,
          input.limit,
          input.leaseInMs,
          ...(input.waiting ? waitingParams(input.waiting) : []),
        ],
      );
      return r.rows.map(toLease).sort((a, b) => a.token - b.token);
    });
  }

  async claimOne(journalId: string, owner: string, leaseInMs: number): Promise<LetterLease | undefined> {
    const s = this.#t;
    const rows = await this.#statement(
      'claiming a letter',
      `UPDATE ${s}.ecms_letters
       SET lease_owner = $2, lease_token = nextval('${s}.ecms_lease_tokens'),
           lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE journal_id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at <= now())
       RETURNING journal_id, lease_owner, lease_token, lease_expires_at`,
      [journalId, owner, leaseInMs],
    );
    if (rows[0]) return toLease(rows[0]);
    const exists = await this.#statement(
      'claiming a letter',
      `SELECT 1 FROM ${s}.ecms_letters WHERE journal_id = $1`,
      [journalId],
    );
    if (exists.length === 0) throw letterNotFound();
    return undefined;
  }

  async release(lease: LetterLease): Promise<void> {
    await this.#statement(
      'releasing a lease',
      `UPDATE ${this.#t}.ecms_letters SET lease_owner = NULL, lease_expires_at = NULL
       WHERE journal_id = $1 AND lease_token = $2`,
      [lease.journalId, lease.token],
    );
  }

  /** Closes the pool when the store opened it (a pool passed in stays open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const c = await this.#connection.resolve().catch(() => undefined);
    if (c?.owned) await c.pool.end().catch(() => undefined);
  }
}

/** The condition of `claim` that leaves out letters waiting for the agency (`WaitingLetters`): $6 to $9. */
const NOT_WAITING = `
             AND NOT (state = ANY($6::text[]) AND (dispatched OR NOT $7::boolean)
               AND (receiver_department_id <> ALL($8::text[])
                 OR coalesce(signature_status, '') LIKE 'failed%' OR (state = 'dequeued' AND NOT $9::boolean)))`;

/** The parameters of `NOT_WAITING`. */
function waitingParams(waiting: WaitingLetters): unknown[] {
  return [[...WAITING_STATES], waiting.dispatch, [...waiting.departments], waiting.acknowledges];
}
