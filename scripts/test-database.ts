/**
 * For test files of packages run with `packageTestConfig({ postgres: true })`: a database of their own on
 * the run's PostgreSQL, dropped after the file.
 */
import { afterAll, inject } from 'vitest';
import { createDatabaseOn, type TestDatabase } from './test-postgres.js';
import './vitest-postgres-setup.js';

export type { TestDatabase } from './test-postgres.js';

/** The run's server (superuser URL): for tests that need to act as the operator (terminate, restart). */
export function testPostgresAdminUrl(): string {
  const url = inject('thgovPostgresUrl');
  if (!url) throw new Error('no PostgreSQL for this run: use packageTestConfig({ postgres: true })');
  return url;
}

/** A new, empty database for the calling test file; dropped in afterAll. */
export async function testDatabase(prefix = 'thgov_test'): Promise<TestDatabase> {
  const db = await createDatabaseOn(testPostgresAdminUrl(), prefix);
  afterAll(() => db.drop());
  return db;
}
