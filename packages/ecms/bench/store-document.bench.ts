// Journal bench: the cost of a letter's document in its state changes, a 10 MB document (1 MB in a quick run).
// - PostgreSQL: a state change as the inbox worker makes it after the dequeue (`withDocument: false`: the record
//   comes back without its document), against the same change reading the whole record back (the baseline,
//   what every transition did before). The database is the embedded PostgreSQL, or THGOV_TEST_PG_URL when set.
// - PostgreSQL: reading the letter back (`get`), the document selected as base64 text, against reading the
//   same document as node-postgres reads a bytea column by default (hex text, twice the size; the baseline).
// - SQLite: a state change of the letter with the document, against the same change of a letter without one
//   (the baseline): SQLite rewrites a whole row on every UPDATE, so the document lives in a table of its own
//   and the ratio should stay near 1 (with the document in the letter's row it was 115: 76.7 against 0.67 ms).
// Interleaved rounds; median wall time and the client's CPU per operation (process.cpuUsage), one JSON line each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { createDatabaseOn, startTestPostgres } from '@thgov/testkit/postgres-server';
import pg from 'pg';
import type { LetterStore } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { SqliteLetterStore } from '../src/sqlite.js';
import { newLetterRecord } from '../src/store/letter-store.js';

const MB = 1024 * 1024;
const size = sized(10, 1) * MB;
const OPS = sized(4, 2);
const ROUNDS = sized(5, 2);

/** A journalled letter and a function moving it between two states and back (so every call changes the row). */
async function letterIn(store: LetterStore, document: Buffer | undefined) {
  const letter = newLetterRecord({
    direction: 'inbound',
    state: 'dequeued',
    letterId: `สพร 0105/${crypto.randomUUID()}`,
    correspondenceDate: '2026-11-27',
    subject: 'รายงานประจำปี',
    senderDepartmentId: '0031500001',
    receiverDepartmentId: '1500300001',
    document,
  });
  await store.insert(letter);
  let at = 0;
  return async (withDocument: boolean) => {
    const [from, to] =
      at++ % 2 === 0 ? (['dequeued', 'acknowledged'] as const) : (['acknowledged', 'dequeued'] as const);
    const r = await store.transition({ journalId: letter.journalId, from: [from], to, withDocument });
    if (r?.state !== to) throw new Error(`the letter did not move to ${to}`);
    if ((withDocument && document !== undefined) !== (r.document !== undefined))
      throw new Error('document returned against the request');
  };
}

const times = (step: (withDocument: boolean) => Promise<void>, withDocument: boolean) => async () => {
  for (let i = 0; i < OPS; i++) await step(withDocument);
};

const external = process.env.THGOV_TEST_PG_URL;
const server = external ? undefined : await startTestPostgres();
const db = await createDatabaseOn(external ?? server!.url, 'bench_store_document');
const pgStore = new PostgresLetterStore({ connectionString: db.url, schema: 'bench', migrate: true });
const dir = mkdtempSync(join(tmpdir(), 'thgov-store-document-'));
const sqliteStore = new SqliteLetterStore({ filename: join(dir, 'journal.db') });
try {
  await pgStore.migrate();
  const onPostgres = await letterIn(pgStore, Buffer.alloc(size, 0x41));
  const moves = await compareRounds({
    bench: 'ecms.store.postgres.transition-large-letter',
    kind: 'time',
    unit: 'ms',
    baseline: 'the same transition returning the document',
    opsPerRound: OPS,
    rounds: ROUNDS,
    thgov: times(onPostgres, false),
    baselineSide: times(onPostgres, true),
  });
  emitBenchLine({ ...moves, documentBytes: size });

  // The letter the transitions above moved: read back whole, and its document alone as pg reads bytea.
  const journalId = (await pgStore.list({ direction: 'inbound' }))[0]!.journalId;
  const raw = new pg.Client({ connectionString: db.url });
  await raw.connect();
  try {
    const read = await compareRounds({
      bench: 'ecms.store.postgres.get-large-letter',
      kind: 'time',
      unit: 'ms',
      baseline: "SELECT document with node-postgres's bytea parser (hex text)",
      opsPerRound: OPS,
      rounds: ROUNDS,
      thgov: async () => {
        for (let i = 0; i < OPS; i++)
          if ((await pgStore.get(journalId))?.document?.length !== size) throw new Error('wrong document');
      },
      baselineSide: async () => {
        for (let i = 0; i < OPS; i++) {
          const r = await raw.query('SELECT document FROM bench.ecms_letters WHERE journal_id = $1', [
            journalId,
          ]);
          if ((r.rows[0].document as Buffer).length !== size) throw new Error('wrong document');
        }
      },
    });
    emitBenchLine({ ...read, documentBytes: size });
  } finally {
    await raw.end();
  }

  const withDocument = await letterIn(sqliteStore, Buffer.alloc(size, 0x41));
  const withoutDocument = await letterIn(sqliteStore, undefined);
  const sqlite = await compareRounds({
    bench: 'ecms.store.sqlite.transition-large-letter',
    kind: 'time',
    unit: 'ms',
    baseline: 'the same transition of a letter without a document',
    opsPerRound: OPS,
    rounds: ROUNDS,
    thgov: times(withDocument, false),
    baselineSide: times(withoutDocument, false),
  });
  emitBenchLine({ ...sqlite, documentBytes: size });
} finally {
  await sqliteStore.close();
  rmSync(dir, { recursive: true, force: true });
  await pgStore.close();
  await db.drop().catch(() => undefined);
  await server?.destroy();
}
