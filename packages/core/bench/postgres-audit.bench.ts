/**
 * Audit appends per second from 4 processes into ONE PostgreSQL chain (PostgresAuditSink: head row
 * locked per batch, records and anchor in one transaction) against the same-run single-process
 * FileAuditSink (fsync per batch, lock file, anchor file). 16 appends in flight per process in both.
 * CPU per append: the appending processes' own (process.cpuUsage); the database server's CPU is not in it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sized } from '@thgov/testkit/bench';
import { acquireTestPostgres, createDatabaseOn } from '@thgov/testkit/postgres-server';
import { FileAuditSink } from '../src/index.js';
import { PostgresAuditSink } from '../src/postgres.js';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../test/helpers/audit.js';

const TOTAL = Number(process.env.THGOV_BENCH_AUDIT_APPENDS ?? sized(4000, 400));
const PROCESSES = 4;
const IN_FLIGHT = 16;
const WRITER = join(import.meta.dirname, '..', 'test', 'helpers', 'pg-audit-writer.ts');

async function fileSink(): Promise<{ perSecond: number; cpuMicrosPerAppend: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-pg-audit-bench-'));
  const sink = new FileAuditSink({
    path: join(dir, 'a.jsonl'),
    hmacSecret: SUBJECT_SECRET,
    chainKey: CHAIN_KEY,
  });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (issued < TOTAL) await sink.append(auditEvent(issued++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: TOTAL / seconds, cpuMicrosPerAppend: (used.user + used.system) / TOTAL };
}

function writer(
  url: string,
  count: number,
  chain: string,
): Promise<{ elapsedInMs: number; cpuInUs: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, url, String(count), String(IN_FLIGHT), chain],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`writer exited ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

const pg = await acquireTestPostgres();
try {
  const db = await createDatabaseOn(pg.url, 'bench_audit');
  await new PostgresAuditSink({
    connectionString: db.url,
    hmacSecret: SUBJECT_SECRET,
    chainKey: CHAIN_KEY,
  }).migrate();
  const baseline = await fileSink();
  // Each writer times its own appends (after its start-up); together they ran for the longest of them.
  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, () => writer(db.url, TOTAL / PROCESSES, 'bench')),
  );
  const seconds = Math.max(...runs.map((r) => r.elapsedInMs)) / 1000;
  const perSecond = TOTAL / seconds;
  const cpu = runs.reduce((a, r) => a + r.cpuInUs, 0) / TOTAL;
  process.stderr.write(
    `  4 processes → PostgreSQL ${Math.round(perSecond)}/s, 1 process → file ${Math.round(baseline.perSecond)}/s\n`,
  );
  console.log(
    JSON.stringify({
      bench: 'core.audit.postgres-sink-appends.4-processes',
      unit: 'appends/s',
      value: Math.round(perSecond),
      baseline: 'FileAuditSink, one process (fsync per batch, lock file, anchor file)',
      baselineValue: Math.round(baseline.perSecond),
      ratio: Number((perSecond / baseline.perSecond).toFixed(3)),
      cpuMicrosPerAppend: Math.round(cpu),
      baselineCpuMicrosPerAppend: Math.round(baseline.cpuMicrosPerAppend),
      appends: TOTAL,
      inFlightPerProcess: IN_FLIGHT,
    }),
  );
  await db.drop();
} finally {
  await pg.release();
}
