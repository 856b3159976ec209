/**
 * Inbox throughput: letters stored + acknowledged + registered per second with 1, 2 and 4 inbox-worker
 * processes on one PostgreSQL journal, against the same-run single-process SQLite baseline, in interleaved
 * rounds (the order alternating, as @thgov/testkit/bench's compareRounds does), reported as medians with
 * their spread. The sandbox e-CMS nodes run in this process. Each round starts fresh worker processes and
 * first runs an unmeasured warm-up phase, as every other bench has an unmeasured warm-up round: the
 * workers handle THGOV_BENCH_WARM_UP_LETTERS letters each (so every process has compiled its hot paths)
 * and pause; then the measured letters are queued and the workers told to go. Where the time goes, per
 * letter: the workers' CPU from that go to the stop (`cpuPerOpUs`; process.cpuUsage in each worker), their
 * CPU before it (connecting and the warm-up phase, imports excluded), the node emulator (this process) and
 * the PostgreSQL server (its processes' CPU from /proc, when it is the embedded one). On a 2-core machine
 * the three share the cores: more workers should never be slower than one, CPU per letter should not grow
 * with workers, and no letter may be lost. The largest worker count runs once more with prepared statements
 * (`ecms.inbox.postgres.workers-N.prepared-statements`): compare its `cpuMicrosPerLetter.database`.
 *
 * THGOV_BENCH_INBOX_WORKERS=1,4 picks the worker counts; THGOV_BENCH_PROFILE_DIR=dir makes every worker
 * write a V8 CPU profile there (`node --cpu-prof`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcmsClient } from '@thgov/ecms';
import { PostgresLetterStore } from '@thgov/ecms/postgres';
import { startEcmsNetwork } from '@thgov/sandbox';
import { emitBenchLine, median, sized } from '@thgov/testkit/bench';
import { createDatabaseOn, startTestPostgres, type TestPostgres } from '@thgov/testkit/postgres-server';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sampleLetter } from '../test/helpers/letters.js';

const LETTERS = Number(process.env.THGOV_BENCH_LETTERS ?? sized(150, 30));
const ROUNDS = Number(process.env.THGOV_BENCH_ROUNDS ?? sized(3, 1));
// A quick run stops at 2 workers: each worker count starts its processes afresh (twice for the largest).
const WORKERS = (process.env.THGOV_BENCH_INBOX_WORKERS ?? sized('1,2,4', '1,2')).split(',').map(Number);
// 150 letters per worker before measuring: with 40, one PostgreSQL worker still spent 10.5 ms of CPU per
// measured letter, with 150 8.0 ms (its JIT was still warming up; SQLite's 7.6 and 7.2 ms).
const WARM_UP_PER_WORKER = Number(process.env.THGOV_BENCH_WARM_UP_LETTERS ?? sized(150, 10));
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

interface Worker {
  child: ChildProcess;
  stats: Promise<WorkerStats>;
  /** Sends a command line and waits for the worker's answer line (`pause` → `paused`). */
  command(line: string, answer?: string): Promise<void>;
}

