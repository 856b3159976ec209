import { ThGovError } from '../errors.js';
import { type PgClientLike, type PgPoolLike, quoteIdent } from './driver.js';
import { withTransaction } from './transaction.js';
import { postgresError } from './transient.js';

/** One step of a component's schema; `sql` receives the quoted schema name. Versions start at 1. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/** Where a component's schema stands. */
export interface MigrationStatus {
  component: string;
  schema: string;
  /** Highest version applied (0 = none). */
  current: number;
  /** Highest version this code knows. */
  latest: number;
}

const ledger = (s: string) => `${s}.thgov_migrations`;

async function currentVersion(client: PgClientLike | PgPoolLike, schema: string, component: string) {
  const exists = await client.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `${schema}.thgov_migrations`,
  ]);
  if (!exists.rows[0]?.ok) return 0;
  const r = await client.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${ledger(quoteIdent(schema))} WHERE component = $1`,
    [component],
  );
  return Number(r.rows[0]?.v ?? 0);
}

/**
 * Applies the migrations of `component` newer than what the database has, in one transaction, under an
 * advisory lock, so replicas starting together migrate once. Returns the versions applied.
 */
export async function runMigrations(
  pool: PgPoolLike,
  schemaName: string,
  component: string,
  migrations: readonly PostgresMigration[],
): Promise<number[]> {
  const schema = quoteIdent(schemaName);
  return withTransaction(
    pool,
    async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`thgov-migrate:${schemaName}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${ledger(schema)} (
          component text NOT NULL, version integer NOT NULL, name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
      );
      const current = await currentVersion(client, schemaName, component);
      const latest = Math.max(0, ...migrations.map((m) => m.version));
      if (current > latest) throw newerSchema(component, schemaName, current, latest);
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (m.version <= current) continue;
        await client.query(m.sql(schema));
        await client.query(`INSERT INTO ${ledger(schema)} (component, version, name) VALUES ($1, $2, $3)`, [
          component,
          m.version,
          m.name,
        ]);
        applied.push(m.version);
      }
      return applied;
    },
    { what: `migrating the ${component} schema` },
  );
}

/** The component's schema version in the database against the one this code needs. */
export async function migrationStatus(
  pool: PgPoolLike,
  schemaName: string,
  component: string,
  migrations: readonly PostgresMigration[],
): Promise<MigrationStatus> {
  quoteIdent(schemaName);
  try {
    const current = await currentVersion(pool, schemaName, component);
    return {
      component,
      schema: schemaName,
      current,
      latest: Math.max(0, ...migrations.map((m) => m.version)),
    };
  } catch (err) {
    throw postgresError(`reading the ${component} schema version`, err);
  }
}

/** Throws ERR_POSTGRES_SCHEMA unless the database is at exactly the version this code needs. */
export async function assertMigrated(
  pool: PgPoolLike,
  schemaName: string,
  component: string,
  migrations: readonly PostgresMigration[],
  command: string,
): Promise<void> {
  const s = await migrationStatus(pool, schemaName, component, migrations);
  if (s.current > s.latest) throw newerSchema(component, schemaName, s.current, s.latest);
  if (s.current < s.latest) {
    throw new ThGovError(
      'ERR_POSTGRES_SCHEMA',
      `The ${component} tables in schema ${schemaName} are at version ${s.current}; this code needs ${s.latest}`,
      { hint: `Run ${command} (or the store's migrate()) once before starting the service.` },
    );
  }
}

function newerSchema(component: string, schema: string, current: number, latest: number): ThGovError {
  return new ThGovError(
    'ERR_POSTGRES_SCHEMA',
    `The ${component} tables in schema ${schema} are at version ${current}, newer than this code (${latest})`,
    {
      hint: 'A newer release migrated the database: upgrade this replica rather than running old code on it.',
    },
  );
}
