import { invalidArgument, ThGovError } from '../errors.js';
import { z } from '../lazy-zod.js';
import { validateOptions } from '../validate.js';

/** The part of a `pg` query result the stores read. */
export interface PgQueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number | null;
}

/** A checked-out connection (`pg.PoolClient`); typed here so the public types need no `@types/pg`. */
export interface PgClientLike {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgQueryResult<R>>;
  /** Pass an error (or true) to destroy a connection that must not be reused. */
  release(destroy?: Error | boolean): void;
  /**
   * A connection lost while no query runs is reported here (`pg.Client` is an EventEmitter); the pool stops
   * listening while the client is checked out, so whoever holds it must.
   */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  off?(event: 'error', listener: (err: Error) => void): unknown;
}

/** A connection pool (`pg.Pool`): what the PostgreSQL stores accept instead of a URL. */
export interface PgPoolLike {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgQueryResult<R>>;
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
}

/**
 * How a PostgreSQL store reaches its database: a URL (the store owns a pool and closes it) or a pool the
 * application owns (shared by several stores; `close()` leaves it open).
 */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:5432/db`; give this or `pool`. The password is never logged. */
  connectionString?: string;
  /** An existing `pg.Pool`. */
  pool?: PgPoolLike;
  /** Schema holding the tables (created by `migrate()`); letters, digits and `_`. Default `thgov`. */
  schema?: string;
  /**
   * Connections in the store's own pool. Default 5. Count replicas × stores × poolSize against the
   * server's `max_connections` (or the pooler's limit); see docs/guides/deployment.md.
   */
  poolSize?: number;
  /** Server-side `statement_timeout` of every statement. Default 15 000. */
  statementTimeoutInMs?: number;
  /** Time to open a connection. Default 10 000. */
  connectTimeoutInMs?: number;
  /** `application_name` shown in `pg_stat_activity`. Default `thgov`. */
  applicationName?: string;
}

/** The zod shape of `PostgresConnectionOptions`, for stores built on `@thgov/core/postgres`. */
export const postgresConnectionShape = {
  connectionString: z.string().min(1).optional(),
  pool: z
    .custom<PgPoolLike>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as PgPoolLike).query === 'function' &&
        typeof (v as PgPoolLike).connect === 'function',
      { message: 'must be a pg.Pool' },
    )
    .optional(),
  schema: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_]{0,62}$/,
      'must be 1–63 lower-case letters, digits or _, not starting with a digit',
    )
    .optional(),
  poolSize: z.number().int().min(1).max(200).optional(),
  statementTimeoutInMs: z.number().int().min(100).max(3_600_000).optional(),
  connectTimeoutInMs: z.number().int().min(100).max(600_000).optional(),
  applicationName: z.string().max(63).optional(),
};

const connectionSchema = z.object(postgresConnectionShape).strict();

/** Double-quoted identifier; the schema name was validated against a narrow alphabet already. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw invalidArgument('Invalid PostgreSQL identifier');
  return `"${name}"`;
}

interface PgModule {
  Pool: new (
    config: Record<string, unknown>,
  ) => PgPoolLike & {
    on(event: 'error', listener: (err: Error) => void): unknown;
  };
}

let pgModule: Promise<PgModule> | undefined;

/** Imports the optional peer `pg` on first use; a clear error when it is not installed. */
export function loadPg(): Promise<PgModule> {
  pgModule ??= import('pg')
    .then((m) => ((m as { default?: PgModule }).default ?? m) as PgModule)
    .catch((cause: unknown) => {
      pgModule = undefined;
      throw new ThGovError(
        'ERR_POSTGRES_DRIVER',
        "The PostgreSQL store needs the 'pg' package, which is not installed",
        { cause, hint: 'npm install pg (version 8) next to @thgov/*.' },
      );
    });
  return pgModule;
}

/** A pool plus whether the store owns it (and so ends it on close). */
export interface ResolvedConnection {
  pool: PgPoolLike;
  owned: boolean;
  schema: string;
}

/**
 * Validates connection options and opens the pool lazily (so a constructor stays synchronous and
 * `pg` is imported only when a store is used).
 */
export function connectionResolver(
  options: PostgresConnectionOptions,
  label: string,
): { schema: string; resolve(): Promise<ResolvedConnection> } {
  const o = validateOptions(connectionSchema, pickConnection(options), label);
  if ((o.connectionString === undefined) === (o.pool === undefined))
    throw invalidArgument(`${label}: give exactly one of connectionString or pool`);
  const schema = o.schema ?? 'thgov';
  let resolved: Promise<ResolvedConnection> | undefined;
  return {
    schema,
    resolve() {
      resolved ??= (async () => {
        if (o.pool) return { pool: o.pool, owned: false, schema };
        const pg = await loadPg();
        const pool = new pg.Pool({
          connectionString: o.connectionString,
          max: o.poolSize ?? 5,
          statement_timeout: o.statementTimeoutInMs ?? 15_000,
          // A transaction left open by a paused process must not hold row locks for ever.
          idle_in_transaction_session_timeout: Math.max(60_000, (o.statementTimeoutInMs ?? 15_000) * 4),
          connectionTimeoutMillis: o.connectTimeoutInMs ?? 10_000,
          application_name: o.applicationName ?? 'thgov',
        });
        // An idle connection cut by the server (restart, admin shutdown) is reported here; without a
        // listener it would crash the process. The pool drops it and opens a new one on the next query.
        pool.on('error', () => undefined);
        return { pool, owned: true, schema };
      })();
      return resolved;
    },
  };
}

/** The connection keys of a store's options (the store validates its own keys separately). */
export function pickConnection(options: PostgresConnectionOptions): PostgresConnectionOptions {
  if (typeof options !== 'object' || options === null) return options;
  const keys = Object.keys(postgresConnectionShape) as (keyof PostgresConnectionOptions)[];
  return Object.fromEntries(keys.filter((k) => k in options).map((k) => [k, options[k]]));
}
