/**
 * Audit appends per second from 4 processes into ONE PostgreSQL chain (PostgresAuditSink: head row
 * locked per batch, records and anchor in one transaction) against the same-run single-process
 * FileAuditSink (fsync per batch, lock file, anchor file). 16 appends in flight per process in both.
 * Interleaved rounds, the order alternating (as @thgov/testkit/bench's compareRounds), reported as medians
 * with their spread. CPU per append (`cpuPerOpUs`): the appending processes' own, from their first append
 * to their last (process.cpuUsage); the database server's CPU is not in it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '@thgov/core';
import { PostgresAuditSink } from '@thgov/core/postgres';
import { emitBenchLine, median, sized } from '@thgov/testkit/bench';
import { acquireTestPostgres, createDatabaseOn } from '@thgov/testkit/postgres-server';
import { auditEvent, CHAIN_KEY, SUBJECT_SECRET } from '../test/helpers/audit.js';

const TOTAL = Number(process.env.THGOV_BENCH_AUDIT_APPENDS ?? sized(4000, 400));
const ROUNDS = Number(process.env.THGOV_BENCH_ROUNDS ?? sized(3, 1));
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
  const file: { perSecond: number; cpu: number }[] = [];
  const postgres: { perSecond: number; cpu: number }[] = [];
  const sides = [
    async () => {
      const r = await fileSink();
      file.push({ perSecond: r.perSecond, cpu: r.cpuMicrosPerAppend });
    },
    async (round: number) => {
      // A chain per round, so that every round appends to a chain of the same length.
      const runs = await Promise.all(
        Array.from({ length: PROCESSES }, () => writer(db.url, TOTAL / PROCESSES, `bench_${round}`)),
      );
      // Each writer times its own appends (after its start-up); together they ran for the longest of them.
      const seconds = Math.max(...runs.map((r) => r.elapsedInMs)) / 1000;
      postgres.push({ perSecond: TOTAL / seconds, cpu: runs.reduce((a, r) => a + r.cpuInUs, 0) / TOTAL });
    },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) await side(round);
    process.stderr.write(
      `  round ${round + 1}: 4 processes → PostgreSQL ${Math.round(postgres.at(-1)!.perSecond)}/s, ${Math.round(postgres.at(-1)!.cpu)} µs CPU/append; 1 process → file ${Math.round(file.at(-1)!.perSecond)}/s, ${Math.round(file.at(-1)!.cpu)} µs CPU/append\n`,
    );
  }
  const value = median(postgres.map((r) => r.perSecond));
  const baselineValue = median(file.map((r) => r.perSecond));
  const cpu = median(postgres.map((r) => r.cpu));
  const baselineCpu = median(file.map((r) => r.cpu));
  const range = (xs: number[]): [number, number] => [
    Number(Math.min(...xs).toPrecision(4)),
    Number(Math.max(...xs).toPrecision(4)),
  ];
  emitBenchLine({
    bench: 'core.audit.postgres-sink-appends.4-processes',
    unit: 'appends/s',
    value: Math.round(value),
    baseline: 'FileAuditSink, one process (fsync per batch, lock file, anchor file)',
    baselineValue: Math.round(baselineValue),
    ratio: Number((value / baselineValue).toFixed(3)),
    throughputRatio: Number((value / baselineValue).toFixed(3)),
    cpuPerOpUs: Math.round(cpu),
    baselineCpuPerOpUs: Math.round(baselineCpu),
    cpuRatio: Number((cpu / baselineCpu).toFixed(3)),
    rounds: ROUNDS,
    opsPerRound: TOTAL,
    spread: {
      cpuPerOpUs: range(postgres.map((r) => r.cpu)),
      baselineCpuPerOpUs: range(file.map((r) => r.cpu)),
      cpuRatio: range(postgres.map((r, k) => r.cpu / file[k]!.cpu)),
      throughputRatio: range(postgres.map((r, k) => r.perSecond / file[k]!.perSecond)),
    },
    appends: TOTAL,
    inFlightPerProcess: IN_FLIGHT,
  });
  await db.drop();
} finally {
  await pg.release();
}
