import { createHash, randomBytes } from 'node:crypto';
import {
  connectionResolver,
  type PostgresConnectionOptions,
  type PostgresMigration,
  quoteIdent,
  runMigrations,
} from '@thgov/core/postgres';
import type { SessionData, SharedSessionStore } from './session.js';

const MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'app sessions',
    sql: (s) => `
      CREATE TABLE ${s}.app_sessions (
        id_hash text PRIMARY KEY,
        data jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX app_sessions_expiry ON ${s}.app_sessions (expires_at);`,
  },
];

/** The session ID is a bearer value: rows are keyed by its SHA-256. */
const keyOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

export interface PostgresSessionStoreOptions extends PostgresConnectionOptions {
  /** Idle lifetime of a session (default 30 minutes); each use extends it. */
  ttlInMs?: number;
}

/**
 * Sessions shared by every instance of the app, in PostgreSQL, with the rules of `SessionStore`: random
 * 256-bit IDs, idle expiry extended on each use, expired rows swept now and then. The session holds the
 * provider's tokens: restrict the table to the app's database role, and encrypt the column where policy
 * asks for it.
 */
export class PostgresSessionStore implements SharedSessionStore<SessionData> {
  readonly ttlInMs: number;
  readonly #connection: ReturnType<typeof connectionResolver>;
  #lastSweep = 0;

  constructor(options: PostgresSessionStoreOptions) {
    const { ttlInMs, ...connection } = options;
    this.ttlInMs = ttlInMs ?? 30 * 60_000;
    this.#connection = connectionResolver(connection, 'PostgresSessionStore options');
  }

  async migrate(): Promise<void> {
    const c = await this.#connection.resolve();
    await runMigrations(c.pool, c.schema, 'example-sessions', MIGRATIONS);
  }

  async #query<R extends Record<string, unknown>>(
    text: (s: string) => string,
    values: unknown[],
  ): Promise<R[]> {
    const c = await this.#connection.resolve();
    return (await c.pool.query<R>(text(quoteIdent(c.schema)), values)).rows;
  }

  async create(data: SessionData): Promise<string> {
    if (Date.now() - this.#lastSweep > 60_000) {
      this.#lastSweep = Date.now();
      await this.#query((s) => `DELETE FROM ${s}.app_sessions WHERE expires_at <= now()`, []);
    }
    const id = randomBytes(32).toString('base64url');
    await this.#query(
      (s) => `INSERT INTO ${s}.app_sessions (id_hash, data, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')`,
      [keyOf(id), JSON.stringify(data), this.ttlInMs],
    );
    return id;
  }

  /** The session's data, or undefined when unknown or expired; a hit extends its lifetime. */
  async get(id: string): Promise<SessionData | undefined> {
    const rows = await this.#query<{ data: SessionData }>(
      (s) => `UPDATE ${s}.app_sessions SET expires_at = now() + $2 * interval '1 millisecond'
       WHERE id_hash = $1 AND expires_at > now() RETURNING data`,
      [keyOf(id), this.ttlInMs],
    );
    return rows[0]?.data;
  }

  async update(id: string, data: SessionData): Promise<void> {
    await this.#query(
      (s) => `UPDATE ${s}.app_sessions SET data = $2, expires_at = now() + $3 * interval '1 millisecond'
       WHERE id_hash = $1`,
      [keyOf(id), JSON.stringify(data), this.ttlInMs],
    );
  }

  async delete(id: string): Promise<void> {
    await this.#query((s) => `DELETE FROM ${s}.app_sessions WHERE id_hash = $1`, [keyOf(id)]);
  }

  async close(): Promise<void> {
    const c = await this.#connection.resolve().catch(() => undefined);
    if (c?.owned) await c.pool.end();
  }
}
