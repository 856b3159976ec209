import { createHash } from 'node:crypto';
import {
  connectionResolver,
  type PostgresConnectionOptions,
  type PostgresMigration,
  quoteIdent,
  runMigrations,
} from '@thgov/core/postgres';
import type { SessionEntry, SessionStore } from './session.js';

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

/**
 * Sessions shared by every instance of the app, in PostgreSQL. The session holds the provider's tokens:
 * restrict the table to the app's database role, and encrypt the column where policy asks for it.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #connection: ReturnType<typeof connectionResolver>;
  #lastSweep = 0;

  constructor(options: PostgresConnectionOptions) {
    this.#connection = connectionResolver(options, 'PostgresSessionStore options');
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

  async get(id: string): Promise<SessionEntry | undefined> {
    const rows = await this.#query<{ data: SessionEntry['data']; expires_at: Date }>(
      (s) => `SELECT data, expires_at FROM ${s}.app_sessions WHERE id_hash = $1 AND expires_at > now()`,
      [keyOf(id)],
    );
    const row = rows[0];
    return row ? { data: row.data, expiresAt: row.expires_at.getTime() } : undefined;
  }

  async set(id: string, entry: SessionEntry): Promise<void> {
    if (Date.now() - this.#lastSweep > 60_000) {
      this.#lastSweep = Date.now();
      await this.#query((s) => `DELETE FROM ${s}.app_sessions WHERE expires_at <= now()`, []);
    }
    await this.#query(
      (
        s,
      ) => `INSERT INTO ${s}.app_sessions (id_hash, data, expires_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
       ON CONFLICT (id_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [keyOf(id), JSON.stringify(entry.data), entry.expiresAt],
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