function startWorker(args: string[]): Promise<Worker> {
  // THGOV_BENCH_PROFILE_DIR=dir: each worker writes a V8 CPU profile there (node --cpu-prof).
  const profile = process.env.THGOV_BENCH_PROFILE_DIR;
  const node = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const child = spawn(process.execPath, [...node, '--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, THGOV_LOG_LEVEL: 'silent', THGOV_CHILD_WAIT: '1', THGOV_CHILD_POLL_IN_MS: '250' },
  });
  children.add(child);
  let out = '';
  const waiting: { text: string; seen: number; resolve: () => void }[] = [];
  const occurrences = (text: string) => out.split('\n').filter((l) => l === text).length;
  const command = (line: string, answer?: string) => {
    if (!answer) {
      child.stdin!.write(`${line}\n`);
      return Promise.resolve();
    }
    const seen = occurrences(answer);
    return new Promise<void>((resolve) => {
      waiting.push({ text: answer, seen, resolve });
      child.stdin!.write(`${line}\n`);
    });
  };
  const stats = new Promise<WorkerStats>((resolve, reject) => {
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('stats '));
      if (line) resolve(JSON.parse(line.slice(6)));
      else reject(new Error(`worker ended without stats: ${out}`));
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of waiting.splice(0))
        if (occurrences(w.text) > w.seen) w.resolve();
        else waiting.push(w);
      if (out.includes('ready')) resolve({ child, stats, command });
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

interface WorkerStats {
  errors: number;
  cpuInUs: number;
  workCpuInUs: number;
  workSystemCpuInUs?: number;
  storeCalls: Record<string, number>;
  letters: number;
  warmUpCpuInUs?: number;
}

interface Result {
  lettersPerSecond: number;
  cpu: {
    workers: number;
    /** The kernel's part of `workers` (system time: sockets, the loopback network, scheduling). */
    workersSystem: number;
    startupAndWarmUp: number;
    warm: number | undefined;
    emulator: number;
    database: number | undefined;
  };
  errors: number;
  lettersByWorker: number[];
  /** Per letter: fetches of its queue item at the node, and calls of each store method by the workers. */
  perLetter: { fetches: number; storeCalls: Record<string, number> };
  lost: number;
}

async function measure(kind: 'sqlite' | 'postgres', workers: number, prepared = false): Promise<Result> {
  run++;
  const schema = `bench_${run}`;
  const spec =
    kind === 'sqlite'
      ? `sqlite:${join(dir, `${run}.db`)}`
      : `postgres:${db.url}#${schema}${prepared ? '#prepared' : ''}`;
  if (kind === 'postgres')
    await new PostgresLetterStore({ connectionString: db.url, schema, migrate: true }).migrate();
  const started = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      startWorker(['inbox', b!.url, b!.organizationId, spec, String(i)]),
    ),
  );
  const send = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += 8)
      await Promise.all(ids.slice(i, i + 8).map((id) => sender.sendLetter(sampleLetter({ id }))));
  };
  const registered =
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
  // Warm-up phase, not measured: every worker process handles its share of these, then pauses.
  const warmIds = Array.from({ length: WARM_UP_PER_WORKER * workers }, (_, i) => `บค ${run}/w${i + 1}`);
  /** Measured letters registered (the warm-up letters not counted), once `n` are or after 300 s. */
  const waitFor = async (n: number, since: number) => {
    let done = (await registered()) - warmIds.length;
    while (done < n && performance.now() - since < 300_000) {
      await new Promise((r) => setTimeout(r, 50));
      done = (await registered()) - warmIds.length;
    }
    return done;
  };
  await send(warmIds);
  for (const w of started) await w.command('go');
  await waitFor(0, performance.now());
  await Promise.all(started.map((w) => w.command('pause', 'paused')));
  const ids = Array.from({ length: LETTERS }, (_, i) => `บค ${run}/${i + 1}`);
  await send(ids);
  const dbBefore = kind === 'postgres' ? serverCpuInUs(server) : undefined;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (const w of started) await w.command('go');
  const done = await waitFor(LETTERS, t0);
  const seconds = (performance.now() - t0) / 1000;
  const emulator = process.cpuUsage(cpu);
  const dbAfter = kind === 'postgres' ? serverCpuInUs(server) : undefined;
  for (const w of started) w.child.kill('SIGTERM');
  const stats = await Promise.all(started.map((w) => w.stats));
  const lost = LETTERS - done + net.queue(b!.organizationId).pending.length;
  return {
    lettersPerSecond: done / seconds,
    cpu: {
      workers: stats.reduce((s, x) => s + x.workCpuInUs, 0) / LETTERS,
      workersSystem: stats.reduce((s, x) => s + (x.workSystemCpuInUs ?? 0), 0) / LETTERS,
      // Connecting and the warm-up phase (imports excluded), per measured letter.
      startupAndWarmUp: stats.reduce((s, x) => s + x.cpuInUs - x.workCpuInUs, 0) / LETTERS,
      // After each worker's first 20 letters (its JIT warm-up): workers that handled fewer are left out.
      warm: (() => {
        const warm = stats.filter((x) => x.warmUpCpuInUs !== undefined && x.letters > 20);
        const letters = warm.reduce((s, x) => s + x.letters - 20, 0);
        return letters > 0
          ? warm.reduce((s, x) => s + x.workCpuInUs - (x.warmUpCpuInUs as number), 0) / letters
          : undefined;
      })(),
      emulator: (emulator.user + emulator.system) / LETTERS,
      database: dbBefore !== undefined && dbAfter !== undefined ? (dbAfter - dbBefore) / LETTERS : undefined,
    },
    errors: stats.reduce((s, x) => s + x.errors, 0),
    lettersByWorker: stats.map((x) => x.letters),
    perLetter: {
      fetches:
        net
          .queue(b!.organizationId)
          .all.filter((i) => i.kind === 'letter' && ids.includes(i.letterId))
          .reduce((s, i) => s + i.fetchCount, 0) / LETTERS,
      storeCalls: Object.fromEntries(
        [...new Set(stats.flatMap((x) => Object.keys(x.storeCalls)))].map((k) => [
          k,
          Number((stats.reduce((s, x) => s + (x.storeCalls[k] ?? 0), 0) / LETTERS).toFixed(2)),
        ]),
      ),
    },
    lost,
  };
}

