import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { validateOptions, z } from '@thgov/core/internal';
import {
  assertMigrated,
  connectionResolver,
  isTransientPostgresError,
  type PgClientLike,
  type PostgresConnectionOptions,
  type PostgresMigration,
  postgresConnectionShape,
  postgresError,
  quoteIdent,
  type ResolvedConnection,
  runMigrations,
  withTransaction,
} from '@thgov/core/postgres';
import { DigitalIdError } from './errors.js';
import {
  assertStateKey,
  isStateKey,
  type LoginState,
  type StateConsumeResult,
  type StateStore,
} from './state-store.js';

/**
 * Options of `PostgresStateStore`: the connection, how many logins may be pending, how long used states are
 * remembered, and migrations.
 */
export interface PostgresStateStoreOptions extends PostgresConnectionOptions {
  /**
   * Most logins pending at once in the table, counted across every replica that shares it. Past it a new
   * login is refused with `ERR_DIGITAL_ID_STATE_STORE_FULL` (retryable) and no pending login is dropped;
   * expired logins hold no place (they are pruned when the store is full). Default 50 000.
   */
  maxPending?: number;
  /** How long a consumed state is remembered to tell a replay from a forgery. Default 30 min. */
  tombstoneInMs?: number;
  /** Run the migrations on first use instead of requiring `migrate()` first. Default false. */
  migrate?: boolean;
}

const optionsSchema = z
  .object({
    ...postgresConnectionShape,
    maxPending: z.number().int().min(1).max(10_000_000).optional(),
    tombstoneInMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3_600_000)
      .optional(),
    migrate: z.boolean().optional(),
  })
  .strict();

/** Migrations of the `digital-id` component. Never edit a released step: add the next version. */
export const DIGITAL_ID_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'login states and consumed-state tombstones',
    sql: (s) => `
      CREATE TABLE ${s}.digital_id_states (
        state_hash text PRIMARY KEY,
        record jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX digital_id_states_expiry ON ${s}.digital_id_states (expires_at);
      CREATE TABLE ${s}.digital_id_consumed (
        state_hash text PRIMARY KEY,
        forget_at timestamptz NOT NULL
      );
      CREATE INDEX digital_id_consumed_forget ON ${s}.digital_id_consumed (forget_at);`,
  },
  {
    version: 2,
    name: 'consume receipts marked, pending logins indexed for the bound',
    // Rows a release before this one writes get the default: a receipt of theirs counts as pending until its
    // expiry (2 minutes at most, and only when tombstoneInMs is under 2 minutes).
    sql: (s) => `
      ALTER TABLE ${s}.digital_id_states ADD COLUMN receipt boolean NOT NULL DEFAULT false;
      CREATE INDEX digital_id_states_pending ON ${s}.digital_id_states (expires_at) WHERE NOT receipt;`,
  },
];

/**
 * The state is a bearer value: rows are keyed by its SHA-256, so a database reader cannot replay it. "State"
 * here is the key the client files a login under (`LoginState.state`): the callback's state behind the
 * client's public namespace, or the bare state for logins of earlier releases. Either way the callback's state
 * is the secret in it, which the row key hashes and the seal key below derives from.
 */
const keyOf = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');

/**
 * The `record` column (jsonb, unchanged since migration 1) holds a sealed login, never the login itself: the
 * state, the PKCE verifier, the nonce and the app data are AES-256-GCM ciphertext under a key derived from
 * the state (HKDF-SHA-256, a random salt per row), which the database never sees. A reader of the table, a
 * backup, a replica or the server log has the row key (the state's SHA-256) and cannot open it; a writer
 * cannot forge a row that opens. The row key is the additional authenticated data, so a row copied under
 * another key does not open either.
 */
interface SealedLogin {
  /** Format: 2. A record without `v` is a clear login written before sealing (read during an upgrade). */
  v: typeof SEALED_FORMAT;
  salt: string;
  iv: string;
  ct: string;
  tag: string;
}
const SEALED_FORMAT = 2;
const HKDF_INFO = 'thgov/digital-id login state v2';

function sealKey(state: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(state, 'utf8'), salt, HKDF_INFO, 32));
}

