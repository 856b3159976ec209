// A replica appending to one PostgreSQL audit chain: `pg-audit-writer.ts URL COUNT PARALLEL [CHAIN]`.
// Prints a JSON line (elapsedInMs, cpuInUs of the appends) and `done N` after closing; used by the
// several-replicas test and the bench.
import { PostgresAuditSink } from '../../src/postgres/audit-sink.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from './audit.js';

const [url, countText, parallelText, chain] = process.argv.slice(2);
if (!url || countText === undefined) throw new Error('usage: pg-audit-writer.ts URL COUNT [PARALLEL]');
const count = Number(countText);
const parallel = Number(parallelText ?? '1');
const sink = new PostgresAuditSink({
  connectionString: url,
  chain: chain ?? 'replicas',
  hmacSecret: SUBJECT_SECRET,
  chainKey: CHAIN_KEY,
  poolSize: 2,
});
const started = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < count; i += parallel) {
  const n = Math.min(parallel, count - i);
  await Promise.all(
    Array.from({ length: n }, (_, k) => sink.append(auditEvent(i + k, { client: `writer-${process.pid}` }))),
  );
}
const elapsedInMs = performance.now() - t0;
await sink.close();
const cpu = process.cpuUsage(started);
process.stdout.write(`${JSON.stringify({ elapsedInMs, cpuInUs: cpu.user + cpu.system })}\ndone ${count}\n`);
