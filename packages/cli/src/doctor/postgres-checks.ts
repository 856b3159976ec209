import type { PostgresMigration, ResolvedConnection } from '@thgov/core/postgres';
import type { PostgresStoreConfig } from '../config/schema.js';
import type { Platform } from './report.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';

export interface PostgresStoreCheck {
  platform: Platform;
  /** Check id prefix, e.g. `ecms.store`. */
  prefix: string;
  /** What the database holds, for titles: "e-CMS journal". */
  label: string;
  /** The configuration key, for fixes: "ecms.store.postgres". */
  key: string;
  db: PostgresStoreConfig;
  component: 'ecms' | 'audit' | 'digital-id';
  migrations: () => Promise<readonly PostgresMigration[]>;
  /** The table every replica writes (checked for INSERT, UPDATE and DELETE rights). */
  table: string;
}

/** Where the URL points, without user or password. */
function target(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

type Pool = ResolvedConnection['pool'];

/**
 * Three checks of a PostgreSQL store that several replicas share: reachable (and which server), migrated
 * to the version this release needs, writable (not a read-only standby, and the role may change the table).
 */
export async function checkPostgresStore(r: CheckRunner, c: PostgresStoreCheck): Promise<void> {
  const pg = await import('@thgov/core/postgres');
  const schema = c.db.schema ?? 'thgov';
  const conn = await pg
    .connectionResolver({ connectionString: c.db.url, schema, poolSize: 1, connectTimeoutInMs: 5_000 }, c.key)
    .resolve();
  const spec = (check: string, title: string, requires?: string) => ({
    id: `${c.prefix}.${check}`,
    platform: c.platform,
    title: `${c.label}: ${title}`,
    ...(requires ? { requires: [`${c.prefix}.${requires}`] } : {}),
  });
  try {
    await r.run(spec('reachable', 'PostgreSQL reachable'), () => reachable(conn.pool, c));
    await r.run(spec('migrated', 'tables migrated', 'reachable'), () => migrated(conn.pool, c, schema));
    await r.run(spec('writable', 'writable by this role', 'migrated'), () => writable(conn.pool, c, schema));
  } finally {
    if (conn.owned) await conn.pool.end().catch(() => undefined);
  }
}

async function reachable(pool: Pool, c: PostgresStoreCheck): Promise<Outcome> {
  const where = target(c.db.url);
  let version: string | undefined;
  try {
    version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new CheckFailure(
      `cannot open a session on ${where}${typeof code === 'string' ? ` (${code})` : ''}`,
      {
        cause:
          code === '28P01' || code === '28000'
            ? 'The server refused the user or password.'
            : 'The server is down, the host or port is wrong, a firewall blocks it, or the database does not exist.',
        fix: `Check ${c.key}.url (password from the environment, e.g. \${THGOV_PG_PASSWORD}) and that this host may connect.`,
        ...(typeof code === 'string' ? { errorCode: code } : {}),
      },
    );
  }
  return { message: `PostgreSQL ${version ?? '?'} at ${where}`, data: { server: where } };
}

async function migrated(pool: Pool, c: PostgresStoreCheck, schema: string): Promise<Outcome> {
  const pg = await import('@thgov/core/postgres');
  const s = await pg.migrationStatus(pool, schema, c.component, await c.migrations());
  const data = { current: s.current, latest: s.latest };
  if (s.current < s.latest)
    throw new CheckFailure(`schema ${schema} is at version ${s.current}, this release needs ${s.latest}`, {
      cause: 'The tables were never created, or a newer release was installed without migrating.',
      fix: `Run: thgov ${c.component} migrate --postgres URL${schema === 'thgov' ? '' : ` --schema ${schema}`}`,
      errorCode: 'ERR_POSTGRES_SCHEMA',
      data,
    });
  if (s.current > s.latest)
    throw new CheckFailure(
      `schema ${schema} is at version ${s.current}, newer than this release (${s.latest})`,
      {
        cause: 'Another replica runs a newer release and migrated the tables.',
        fix: 'Upgrade this replica to the release the others run.',
        errorCode: 'ERR_POSTGRES_SCHEMA',
        data,
      },
    );
  return { message: `schema ${schema} at version ${s.current}`, data };
}

async function writable(pool: Pool, c: PostgresStoreCheck, schema: string): Promise<Outcome> {
  const { rows } = await pool.query<{ standby: boolean; ro: string; write: boolean }>(
    `SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS ro,
            has_table_privilege($1, 'INSERT, UPDATE, DELETE') AS write`,
    [`${schema}.${c.table}`],
  );
  const row = rows[0];
  if (!row || row.standby || row.ro === 'on')
    throw new CheckFailure(`${target(c.db.url)} accepts no writes (a read-only standby or session)`, {
      cause: 'The URL points at a replica or a read-only pooler endpoint.',
      fix: `Point ${c.key}.url at the primary (read-write) endpoint.`,
    });
  if (!row.write)
    throw new CheckFailure(`the role may not change ${schema}.${c.table}`, {
      cause: 'The database role lacks INSERT, UPDATE or DELETE on the table.',
      fix: `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO the service role (and USAGE on its sequences).`,
    });
  return { message: `read-write primary; the role may write ${schema}.${c.table}` };
}
