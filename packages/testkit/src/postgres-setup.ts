/**
 * vitest globalSetup of the packages whose suites need PostgreSQL (`packageTestConfig({ postgres: true })`):
 * one server for the whole run, its admin URL handed to every test file through `inject('thgovPostgresUrl')`.
 *
 * A server that cannot start (no binaries for this platform, an install whose scripts did not run) does not
 * fail the whole package: the URL stays empty, the reason goes to `inject('thgovPostgresUnavailable')`, and
 * the suites gated by `requirePostgres()` skip loudly, or fail under CI (see ./tools.ts).
 */
import type { TestProject } from 'vitest/node';
import { acquireTestPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    thgovPostgresUrl: string;
    thgovPostgresUnavailable: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const pg = await acquireTestPostgres();
    project.provide('thgovPostgresUrl', pg.url);
    project.provide('thgovPostgresUnavailable', '');
    // Child processes that tests spawn (workers in the chaos test, CLI runs) read the URL from here too.
    process.env.THGOV_TEST_PG_ADMIN_URL = pg.url;
    return () => pg.release();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    console.warn(
      `\n[thgov testkit] no test PostgreSQL, its suites are skipped (fail under CI):\n${reason}\n`,
    );
    project.provide('thgovPostgresUrl', '');
    project.provide('thgovPostgresUnavailable', reason.split('\n')[0] ?? reason);
    return async () => undefined;
  }
}