try {
  type Config = { kind: 'sqlite' | 'postgres'; workers: number; prepared?: boolean };
  const configs: Config[] = [
    { kind: 'sqlite', workers: 1 },
    ...WORKERS.map((workers) => ({ kind: 'postgres' as const, workers })),
    // The largest worker count once more with prepared statements (PostgresLetterStore `preparedStatements`).
    { kind: 'postgres', workers: Math.max(...WORKERS), prepared: true },
  ];
  const results = new Map<Config, Result[]>(configs.map((c) => [c, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, the order alternating, so that a drift in machine load does not favour one side.
    for (const c of r % 2 === 0 ? configs : [...configs].reverse()) {
      const x = await measure(c.kind, c.workers, c.prepared);
      results.get(c)!.push(x);
      process.stderr.write(
        `  round ${r + 1}, ${c.workers} worker(s) on ${c.kind}${c.prepared ? ', prepared statements' : ''}: ${x.lettersPerSecond.toFixed(1)} letters/s, ${Math.round(x.cpu.workers)} µs worker CPU/letter (${Math.round(x.cpu.workersSystem)} of it system; +${Math.round(x.cpu.startupAndWarmUp)} start-up and warm-up; after warm-up ${Math.round(x.cpu.warm ?? Number.NaN)}, by worker ${JSON.stringify(x.lettersByWorker)}); per letter ${x.perLetter.fetches} fetches, store calls ${JSON.stringify(x.perLetter.storeCalls)}\n`,
      );
    }
  }
  const med = (xs: Result[], f: (x: Result) => number | undefined) => {
    const v = xs.map(f).filter((n): n is number => n !== undefined);
    return v.length ? Math.round(median(v)) : null;
  };
  const range = (v: number[]): [number, number] => [Math.round(Math.min(...v)), Math.round(Math.max(...v))];
  const baseline = results.get(configs[0]!)!;
  const baseLps = median(baseline.map((x) => x.lettersPerSecond));
  const baseCpu = median(baseline.map((x) => x.cpu.workers));
  const baselineLost = baseline.reduce((s, x) => s + x.lost, 0);
  for (const c of configs.slice(1)) {
    const rs = results.get(c)!;
    const lps = median(rs.map((x) => x.lettersPerSecond));
    const cpu = median(rs.map((x) => x.cpu.workers));
    const lost = rs.reduce((s, x) => s + x.lost, 0);
    emitBenchLine({
      bench: `ecms.inbox.postgres.workers-${c.workers}${c.prepared ? '.prepared-statements' : ''}`,
      unit: 'letters/s',
      value: Number(lps.toFixed(1)),
      baseline: 'SqliteLetterStore, one worker process',
      baselineValue: Number(baseLps.toFixed(1)),
      ratio: Number((lps / baseLps).toFixed(3)),
      throughputRatio: Number((lps / baseLps).toFixed(3)),
      cpuPerOpUs: Math.round(cpu),
      baselineCpuPerOpUs: Math.round(baseCpu),
      cpuRatio: Number((cpu / baseCpu).toFixed(3)),
      rounds: ROUNDS,
      opsPerRound: LETTERS,
      spread: {
        cpuPerOpUs: range(rs.map((x) => x.cpu.workers)),
        baselineCpuPerOpUs: range(baseline.map((x) => x.cpu.workers)),
        lettersPerSecond: range(rs.map((x) => x.lettersPerSecond)),
      },
      cpuMicrosPerLetter: {
        workers: Math.round(cpu),
        workerStartupAndWarmUp: med(rs, (x) => x.cpu.startupAndWarmUp),
        workersAfterWarmUp: med(rs, (x) => x.cpu.warm),
        emulator: med(rs, (x) => x.cpu.emulator),
        database: med(rs, (x) => x.cpu.database),
      },
      baselineCpuMicrosPerLetter: {
        workers: Math.round(baseCpu),
        workerStartupAndWarmUp: med(baseline, (x) => x.cpu.startupAndWarmUp),
        workersAfterWarmUp: med(baseline, (x) => x.cpu.warm),
        emulator: med(baseline, (x) => x.cpu.emulator),
      },
      workerErrors: rs.reduce((s, x) => s + x.errors, 0),
      fetchesPerLetter: Math.max(...rs.map((x) => x.perLetter.fetches)),
      letters: LETTERS,
      lost,
      baselineLost,
    });
    if (lost !== 0 || baselineLost !== 0) process.exitCode = 1;
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
