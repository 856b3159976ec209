// Journal bench: a state change of a letter with a 10 MB document (1 MB in a quick run) on the PostgreSQL
// journal, as the inbox worker makes it after the dequeue (`withDocument: false`: the record comes back without
// its document), against the same change reading the whole record back (the baseline, what every transition
// did before). Interleaved rounds; median wall time and the client's CPU per operation (process.cpuUsage), as
// one JSON line. The database is the embedded PostgreSQL, or THGOV_TEST_PG_URL when set.
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { createDatabaseOn, startTestPostgres } from '@thgov/testkit/postgres-server';
import { PostgresLetterStore } from '../src/postgres.js';
import { newLetterRecord } from '../src/store/letter-store.js';

const MB = 1024 * 1024;
const size = sized(10, 1) * MB;
const OPS = sized(4, 2);

const external = process.env.THGOV_TEST_PG_URL;
const server = external ? undefined : await startTestPostgres();
const db = await createDatabaseOn(external ?? server!.url, 'bench_store_document');
const store = new PostgresLetterStore({ connectionString: db.url, schema: 'bench', migrate: true });
try {
  await store.migrate();
  const letter = newLetterRecord({
    direction: 'inbound',
    state: 'dequeued',
    letterId: 'สพร 0105/1',
    correspondenceDate: '2026-11-27',
    subject: 'รายงานประจำปี',
    senderDepartmentId: '0031500001',
    receiverDepartmentId: '1500300001',
    document: Buffer.alloc(size, 0x41),
  });
  await store.insert(letter);
  // Each operation moves the letter between two states and back, so every call changes the row.
  let at = 0;
  const step = async (withDocument: boolean) => {
    const [from, to] =
      at++ % 2 === 0 ? (['dequeued', 'acknowledged'] as const) : (['acknowledged', 'dequeued'] as const);
    const r = await store.transition({ journalId: letter.journalId, from: [from], to, withDocument });
    if (r?.state !== to) throw new Error(`the letter did not move to ${to}`);
    if (withDocument !== (r.document !== undefined)) throw new Error('document returned against the request');
  };
  const line = await compareRounds({
    bench: 'ecms.store.postgres.transition-large-letter',
    kind: 'time',
    unit: 'ms',
    baseline: 'the same transition returning the document',
    opsPerRound: OPS,
    rounds: sized(5, 2),
    thgov: async () => {
      for (let i = 0; i < OPS; i++) await step(false);
    },
    baselineSide: async () => {
      for (let i = 0; i < OPS; i++) await step(true);
    },
  });
  emitBenchLine({ ...line, documentBytes: size });
} finally {
  await store.close();
  await db.drop().catch(() => undefined);
  await server?.destroy();
}
