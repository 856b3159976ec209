import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  naturalKey,
  outboundKey,
  type QuarantinedItem,
  type QuarantinePatch,
  type TransitionInput,
  type TransitionRecord,
  WAITING_STATES,
  type WaitingLetters,
} from './letter-store.js';
import {
  evidenceFromRow,
  LETTER_COLUMNS_BUT_DOCUMENT,
  leaseLost,
  letterFromRow,
  letterNotFound,
  PATCH_COLUMNS,
  quarantinedNotFound,
  quarantineFromRow,
  type Row,
  SQLITE_ROWS,
  transitionFromRow,
} from './rows.js';
import {
  checkProcessKey,
  isProcessKey,
  isStorableText,
  storableLetter,
  storablePatch,
  storableQuarantine,
  storableQuarantinePatch,
  storableTransition,
} from './storable.js';

/** Options of `SqliteLetterStore`: the database file and how hard SQLite syncs. */
export interface SqliteLetterStoreOptions {
  /** Database file (created when missing, with its missing parent directories), or ':memory:'. */
  filename: string;
  /**
   * SQLite `synchronous` level. Default 'FULL': a committed letter survives power loss, not only a
   * process crash ('NORMAL' is enough for the latter and faster).
   */
  synchronous?: 'FULL' | 'NORMAL';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ecms_letters (
  journal_id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,
  state TEXT NOT NULL,
  letter_id TEXT NOT NULL,
  correspondence_date TEXT NOT NULL,
  subject TEXT NOT NULL,
  sender_department_id TEXT NOT NULL,
  receiver_department_id TEXT NOT NULL,
  process_id TEXT,
  accept_id TEXT,
  accept_date TEXT,
  register TEXT,
  registration_year INTEGER,
  registration_number INTEGER,
  document BLOB,
  send_count INTEGER NOT NULL DEFAULT 0,
  dispatched INTEGER NOT NULL DEFAULT 0,
  signature_status TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ecms_letters_key ON ecms_letters (direction, letter_id, correspondence_date);
CREATE INDEX IF NOT EXISTS ecms_letters_state ON ecms_letters (direction, state);
CREATE INDEX IF NOT EXISTS ecms_letters_process ON ecms_letters (process_id);
CREATE UNIQUE INDEX IF NOT EXISTS ecms_letters_registration
  ON ecms_letters (register, registration_year, registration_number) WHERE registration_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS ecms_evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  journal_id TEXT,
  process_id TEXT,
  operation TEXT NOT NULL,
  direction TEXT NOT NULL,
  xml BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ecms_evidence_journal ON ecms_evidence (journal_id);
CREATE TABLE IF NOT EXISTS ecms_transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  journal_id TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  note TEXT
);
CREATE INDEX IF NOT EXISTS ecms_transitions_journal ON ecms_transitions (journal_id);
CREATE TABLE IF NOT EXISTS ecms_processed (
  process_id TEXT PRIMARY KEY,
  journal_id TEXT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ecms_lease_tokens (token INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE IF NOT EXISTS ecms_quarantine (
  id TEXT PRIMARY KEY,
  process_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  element TEXT,
  xml BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  at INTEGER NOT NULL,
  error TEXT NOT NULL,
  signature TEXT,
  letter_key TEXT,
  notified INTEGER NOT NULL DEFAULT 0,
  settled INTEGER NOT NULL DEFAULT 0,
  note TEXT
);
CREATE INDEX IF NOT EXISTS ecms_quarantine_settled ON ecms_quarantine (settled);
CREATE TABLE IF NOT EXISTS ecms_registration_counters (
  register TEXT NOT NULL,
  year INTEGER NOT NULL,
  last_number INTEGER NOT NULL,
  PRIMARY KEY (register, year)
);
CREATE TABLE IF NOT EXISTS ecms_documents (
  journal_id TEXT PRIMARY KEY,
  document BLOB NOT NULL
);
`;

/** Columns added after the first release, created on open for journals made by an older version. */
const ADDED_COLUMNS: [table: string, column: string, type: string][] = [
  ['ecms_letters', 'signature_evidence', 'TEXT'],
  // Leases of several workers (NULL: never claimed).
  ['ecms_letters', 'lease_owner', 'TEXT'],
  ['ecms_letters', 'lease_token', 'INTEGER'],
  ['ecms_letters', 'lease_expires_at', 'INTEGER'],
  // Duplicate submits: NULL for letters journalled before these existed (and for inbound letters).
  ['ecms_letters', 'idempotency_key', 'TEXT'],
  ['ecms_letters', 'outbound_key', 'TEXT'],
  ['ecms_letters', 'recover_failures', 'INTEGER NOT NULL DEFAULT 0'],
  // The natural key (`bookNumberKey` of the book number; set on open for letters journalled before it) and
  // whether the letter holds it (0: a copy journalled before the key existed, which an older one holds).
  ['ecms_letters', 'book_key', 'TEXT'],
  ['ecms_letters', 'key_held', 'INTEGER NOT NULL DEFAULT 1'],
];

/** Indexes on added columns (created after the columns exist). */
const ADDED_INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS ecms_letters_outbound_key ON ecms_letters (outbound_key)
  WHERE outbound_key IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ecms_letters_idempotency_key ON ecms_letters (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ecms_letters_book_key ON ecms_letters (direction, book_key, correspondence_date);
`;

/** Which letters hold their natural key: every outbound letter, an inbound one until rejected or invalid. */
const HOLDS_KEY = `(direction = 'outbound' OR state NOT IN ('rejected', 'invalid'))`;

/** The natural key (`naturalKey`) of the letters that hold it: unique. */
const NATURAL_KEY_INDEX = `
CREATE UNIQUE INDEX IF NOT EXISTS ecms_letters_natural_key
  ON ecms_letters (direction, sender_department_id, receiver_department_id, correspondence_date, book_key)
  WHERE key_held = 1 AND ${HOLDS_KEY};
`;

/**
 * `PRAGMA user_version` of a journal whose documents live in `ecms_documents`. SQLite rewrites a whole row on
 * every UPDATE, so with the document in `ecms_letters` each state change, claim and release of a letter wrote
 * its document again (a 10 MB letter: about 75 ms and 10 MB of log per change). `ecms_letters.document` stays,
 * always NULL. A journal at this version cannot be read by a thgov release from before it (it would find no
 * documents).
 */
const DOCUMENTS_APART = 1;
/**
 * `PRAGMA user_version` of a journal whose letters all carry their `book_key` and whose natural key is unique
 * (`ecms_letters_natural_key`). A release from before it would journal letters without a key.
 */
const NATURAL_KEYS = 2;

const version = (db: Database.Database) => db.pragma('user_version', { simple: true }) as number;

function migrate(db: Database.Database): void {
  for (const [table, column, type] of ADDED_COLUMNS) {
    const cols = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!cols.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  db.exec(ADDED_INDEXES);
  // Each step in one transaction with its version, looked at again inside it (another process may have
  // upgraded the file meanwhile).
  if (version(db) < DOCUMENTS_APART)
    db.transaction(() => {
      if (version(db) >= DOCUMENTS_APART) return;
      // A journal written before: its documents move to their table.
      db.exec(`INSERT OR REPLACE INTO ecms_documents (journal_id, document)
        SELECT journal_id, document FROM ecms_letters WHERE document IS NOT NULL`);
      db.exec('UPDATE ecms_letters SET document = NULL WHERE document IS NOT NULL');
      db.pragma(`user_version = ${DOCUMENTS_APART}`);
    }).immediate();
  if (version(db) < NATURAL_KEYS)
    db.transaction(() => {
      if (version(db) >= NATURAL_KEYS) return;
      keyLetters(db);
      db.exec(NATURAL_KEY_INDEX);
      db.pragma(`user_version = ${NATURAL_KEYS}`);
    }).immediate();
}

/**
 * Gives every letter its `book_key`. Letters that already collide under the key (delivered twice before it
 * existed, a book number sent with ASCII and with Thai digits) all stay: the oldest holds the key, the others
 * get `key_held = 0`, so the unique index can be built and refuses every later copy.
 */
function keyLetters(db: Database.Database): void {
  const rows = db
    .prepare(
      `SELECT journal_id AS journalId, direction, state, letter_id AS letterId,
        sender_department_id AS senderDepartmentId, receiver_department_id AS receiverDepartmentId,
        correspondence_date AS correspondenceDate FROM ecms_letters ORDER BY created_at, rowid`,
    )
    .all() as (Parameters<typeof naturalKey>[0] & { journalId: string })[];
  const update = db.prepare('UPDATE ecms_letters SET book_key = ?, key_held = ? WHERE journal_id = ?');
  const held = new Set<string>();
  for (const r of rows) {
    const key = naturalKey(r);
    const holds = key === undefined || !held.has(key);
    if (key !== undefined) held.add(key);
    update.run(bookNumberKey(r.letterId), holds ? 1 : 0, r.journalId);
  }
}

/** A letter's columns and its document (NULL when it has none), for `... WHERE` on `l`. */
const SELECT_LETTER = `SELECT ${LETTER_COLUMNS_BUT_DOCUMENT.map((c) => `l.${c}`).join(', ')}, d.document
  FROM ecms_letters l LEFT JOIN ecms_documents d ON d.journal_id = l.journal_id`;
const SELECT_LETTER_BUT_DOCUMENT = `SELECT ${LETTER_COLUMNS_BUT_DOCUMENT.join(', ')} FROM ecms_letters l`;

/** A unique index on the outbound natural key or the idempotency key refused the insert. */
function isDuplicateLetter(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    /ecms_letters\.(outbound_key|idempotency_key|book_key)/.test(err.message)
  );
}

function toDb(key: keyof LetterPatch, value: unknown): unknown {
  if (value === undefined) return null;
  if (key === 'dispatched') return value ? 1 : 0;
  return value;
}

/**
 * The journal in an embedded SQLite database (better-sqlite3, WAL). Every method is one transaction, so
 * a letter, its evidence and its processed ProcessID commit together or not at all.
 */
export class SqliteLetterStore implements LetterStore {
  readonly #db: Database.Database;

  constructor(options: SqliteLetterStoreOptions) {
    try {
      // A journal path in a directory that does not exist yet (first run): create it, as `mkdir -p`.
      if (options.filename !== ':memory:' && !options.filename.startsWith('file:') && options.filename !== '')
        mkdirSync(dirname(options.filename), { recursive: true });
      this.#db = new Database(options.filename);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(SCHEMA);
      migrate(this.#db);
    } catch (cause) {
      throw ecmsError('ERR_ECMS_STORE', 'Could not open the SQLite letter store', {
        cause,
        hint: 'The store creates the file and its missing directories; check that the process may write there.',
      });
    }
  }

  /**
   * What a change decides on (state, registration number) and its fence check, in one read that leaves out
   * the document, which may be megabytes. Inside a transaction.
   */
  #head(
    journalId: string,
    fence: LeaseFence | undefined,
  ): { state: LetterState; registrationNumber?: number } {
    const row = this.#db
      .prepare('SELECT state, registration_number, lease_token FROM ecms_letters WHERE journal_id = ?')
      .get(journalId) as
      | { state: LetterState; registration_number: number | null; lease_token: number | null }
      | undefined;
    if (!row) throw letterNotFound();
    if (fence && row.lease_token !== fence.token) throw leaseLost();
    return row.registration_number === null
      ? { state: row.state }
      : { state: row.state, registrationNumber: row.registration_number };
  }

  #take(journalId: string, owner: string, leaseInMs: number, now: number): LetterLease | undefined {
    const row = this.#db
      .prepare('SELECT lease_owner, lease_expires_at FROM ecms_letters WHERE journal_id = ?')
      .get(journalId) as { lease_owner: string | null; lease_expires_at: number | null } | undefined;
    if (!row) throw letterNotFound();
    if (row.lease_owner !== null && row.lease_owner !== owner && (row.lease_expires_at ?? 0) > now)
      return undefined;
    const token = Number(
      this.#db.prepare('INSERT INTO ecms_lease_tokens DEFAULT VALUES').run().lastInsertRowid,
    );
    const expiresAt = now + leaseInMs;
    this.#db
      .prepare(
        'UPDATE ecms_letters SET lease_owner = ?, lease_token = ?, lease_expires_at = ? WHERE journal_id = ?',
      )
      .run(owner, token, expiresAt, journalId);
    return { journalId, owner, token, expiresAt: new Date(expiresAt) };
  }

  async claim(input: ClaimInput): Promise<LetterLease[]> {
    if (input.states.length === 0) return [];
    const waiting = notWaiting(input.waiting);
    return this.#tx(() => {
      const now = Date.now();
      const rows = this.#db
        .prepare(
          `SELECT journal_id FROM ecms_letters WHERE direction = ? AND state IN (${input.states.map(() => '?').join(',')})
           AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at <= ?)${waiting.sql}
           ORDER BY lease_token IS NOT NULL, lease_token, created_at, rowid LIMIT ?`,
        )
        .all(input.direction, ...input.states, input.owner, now, ...waiting.params, input.limit) as {
        journal_id: string;
      }[];
      return rows
        .map((r) => this.#take(r.journal_id, input.owner, input.leaseInMs, now))
        .filter((l): l is LetterLease => l !== undefined);
    });
  }

  async claimOne(journalId: string, owner: string, leaseInMs: number): Promise<LetterLease | undefined> {
    return this.#tx(() => this.#take(journalId, owner, leaseInMs, Date.now()));
  }

  async release(lease: LetterLease): Promise<void> {
    this.#tx(() => {
      this.#db
        .prepare(
          'UPDATE ecms_letters SET lease_owner = NULL, lease_expires_at = NULL WHERE journal_id = ? AND lease_token = ?',
        )
        .run(lease.journalId, lease.token);
    });
  }

  #assertOpen(): void {
    if (!this.#db.open) throw ecmsError('ERR_ECMS_STORE', 'The letter store is closed');
  }

  #tx<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      if (
        err instanceof Error &&
        'code' in err &&
        String((err as { code: unknown }).code).startsWith('ERR_ECMS')
      )
        throw err;
      if (isDuplicateLetter(err))
        throw ecmsError(
          'ERR_ECMS_DUPLICATE',
          'This letter (natural key or idempotency key) is already in the journal',
        );
      throw ecmsError('ERR_ECMS_STORE', 'SQLite letter store operation failed', { cause: err });
    }
  }

  #addEvidence(journalId: string | undefined, list: Omit<EvidenceRecord, 'journalId'>[] | undefined): void {
    if (!list?.length) return;
    const stmt = this.#db.prepare(
      'INSERT INTO ecms_evidence (journal_id, process_id, operation, direction, xml, sha256, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of list) {
      stmt.run(
        journalId ?? null,
        e.processId ?? null,
        e.operation,
        e.direction,
        Buffer.from(e.xml),
        e.sha256,
        e.at.getTime(),
      );
    }
  }

  #markProcessed(processId: string | undefined, journalId: string | undefined): void {
    if (!processId) return;
    this.#db
      .prepare('INSERT OR IGNORE INTO ecms_processed (process_id, journal_id, at) VALUES (?, ?, ?)')
      .run(processId, journalId ?? null, Date.now());
  }

  #get(journalId: string, withDocument = true): LetterRecord | undefined {
    const select = withDocument ? SELECT_LETTER : SELECT_LETTER_BUT_DOCUMENT;
    const row = this.#db.prepare(`${select} WHERE l.journal_id = ?`).get(journalId) as Row | undefined;
    return row ? letterFromRow(row, SQLITE_ROWS) : undefined;
  }

  /** Sets (or, with none, removes) a letter's document. */
  #putDocument(journalId: string, document: Uint8Array | undefined): void {
    if (document)
      this.#db
        .prepare('INSERT OR REPLACE INTO ecms_documents (journal_id, document) VALUES (?, ?)')
        .run(journalId, Buffer.from(document));
    else this.#db.prepare('DELETE FROM ecms_documents WHERE journal_id = ?').run(journalId);
  }

  async insert(
    record: LetterRecord,
    extra: { evidence?: Omit<EvidenceRecord, 'journalId'>[]; processedId?: string } = {},
  ): Promise<void> {
    // better-sqlite3 would write U+FFFD for a lone surrogate: refused or made storable as on PostgreSQL.
    const r = storableLetter(record, extra);
    this.#tx(() => {
      if (
        extra.processedId &&
        this.#db.prepare('SELECT 1 FROM ecms_processed WHERE process_id = ?').get(extra.processedId) !==
          undefined
      )
        throw ecmsError('ERR_ECMS_DUPLICATE', 'The queue item was already recorded');
      this.#db
        .prepare(
          `INSERT INTO ecms_letters (journal_id, direction, state, letter_id, correspondence_date, subject,
            sender_department_id, receiver_department_id, process_id, accept_id, accept_date, register,
            registration_year, registration_number, send_count, dispatched, signature_status,
            signature_evidence, last_error, idempotency_key, outbound_key, recover_failures, created_at, updated_at,
            book_key)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
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
          r.sendCount,
          r.dispatched ? 1 : 0,
          r.signatureStatus ?? null,
          r.signature ? JSON.stringify(r.signature) : null,
          r.lastError ?? null,
          r.idempotencyKey ?? null,
          outboundKey(r) ?? null,
          r.recoverFailures,
          r.createdAt.getTime(),
          r.updatedAt.getTime(),
          bookNumberKey(r.letterId),
        );
      if (r.document) this.#putDocument(r.journalId, r.document);
      this.#addEvidence(r.journalId, extra.evidence);
      this.#markProcessed(extra.processedId, r.journalId);
    });
  }

  #patch(journalId: string, patch: LetterPatch, state?: LetterState): void {
    const sets: string[] = ['updated_at = ?'];
    const values: unknown[] = [Date.now()];
    if (state) {
      sets.push('state = ?');
      values.push(state);
    }
    for (const [k, v] of Object.entries(patch) as [keyof LetterPatch, unknown][]) {
      const col = PATCH_COLUMNS[k];
      if (!col) continue;
      if (k === 'document') {
        this.#putDocument(journalId, v as Uint8Array | undefined);
        continue;
      }
      sets.push(`${col} = ?`);
      values.push(toDb(k, v));
    }
    this.#db
      .prepare(`UPDATE ecms_letters SET ${sets.join(', ')} WHERE journal_id = ?`)
      .run(...values, journalId);
  }

  async transition(change: TransitionInput): Promise<LetterRecord | undefined> {
    const input = storableTransition(change);
    return this.#tx(() => {
      const cur = this.#head(input.journalId, input.fence);
      if (!input.from.includes(cur.state)) return undefined;
      this.#patch(input.journalId, input.patch ?? {}, input.to);
      this.#db
        .prepare(
          'INSERT INTO ecms_transitions (journal_id, from_state, to_state, at, note) VALUES (?, ?, ?, ?, ?)',
        )
        .run(input.journalId, cur.state, input.to, Date.now(), input.note ?? null);
      this.#addEvidence(input.journalId, input.evidence);
      this.#markProcessed(input.processedId, input.journalId);
      return this.#get(input.journalId, input.withDocument !== false);
    });
  }

  async update(journalId: string, patch: LetterPatch, options: { fence?: LeaseFence } = {}): Promise<void> {
    const storable = storablePatch(patch);
    this.#tx(() => {
      this.#head(journalId, options.fence);
      this.#patch(journalId, storable);
    });
  }

  async get(journalId: string): Promise<LetterRecord | undefined> {
    this.#assertOpen();
    return this.#get(journalId);
  }

  async findByProcessId(processId: string): Promise<LetterRecord | undefined> {
    this.#assertOpen();
    if (!isStorableText(processId)) return undefined;
    const row = this.#db
      .prepare(`${SELECT_LETTER} WHERE l.process_id = ? ORDER BY l.created_at DESC LIMIT 1`)
      .get(processId) as Row | undefined;
    return row ? letterFromRow(row, SQLITE_ROWS) : undefined;
  }

  async findByNaturalKey(q: NaturalKeyQuery): Promise<LetterRecord[]> {
    this.#assertOpen();
    if (![q.letterId, q.correspondenceDate, q.counterpartDepartmentId].every(isStorableText)) return [];
    const col = q.direction === 'outbound' ? 'receiver_department_id' : 'sender_department_id';
    return (
      this.#db
        .prepare(
          `${SELECT_LETTER} WHERE l.direction = ? AND l.book_key = ? AND l.correspondence_date = ? AND l.${col} = ?
           ORDER BY l.created_at, l.rowid`,
        )
        .all(q.direction, bookNumberKey(q.letterId), q.correspondenceDate, q.counterpartDepartmentId) as Row[]
    ).map((r) => letterFromRow(r, SQLITE_ROWS));
  }

  async findByBookNumber(direction: Direction, letterId: string): Promise<LetterRecord[]> {
    this.#assertOpen();
    if (!isStorableText(letterId)) return [];
    return (
      this.#db
        .prepare(`${SELECT_LETTER} WHERE l.direction = ? AND l.book_key = ? ORDER BY l.created_at, l.rowid`)
        .all(direction, bookNumberKey(letterId)) as Row[]
    ).map((r) => letterFromRow(r, SQLITE_ROWS));
  }

  async list(
    filter: { direction?: Direction; states?: readonly LetterState[] } = {},
  ): Promise<LetterRecord[]> {
    this.#assertOpen();
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.direction) {
      where.push('l.direction = ?');
      values.push(filter.direction);
    }
    if (filter.states) {
      if (filter.states.length === 0) return [];
      where.push(`l.state IN (${filter.states.map(() => '?').join(',')})`);
      values.push(...filter.states);
    }
    const sql = `${SELECT_LETTER} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.created_at, l.rowid`;
    return (this.#db.prepare(sql).all(...values) as Row[]).map((r) => letterFromRow(r, SQLITE_ROWS));
  }

  async addEvidence(e: EvidenceRecord): Promise<void> {
    this.#tx(() => this.#addEvidence(e.journalId, [e]));
  }

  async evidence(journalId: string): Promise<EvidenceRecord[]> {
    this.#assertOpen();
    return (
      this.#db.prepare('SELECT * FROM ecms_evidence WHERE journal_id = ? ORDER BY id').all(journalId) as Row[]
    ).map((r) => evidenceFromRow(r, SQLITE_ROWS));
  }

  async transitions(journalId: string): Promise<TransitionRecord[]> {
    this.#assertOpen();
    return (
      this.#db
        .prepare('SELECT * FROM ecms_transitions WHERE journal_id = ? ORDER BY id')
        .all(journalId) as Row[]
    ).map((r) => transitionFromRow(r, SQLITE_ROWS));
  }

  async quarantine(item: QuarantinedItem): Promise<void> {
    const q = storableQuarantine(item);
    this.#tx(() => {
      this.#db
        .prepare(
          `INSERT INTO ecms_quarantine (id, process_id, operation, element, xml, sha256, at, error, signature,
            letter_key, notified, settled, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
          q.id,
          q.processId,
          q.operation,
          q.element ?? null,
          Buffer.from(q.xml),
          q.sha256,
          q.at.getTime(),
          JSON.stringify(q.error),
          q.signature ? JSON.stringify(q.signature) : null,
          q.letterKey ? JSON.stringify(q.letterKey) : null,
          q.notified ? 1 : 0,
          q.settled ? 1 : 0,
          q.note ?? null,
        );
      this.#markProcessed(item.processId, undefined);
    });
  }

  async quarantined(filter: { settled?: boolean } = {}): Promise<QuarantinedItem[]> {
    const rows =
      filter.settled === undefined
        ? this.#db.prepare('SELECT * FROM ecms_quarantine ORDER BY at, rowid').all()
        : this.#db
            .prepare('SELECT * FROM ecms_quarantine WHERE settled = ? ORDER BY at, rowid')
            .all(filter.settled ? 1 : 0);
    return (rows as Row[]).map((r) => quarantineFromRow(r, SQLITE_ROWS));
  }

  async updateQuarantined(id: string, patch: QuarantinePatch): Promise<void> {
    this.#tx(() => {
      const cur = this.#db.prepare('SELECT * FROM ecms_quarantine WHERE id = ?').get(id) as Row | undefined;
      if (!cur) throw quarantinedNotFound();
      const next = { ...quarantineFromRow(cur, SQLITE_ROWS), ...storableQuarantinePatch(patch) };
      this.#db
        .prepare('UPDATE ecms_quarantine SET notified = ?, settled = ?, note = ? WHERE id = ?')
        .run(next.notified ? 1 : 0, next.settled ? 1 : 0, next.note ?? null, id);
    });
  }

  async markProcessed(processId: string, journalId?: string): Promise<void> {
    checkProcessKey(processId);
    this.#tx(() => this.#markProcessed(processId, journalId));
  }

  async isProcessed(processId: string): Promise<boolean> {
    this.#assertOpen();
    if (!isProcessKey(processId)) return false;
    return this.#db.prepare('SELECT 1 FROM ecms_processed WHERE process_id = ?').get(processId) !== undefined;
  }

  async allocateRegistrationNumber(input: {
    journalId: string;
    register: string;
    year: number;
    renew?: boolean;
    fence?: LeaseFence;
  }): Promise<number> {
    return this.#tx(() => {
      const cur = this.#head(input.journalId, input.fence);
      if (cur.registrationNumber !== undefined && !input.renew) return cur.registrationNumber;
      this.#db
        .prepare(
          `INSERT INTO ecms_registration_counters (register, year, last_number) VALUES (?, ?, 1)
           ON CONFLICT (register, year) DO UPDATE SET last_number = last_number + 1`,
        )
        .run(input.register, input.year);
      const n = (
        this.#db
          .prepare('SELECT last_number FROM ecms_registration_counters WHERE register = ? AND year = ?')
          .get(input.register, input.year) as { last_number: number }
      ).last_number;
      this.#db
        .prepare(
          'UPDATE ecms_letters SET register = ?, registration_year = ?, registration_number = ?, updated_at = ? WHERE journal_id = ?',
        )
        .run(input.register, input.year, n, Date.now(), input.journalId);
      return n;
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/** The condition that leaves out letters waiting for the agency (`WaitingLetters`), and its parameters. */
function notWaiting(waiting: WaitingLetters | undefined): { sql: string; params: (string | number)[] } {
  if (!waiting) return { sql: '', params: [] };
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');
  return {
    sql: `
           AND NOT (state IN (${marks(WAITING_STATES.length)}) AND (dispatched = 1 OR ? = 0)
             AND (receiver_department_id NOT IN (${marks(waiting.departments.length)})
               OR substr(coalesce(signature_status, ''), 1, 6) = 'failed' OR (state = 'dequeued' AND ? = 0)))`,
    params: [
      ...WAITING_STATES,
      waiting.dispatch ? 1 : 0,
      ...waiting.departments,
      waiting.acknowledges ? 1 : 0,
    ],
  };
}
