/**
 * Inbox throughput: letters stored + acknowledged + registered per second with 1, 2 and 4 inbox-worker
 * processes on one PostgreSQL journal, against the same-run single-process SQLite baseline. The sandbox
 * e-CMS nodes run in this process; the queue is filled before the workers are told to start. Where the
 * time goes: CPU per letter of the workers (process.cpuUsage in each), of the node emulator (this
 * process), and of the PostgreSQL server (its processes' CPU from /proc, when it is the embedded one).
 * On a 2-core machine the three share the cores: more workers should never be slower than one, CPU per
 * letter should not grow with workers, and no letter may be lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcmsNetwork } from '@thgov/sandbox';
import { sized } from '@thgov/testkit/bench';
import { createDatabaseOn, startTestPostgres, type TestPostgres } from '@thgov/testkit/postgres-server';
import Database from 'better-sqlite3';
import pg from 'pg';
import { EcmsClient } from '../src/index.js';
import { PostgresLetterStore } from '../src/postgres.js';
import { sampleLetter } from '../test/helpers/letters.js';

const LETTERS = Number(process.env.THGOV_BENCH_LETTERS ?? sized(200, 40));
const CHILD = join(import.meta.dirname, '..', 'test', 'helpers', 'chaos-child.ts');
const TICK_IN_US = 10_000; // USER_HZ is 100 on Linux

/** CPU (µs) of the PostgreSQL server: the postmaster and every backend it forked. */
function serverCpuInUs(server: TestPostgres | undefined): number | undefined {
  if (!server || process.platform !== 'linux') return undefined;
  const postmaster = Number(readFileSync(join(server.databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pid) === postmaster || Number(fields[1]) === postmaster)
        ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * TICK_IN_US;
}

function startWorker(args: string[]): Promise<{ child: ChildProcess; stats: Promise<{ cpuInUs: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, THGOV_LOG_LEVEL: 'silent', THGOV_CHILD_WAIT: '1', THGOV_CHILD_POLL_IN_MS: '250' },
  });
  children.add(child);
  let out = '';
  const stats = new Promise<{ cpuInUs: number }>((resolve, reject) => {
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('stats '));
      if (line) resolve(JSON.parse(line.slice(6)));
      else reject(new Error(`worker ended without stats: ${out}`));
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve({ child, stats });
    });
    child.once('error', reject);
  });
}

const external = process.env.THGOV_TEST_PG_URL;
const server = external ? undefined : await startTestPostgres();
const db = await createDatabaseOn(external ?? server!.url, 'bench_inbox');
const net = await startEcmsNetwork({ seed: 9, redeliveryAfterInMs: 10_000 });
const [a, b] = net.nodes;
const sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
const dir = mkdtempSync(join(tmpdir(), 'thgov-inbox-bench-'));
let run = 0;
const children = new Set<ChildProcess>();
const closers: (() => Promise<unknown>)[] = [];

interface Result {
  lettersPerSecond: number;
  cpu: { workers: number; emulator: number; database: number | undefined };
  lost: number;
}

async function measure(kind: 'sqlite' | 'postgres', workers: number): Promise<Result> {
  run++;
  const schema = `bench_${run}`;
  const spec = kind === 'sqlite' ? `sqlite:${join(dir, `${run}.db`)}` : `postgres:${db.url}#${schema}`;
  if (kind === 'postgres')
    await new PostgresLetterStore({ connectionString: db.url, schema, migrate: true }).migrate();
  const started = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      startWorker(['inbox', b!.url, b!.organizationId, spec, String(i)]),
    ),
  );
  const ids = Array.from({ length: LETTERS }, (_, i) => `บค ${run}/${i + 1}`);
  for (let i = 0; i < ids.length; i += 8)
    await Promise.all(ids.slice(i, i + 8).map((id) => sender.sendLetter(sampleLetter({ id }))));
  const count =
    kind === 'sqlite'
      ? () => {
          try {
            const reader = new Database(spec.slice(7), { readonly: true, fileMustExist: true });
            try {
              return (
                reader.prepare("SELECT count(*) AS n FROM ecms_letters WHERE state = 'registered'").get() as {
                  n: number;
                }
              ).n;
            } finally {
              reader.close();
            }
          } catch {
            return 0;
          }
        }
      : (() => {
          const client = new pg.Client({ connectionString: db.url });
          client.on('error', () => undefined);
          closers.push(() => client.end().catch(() => undefined));
          const connected = client.connect();
          return async () => {
            await connected;
            const r = await client.query(
              `SELECT count(*)::int AS n FROM ${schema}.ecms_letters WHERE state = 'registered'`,
            );
            return r.rows[0].n as number;
          };
        })();
  const dbBefore = kind === 'postgres' ? serverCpuInUs(server) : undefined;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (const w of started) w.child.stdin!.write('go\n');
  let done = 0;
  while (done < LETTERS && performance.now() - t0 < 300_000) {
    await new Promise((r) => setTimeout(r, 50));
    done = await count();
  }
  const seconds = (performance.now() - t0) / 1000;
  const emulator = process.cpuUsage(cpu);
  const dbAfter = kind === 'postgres' ? serverCpuInUs(server) : undefined;
  for (const w of started) w.child.kill('SIGTERM');
  const stats = await Promise.all(started.map((w) => w.stats));
  const lost = LETTERS - done + net.queue(b!.organizationId).pending.length;
  return {
    lettersPerSecond: done / seconds,
    cpu: {
      workers: stats.reduce((s, x) => s + x.cpuInUs, 0) / LETTERS,
      emulator: (emulator.user + emulator.system) / LETTERS,
      database: dbBefore !== undefined && dbAfter !== undefined ? (dbAfter - dbBefore) / LETTERS : undefined,
    },
    lost,
  };
}

try {
  const baseline = await measure('sqlite', 1);
  for (const workers of [1, 2, 4]) {
    const r = await measure('postgres', workers);
    const round = (n: number | undefined) => (n === undefined ? null : Math.round(n));
    process.stderr.write(
      `  ${workers} worker(s) on PostgreSQL: ${r.lettersPerSecond.toFixed(1)} letters/s (SQLite, 1: ${baseline.lettersPerSecond.toFixed(1)})\n`,
    );
    console.log(
      JSON.stringify({
        bench: `ecms.inbox.postgres.workers-${workers}`,
        unit: 'letters/s',
        value: Number(r.lettersPerSecond.toFixed(1)),
        baseline: 'SqliteLetterStore, one worker process',
        baselineValue: Number(baseline.lettersPerSecond.toFixed(1)),
        ratio: Number((r.lettersPerSecond / baseline.lettersPerSecond).toFixed(3)),
        cpuMicrosPerLetter: {
          workers: round(r.cpu.workers),
          emulator: round(r.cpu.emulator),
          database: round(r.cpu.database),
        },
        baselineCpuMicrosPerLetter: {
          workers: round(baseline.cpu.workers),
          emulator: round(baseline.cpu.emulator),
        },
        letters: LETTERS,
        lost: r.lost,
        baselineLost: baseline.lost,
      }),
    );
    if (r.lost !== 0 || baseline.lost !== 0) process.exitCode = 1;
  }
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers) await close();
  await sender.close();
  await net.close();
  await db.drop().catch(() => undefined);
  await server?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
