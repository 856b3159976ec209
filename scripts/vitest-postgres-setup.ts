/**
 * vitest globalSetup of the packages whose suites need PostgreSQL (`packageTestConfig({ postgres: true })`):
 * one server for the whole run, its admin URL handed to every test file through `inject('thgovPostgresUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { acquireTestPostgres } from './test-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    thgovPostgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await acquireTestPostgres();
  project.provide('thgovPostgresUrl', pg.url);
  // Child processes that tests spawn (workers in the chaos test, CLI runs) read the URL from here too.
  process.env.THGOV_TEST_PG_ADMIN_URL = pg.url;
  return () => pg.release();
}
