// The three LetterStore implementations, as the contract suite and the exchange tests open them. Each
// `open()` gives a fresh, empty journal and a `twin()`: a second handle on the same journal, as a second
// replica (or a second process) would have. PostgreSQL: one database per test file, one schema per journal.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@thgov/core/postgres';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { type LetterStore, MemoryLetterStore } from '../../src/index.js';
import { PostgresLetterStore } from '../../src/postgres.js';
import { SqliteLetterStore } from '../../src/sqlite.js';
import { ECMS_MIGRATIONS } from '../../src/store/postgres-schema.js';

export interface OpenedStore {
  store: LetterStore;
  twin(): LetterStore;
}

export type StoreKind = [
  name: 'memory' | 'sqlite' | 'postgres' | 'postgres, prepared statements',
  open: () => Promise<OpenedStore>,
];

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let pgUrl: Promise<string> | undefined;
/** This file's database (created on first use). */
export function postgresUrl(): Promise<string> {
  pgUrl ??= testDatabase('ecms').then((db) => db.url);
  return pgUrl;
}

/** A PostgreSQL journal as an older release left it: a fresh schema migrated only up to `version`. */
export async function postgresJournalAtVersion(
  version: number,
): Promise<{ connectionString: string; schema: string; pool: pg.Pool }> {
  const connectionString = await postgresUrl();
  const schema = `m_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString, max: 2 });
  try {
    await runMigrations(
      pool,
      schema,
      'ecms',
      ECMS_MIGRATIONS.filter((m) => m.version <= version),
    );
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { connectionString, schema, pool };
}

export const STORE_KINDS: StoreKind[] = [
  [
    'memory',
    async () => {
      const store = new MemoryLetterStore();
      return { store, twin: () => store };
    },
  ],
  [
    'sqlite',
    async () => {
      dir ??= mkdtempSync(join(tmpdir(), 'thgov-ecms-store-'));
      const filename = join(dir, `${crypto.randomUUID()}.db`);
      return {
        store: new SqliteLetterStore({ filename, synchronous: 'NORMAL' }),
        twin: () => new SqliteLetterStore({ filename, synchronous: 'NORMAL' }),
      };
    },
  ],
  [
    'postgres',
    async () => {
      const connectionString = await postgresUrl();
      const schema = `j_${randomBytes(5).toString('hex')}`;
      const store = new PostgresLetterStore({ connectionString, schema, poolSize: 4 });
      await store.migrate();
      return { store, twin: () => new PostgresLetterStore({ connectionString, schema, poolSize: 4 }) };
    },
  ],
  [
    'postgres, prepared statements',
    async () => {
      const connectionString = await postgresUrl();
      const schema = `j_${randomBytes(5).toString('hex')}`;
      const options = { connectionString, schema, poolSize: 4, preparedStatements: true };
      const store = new PostgresLetterStore(options);
      await store.migrate();
      return { store, twin: () => new PostgresLetterStore(options) };
    },
  ],
];

const postgres = requirePostgres({ why: 'the LetterStore contract and exchanges on the PostgreSQL journal' });

/**
 * `describe.each(STORE_KINDS)`, except that the PostgreSQL suite goes through the test-PostgreSQL gate: it
 * is skipped and listed (failed under CI) where the run's server could not start.
 */
export function describeEachStore(
  title: string,
  body: (kind: StoreKind[0], open: StoreKind[1]) => void,
): void {
  for (const [kind, open] of STORE_KINDS) {
    const suite = kind.startsWith('postgres') ? postgres.describe : describe;
    suite(title.replace('%s', kind), () => body(kind, open));
  }
}
