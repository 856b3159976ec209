// Runs every workspace package's `bench` script (the cold-start bench is @thgov/cli's), echoes their output,
// and collects the JSON result lines ({"bench": ..., "ratio": ...}) into bench/results.json
// (bench/results.quick.json for a quick run). bench/README.md explains the fields.
//
//   node scripts/bench.mjs [--quick] [--filter=<text>]
//
// --quick          a smoke run: few iterations, no targets (THGOV_BENCH_QUICK=1 reaches every bench)
// --filter=<text>  only the packages whose name contains <text>
//
// Exits non-zero when a bench fails, or, under CI=true, when a bench could not run its baseline
// (its line says `baselineMissing`). A package's benches that run longer than THGOV_BENCH_LIMIT_MIN minutes
// (default 10 with --quick, 90 without) are killed, with all they started, and count as failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write('usage: node scripts/bench.mjs [--quick] [--filter=<package name part>]\n');
  process.exit(0);
}
const quick = args.includes('--quick');
const filter = args.find((a) => a.startsWith('--filter='))?.slice('--filter='.length);
const unknown = args.filter((a) => a !== '--quick' && !a.startsWith('--filter='));
if (unknown.length > 0) {
  process.stderr.write(`unknown argument(s): ${unknown.join(' ')} (see --help)\n`);
  process.exit(2);
}
const env = { ...process.env, ...(quick ? { THGOV_BENCH_QUICK: '1' } : {}) };

const limitInMs = (Number(process.env.THGOV_BENCH_LIMIT_MIN) || (quick ? 10 : 90)) * 60_000;

/** A package's `bench` script in its own process group, killed whole when it outlives the limit. */
function runBench(cwd) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['run', '--silent', 'bench'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: process.platform !== 'win32',
    });
    let stdout = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limitInMs);
    child.on('error', () => undefined);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, timedOut });
    });
  });
}

const root = new URL('..', import.meta.url).pathname;
const started = performance.now();
const results = [];
const missingBaselines = [];
let failed = 0;
const jobs = [];
for (const group of ['packages', 'examples']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base).sort()) {
    const manifestPath = join(base, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!manifest.scripts?.bench) continue;
    jobs.push({ name: manifest.name, cwd: join(base, dir) });
  }
}
for (const job of jobs) {
  if (filter && !job.name.includes(filter)) continue;
  process.stderr.write(`\n# ${job.name}\n`);
  const t = performance.now();
  const run = await runBench(job.cwd);
  process.stderr.write(`# ${job.name}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  for (const line of run.stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    process.stdout.write(`${trimmed}\n`);
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(trimmed);
      if (typeof parsed.bench === 'string') {
        results.push({ package: job.name, ...parsed });
        if (parsed.baselineMissing !== undefined)
          missingBaselines.push(`${parsed.bench} (${parsed.baselineMissing})`);
      }
    } catch {
      // not a result line
    }
  }
  if (run.timedOut) {
    failed++;
    process.stderr.write(`! ${job.name} bench did not end within ${limitInMs / 60_000} min: killed\n`);
  } else if (run.status !== 0) {
    failed++;
    process.stderr.write(`! ${job.name} bench exited with ${run.status}\n`);
  }
}
const file = quick ? 'results.quick.json' : 'results.json';
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(
  join(root, 'bench', file),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, results }, null, 2)}\n`,
);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
process.stderr.write(`\n${results.length} benchmark lines written to bench/${file} in ${seconds} s\n`);
if (missingBaselines.length > 0) {
  process.stderr.write(`baselines not run: ${missingBaselines.join(', ')}\n`);
  if (process.env.CI === 'true') failed++;
}
process.exit(failed > 0 ? 1 : 0);