function seal(login: LoginState, rowKey: string): SealedLogin {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(login.state, salt), iv);
  cipher.setAAD(Buffer.from(rowKey, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
  const b64 = (b: Buffer) => b.toString('base64url');
  return { v: SEALED_FORMAT, salt: b64(salt), iv: b64(iv), ct: b64(ct), tag: b64(cipher.getAuthTag()) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The login sealed in a row, or undefined when it does not open (tampered, foreign, another format). */
function unseal(stored: Record<string, unknown>, state: string, rowKey: string): unknown {
  const { salt, iv, ct, tag } = stored;
  const parts = [salt, iv, ct, tag];
  if (!parts.every((p): p is string => typeof p === 'string' && BASE64URL.test(p))) return undefined;
  const [saltB, ivB, ctB, tagB] = parts.map((p) => Buffer.from(p, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  if (saltB.length !== 16 || ivB.length !== 12 || tagB.length !== 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(state, saltB), ivB, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(rowKey, 'utf8'));
    decipher.setAuthTag(tagB);
    return JSON.parse(Buffer.concat([decipher.update(ctB), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The login of a consumed row: a sealed one opened with the state, or a clear one from before sealing
 * (pending logins at the upgrade; states live minutes). Either must name the very state looked up, which a
 * writer who saw only its hash cannot put in; anything else reads as no login.
 */
function openRow(stored: unknown, state: string, rowKey: string): LoginState | undefined {
  if (!isObject(stored)) return undefined;
  let login: unknown = stored;
  if ('v' in stored) login = stored.v === SEALED_FORMAT ? unseal(stored, state, rowKey) : undefined;
  if (!isObject(login) || login.state !== state || typeof login.expiresAt !== 'number') return undefined;
  return login as unknown as LoginState;
}

/** Expired rows are swept at most this often (per store instance). */
const SWEEP_EVERY_IN_MS = 60_000;
/**
 * How long the receipt of a consume is kept for the retries of that consume (a sweep removes it after this;
 * its `expires_at` is set so that the sweep's tombstone margin ends then).
 */
const RECEIPT_IN_MS = 2 * 60_000;
/** Labels the random value a receipt key is the hash of (never the hash of a state the client makes). */
const RECEIPT_LABEL = 'thgov/digital-id consume receipt\u0000';
/** Default of `maxPending`: a national service's peak of logins under way, with rows of about 1 KiB. */
const DEFAULT_MAX_PENDING = 50_000;

/** The hint of `ERR_DIGITAL_ID_STATE_STORE_FULL` from this store. */
const STORE_FULL_HINT =
  'Answer "try again shortly" (HTTP 503, Retry-After from retryAfterInMs). Many logins were started and not finished: rate-limit login starts per client IP, or raise PostgresStateStore maxPending for a larger audience.';

/**
 * Login states in PostgreSQL, so a login started on one replica can be completed on another. `consume`
 * is one `DELETE … RETURNING` (one-time: of two concurrent callbacks with the same state exactly one gets
 * the record) that leaves a tombstone, so a replay reports `consumed`, not `unknown`. Expired states
 * and old tombstones are swept now and then. Rows hold the state's SHA-256 and the login sealed
 * (AES-256-GCM) under a key derived from the state: the table, its backups and the server log show neither
 * the state nor the PKCE verifier, the nonce or the app data. Rows written in clear by earlier releases are
 * still read, so logins pending at an upgrade complete.
 *
 * Import from `@thgov/digital-id/postgres`; needs the optional peer `pg`.
 *
 * @example
 * ```ts
 * import { DigitalIdClient } from '@thgov/digital-id';
 * import { PostgresStateStore } from '@thgov/digital-id/postgres';
 *
 * const stateStore = new PostgresStateStore({ connectionString: process.env.DATABASE_URL!, migrate: true });
 * const client = new DigitalIdClient({ provider: 'thaid', clientId, clientSecret, redirectUri, stateStore });
 * ```
 */
export class PostgresStateStore implements StateStore {
  readonly #connection: ReturnType<typeof connectionResolver>;
  readonly #tombstoneInMs: number;
  readonly #maxPending: number;
  readonly #autoMigrate: boolean;
  #ready: Promise<ResolvedConnection> | undefined;
  #lastSweep = 0;

  constructor(options: PostgresStateStoreOptions) {
    const o = validateOptions(optionsSchema, options, 'PostgresStateStore options');
    this.#connection = connectionResolver(options, 'PostgresStateStore options');
    this.#tombstoneInMs = o.tombstoneInMs ?? 30 * 60_000;
    this.#maxPending = o.maxPending ?? DEFAULT_MAX_PENDING;
    this.#autoMigrate = o.migrate ?? false;
  }

  /** Creates or upgrades the state tables (idempotent). */
  async migrate(): Promise<number[]> {
    const c = await this.#connection.resolve();
    return runMigrations(c.pool, c.schema, 'digital-id', DIGITAL_ID_MIGRATIONS);
  }

  #open(): Promise<ResolvedConnection> {
    this.#ready ??= (async () => {
      const c = await this.#connection.resolve();
      if (this.#autoMigrate) await runMigrations(c.pool, c.schema, 'digital-id', DIGITAL_ID_MIGRATIONS);
      else
        await assertMigrated(
          c.pool,
          c.schema,
          'digital-id',
          DIGITAL_ID_MIGRATIONS,
          'PostgresStateStore.migrate()',
        );
      return c;
    })();
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  /** Runs `work`, again through a lost connection or a restarting server (all the store's work is idempotent). */
  async #retrying<T>(what: string, work: (c: ResolvedConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work(await this.#open());
      } catch (err) {
        if (attempt >= 3 || !isTransientPostgresError(err)) throw postgresError(what, err);
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  /** One statement, retried through a lost connection (each statement is idempotent). */
  #query<R extends Record<string, unknown>>(what: string, text: (s: string) => string, values: unknown[]) {
    return this.#retrying(
      what,
      async (c) => (await c.pool.query<R>(text(quoteIdent(c.schema)), values)).rows,
    );
  }

  /**
   * Files a login, or refuses it when `maxPending` logins are pending (counted under a lock). A refusal prunes
   * the expired rows on the way: they hold no place, but a flood leaves many.
   */
  async save(record: LoginState): Promise<void> {
    assertStateKey(record?.state, 'PostgresStateStore');
    await this.#sweep();
    const key = keyOf(record.state);
    const sealed = JSON.stringify(seal(record, key));
    const what = 'saving a login state';
    const filed = await this.#retrying(what, (c) =>
      withTransaction(c.pool, (client) => this.#file(client, c.schema, [key, sealed, record.expiresAt]), {
        what,
        retries: 0,
      }),
    );
    if (filed.ok) return;
    // A place frees when any pending login completes, surely when the oldest expires: no later than that,
    // and capped as the provider's Retry-After is (30 s), since completions usually come first.
    const retryAfterInMs = Math.min(30_000, Math.max(1000, (filed.oldest ?? 0) - Date.now()));
    throw new DigitalIdError(
      'ERR_DIGITAL_ID_STATE_STORE_FULL',
      `The state store holds ${this.#maxPending} pending logins (maxPending): the login was not started`,
      { retryable: true, retryAfterInMs, hint: STORE_FULL_HINT },
    );
  }

  /**
   * The bound, atomic across replicas: a transaction-scoped advisory lock serialises the starts (never the
   * consumes), and the count runs in a statement begun after the lock is held, so it sees every login filed
   * before. Saving a pending key again replaces it and needs no new place.
   */
  async #file(
    client: PgClientLike,
    schema: string,
    values: [string, string, number],
  ): Promise<{ ok: boolean; oldest: number | null }> {
    const s = quoteIdent(schema);
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`thgov-digital-id-states:${schema}`]);
    const { rows } = await client.query<{ filed: number; oldest: number | null }>(
      `WITH pending AS (
         SELECT expires_at FROM ${s}.digital_id_states
          WHERE expires_at > now() AND NOT receipt AND state_hash <> $1 ORDER BY expires_at LIMIT $4),
       ins AS (
         INSERT INTO ${s}.digital_id_states (state_hash, record, expires_at)
         SELECT $1, $2, to_timestamp($3 / 1000.0) WHERE (SELECT count(*) FROM pending) < $4
         ON CONFLICT (state_hash) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at
         RETURNING 1)
       SELECT (SELECT count(*) FROM ins)::int AS filed,
              (SELECT extract(epoch FROM min(expires_at)) * 1000 FROM pending)::float8 AS oldest`,
      [...values, this.#maxPending],
    );
    const ok = rows[0]?.filed === 1;
    if (!ok)
      await client.query(`DELETE FROM ${s}.digital_id_states WHERE expires_at <= now() AND NOT receipt`);
    return { ok, oldest: rows[0]?.oldest ?? null };
  }

  /** Forgets a pending login without a tombstone (its push to the provider failed): its place is free at once. */
  async release(state: string): Promise<void> {
    if (!isStateKey(state)) return;
    await this.#query(
      'releasing a login state',
      (s) => `DELETE FROM ${s}.digital_id_states WHERE state_hash = $1 AND NOT receipt`,
      [keyOf(state)],
    );
  }

  async consume(state: string): Promise<StateConsumeResult> {
    if (!isStateKey(state)) return { status: 'unknown' };
    const key = keyOf(state);
    const taken = await this.#take(key);
    if (taken.length > 0) {
      // A row that does not open is burnt like any taken row; the callback reads as forged.
      const record = openRow(taken[0]?.record, state, key);
      if (!record) return { status: 'unknown' };
      return record.expiresAt <= Date.now() ? { status: 'expired' } : { status: 'ok', record };
    }
    const tomb = await this.#query(
      'reading a consumed login state',
      (s) => `SELECT 1 FROM ${s}.digital_id_consumed WHERE state_hash = $1 AND forget_at > now()`,
      [key],
    );
    return tomb.length > 0 ? { status: 'consumed' } : { status: 'unknown' };
  }

  /**
   * Takes the row of `key`: one statement that deletes it, leaves the tombstone and files the taken row again
   * under a receipt key only this call knows (random), and returns the taken row, or the receipt's. When the
   * connection is lost after the commit (the answer never arrives) the retry finds the row gone, and the
   * receipt tells this call's own consume from another's: it gets the login, a replay gets nothing (and reads
   * the tombstone). The receipt row is the sealed login as it was, unchanged (no schema change, and no other
   * consume reaches it: its key is the hash of no state); it is swept {@link RECEIPT_IN_MS} after the consume.
   */
  #take(key: string): Promise<Array<{ record: unknown }>> {
    const receipt = keyOf(`${RECEIPT_LABEL}${randomBytes(32).toString('base64url')}`);
    return this.#query<{ record: unknown }>(
      'consuming a login state',
      (s) => `WITH taken AS (DELETE FROM ${s}.digital_id_states WHERE state_hash = $1 RETURNING record),
         tomb AS (INSERT INTO ${s}.digital_id_consumed (state_hash, forget_at)
                  SELECT $1, now() + $2 * interval '1 millisecond' FROM taken
                  ON CONFLICT (state_hash) DO UPDATE SET forget_at = EXCLUDED.forget_at),
         receipt AS (INSERT INTO ${s}.digital_id_states (state_hash, record, expires_at, receipt)
                  SELECT $3, record, now() - $2 * interval '1 millisecond' + $4 * interval '1 millisecond', true
                  FROM taken ON CONFLICT (state_hash) DO NOTHING)
       SELECT record FROM taken
       UNION ALL SELECT record FROM ${s}.digital_id_states WHERE state_hash = $3`,
      [key, this.#tombstoneInMs, receipt, RECEIPT_IN_MS],
    );
  }

  /** Removes expired states (after the tombstone period, so a late callback still reads `consumed`). */
  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_EVERY_IN_MS) return;
    this.#lastSweep = now;
    await this.#query(
      'sweeping login states',
      (
        s,
      ) => `WITH a AS (DELETE FROM ${s}.digital_id_states WHERE expires_at < now() - $1 * interval '1 millisecond')
       DELETE FROM ${s}.digital_id_consumed WHERE forget_at < now()`,
      [this.#tombstoneInMs],
    );
  }

  /** Closes the pool when the store opened it. */
  async close(): Promise<void> {
    const c = await this.#connection.resolve().catch(() => undefined);
    if (c?.owned) await c.pool.end().catch(() => undefined);
  }
}
