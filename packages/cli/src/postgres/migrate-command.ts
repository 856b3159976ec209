import type { PostgresMigration } from '@thgov/core/postgres';
import { parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

/** The components whose tables `thgov <group> migrate` creates, and where their migrations come from. */
const COMPONENTS = {
  ecms: {
    label: 'e-CMS journal',
    load: async () => (await import('@thgov/ecms/postgres')).ECMS_MIGRATIONS,
  },
  audit: {
    label: 'audit chain',
    load: async () => (await import('@thgov/core/postgres')).AUDIT_MIGRATIONS,
  },
  'digital-id': {
    label: 'digital-ID login states',
    load: async () => (await import('@thgov/digital-id/postgres')).DIGITAL_ID_MIGRATIONS,
  },
} satisfies Record<string, { label: string; load: () => Promise<readonly PostgresMigration[]> }>;

export type MigrateComponent = keyof typeof COMPONENTS;

export function migrateUsage(component: MigrateComponent): string {
  return `Usage: thgov ${component} migrate --postgres URL [--schema NAME] [--status] [--json]

Creates or upgrades the PostgreSQL tables of the ${COMPONENTS[component].label} (versioned migrations, in one
transaction under an advisory lock: safe to run from several replicas at once). Run it once per release,
before the replicas start.

Options:
  --postgres URL   postgres://user@host:5432/database (the password may come from PGPASSWORD)
  --schema NAME    schema of the tables (default thgov)
  --status         only report the version in the database and the one this release needs
  --json           machine-readable output
  -h, --help       this help

Exit status: 0 when the tables are at this release's version, 1 when they are not (with --status) or
the database cannot be reached, 2 for usage errors.
`;
}

/** `thgov ecms|audit|digital-id migrate`: the schema steps of one component. */
export async function migrateCommand(
  component: MigrateComponent,
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      postgres: { type: 'string' },
      schema: { type: 'string' },
      status: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (values.help) {
    io.stdout.write(migrateUsage(component));
    return EXIT.OK;
  }
  if (!values.postgres) throw new UsageError('--postgres URL is required');
  const pg = await import('@thgov/core/postgres');
  const migrations = await COMPONENTS[component].load();
  // Options are validated by the store code (schema name alphabet, URL); errors never echo the URL.
  const c = await pg
    .connectionResolver(
      { connectionString: values.postgres, poolSize: 1, ...(values.schema ? { schema: values.schema } : {}) },
      '--postgres/--schema',
    )
    .resolve();
  try {
    const applied = values.status ? [] : await pg.runMigrations(c.pool, c.schema, component, migrations);
    const status = await pg.migrationStatus(c.pool, c.schema, component, migrations);
    const ok = status.current === status.latest;
    if (values.json) io.stdout.write(`${JSON.stringify({ ...status, applied, ok })}\n`);
    else
      io.stdout.write(
        `${ok ? '✓' : '✗'} ${COMPONENTS[component].label}: schema ${status.schema} at version ${status.current}` +
          ` (this release: ${status.latest})${applied.length ? `; applied ${applied.join(', ')}` : ''}\n`,
      );
    return ok ? EXIT.OK : EXIT.FAILED;
  } finally {
    if (c.owned) await c.pool.end().catch(() => undefined);
  }
}
