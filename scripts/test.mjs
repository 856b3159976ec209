#!/usr/bin/env node
/**
 * `pnpm test`: every package's suite, then ONE closing line that says which tests were skipped because a system
 * tool (pdfsig, xmllint, …) is not installed, and the one command that installs them. Tests record such skips
 * through @thgov/testkit's `requireTool` into $THGOV_SKIP_DIR.
 *
 *   node scripts/test.mjs                    build, then every suite, two at a time, the longest first
 *   node scripts/test.mjs [turbo options…]   `turbo run test` with those options, e.g. --filter=@thgov/cli
 *                                            (`pnpm test --filter=…` would hand the filter to pnpm, not turbo)
 *   node scripts/test.mjs --report-skips     print the closing line of the last run again
 *
 * Every package runs even when one fails, so a single failure does not hide the others.
 *
 * Why not one `turbo run test --concurrency=2`: turbo starts the suites in dependency order, so the CLI's (among
 * the longest) started last and ran alone for four minutes while the other lane sat idle. Here each suite is
 * still one `turbo run test --only` (the same environment filtering and log prefixes), and two lanes take the
 * suites longest first (scripts/test-seconds.json; a local run's own figures take precedence).
 * THGOV_TEST_CONCURRENCY changes the number of lanes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const skipDir = process.env.THGOV_SKIP_DIR || join(root, 'node_modules', '.cache', 'thgov-skips');

/** Skip records written by requireTool (one JSON file per skipped suite or test). */
function readSkips(dir) {
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const records = [];
  for (const f of files) {
    try {
      records.push(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    } catch {
      // A record cut short by a killed worker says nothing reliable; the others still count.
    }
  }
  return records;
}

/** The one closing line: tools, how many skipped suites in which packages, and the install command. */
function skipSummary(records) {
  if (records.length === 0) return 'No test was skipped for a missing system tool.';
  const byTool = new Map();
  const debs = new Set();
  const hints = new Set();
  for (const r of records) {
    const t = byTool.get(r.tool) ?? { count: 0, packages: new Set(), missing: new Set() };
    t.count++;
    t.packages.add(r.package);
    for (const m of r.missing ?? []) t.missing.add(m);
    for (const d of r.debian ?? []) debs.add(d);
    if (r.hint) hints.add(r.hint);
    byTool.set(r.tool, t);
  }
  const parts = [...byTool.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([tool, t]) =>
        `${tool} (${t.count} skipped in ${[...t.packages].sort().join(', ')}; missing ${[...t.missing].sort().join(', ')})`,
    );
  // PostgreSQL has no Debian package to name: its record carries a hint instead.
  const install = debs.size ? ` Install them with: sudo apt-get install ${[...debs].sort().join(' ')}` : '';
  const more = [...hints].map((h) => ` | ${h}`).join('');
  return `Skipped for missing tools: ${parts.join('; ')}.${install}${more}`;
}

const args = process.argv.slice(2);
if (args[0] === '--report-skips') {
  console.log(skipSummary(readSkips(skipDir)));
  process.exit(0);
}

rmSync(skipDir, { recursive: true, force: true });
mkdirSync(skipDir, { recursive: true });
const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', THGOV_SKIP_DIR: skipDir };

if (args.length > 0) {
  const run = spawnSync(turbo, ['run', 'test', '--concurrency=2', '--continue', ...args], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  console.log(`\n${skipSummary(readSkips(skipDir))}`);
  if (run.error) {
    console.error(`could not start turbo: ${run.error.message}`);
    process.exit(1);
  }
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 1);
}

const secondsFile = join(root, 'node_modules', '.cache', 'thgov-test-seconds.json');

/** The workspace packages that have a test script, by name. */
function testedPackages() {
  const names = [];
  for (const group of ['packages', 'examples']) {
    let dirs = [];
    try {
      dirs = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const d of dirs) {
      try {
        const pkg = JSON.parse(readFileSync(join(root, group, d, 'package.json'), 'utf8'));
        if (pkg.scripts?.test) names.push(pkg.name);
      } catch {
        // not a package folder
      }
    }
  }
  return names;
}

/** Seconds per suite: this machine's last run over the committed CI figures; an unknown suite counts as longest. */
function expectedSeconds() {
  const read = (file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return {};
    }
  };
  return { ...read(join(root, 'scripts', 'test-seconds.json')), ...read(secondsFile) };
}

/** One suite through turbo (its environment filtering and log prefixes); resolves to its exit code. */
function runSuite(name) {
  return new Promise((done) => {
    const child = spawn(turbo, ['run', 'test', '--only', `--filter=${name}`, '--output-logs=full'], {
      cwd: root,
      stdio: 'inherit',
      env,
    });
    child.on('error', (e) => {
      console.error(`could not start turbo for ${name}: ${e.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(signal ? 1 : (code ?? 1)));
  });
}

const build = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (build.status !== 0) {
  console.error('the build failed: no suite was run');
  process.exit(build.status ?? 1);
}
const seconds = expectedSeconds();
const queue = testedPackages().sort(
  (a, b) =>
    (seconds[b] ?? Number.POSITIVE_INFINITY) - (seconds[a] ?? Number.POSITIVE_INFINITY) || a.localeCompare(b),
);
const lanes = Math.max(1, Number(process.env.THGOV_TEST_CONCURRENCY) || 2);
const failed = [];
const measured = {};
async function lane() {
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const started = performance.now();
    const code = await runSuite(name);
    measured[name] = Math.round((performance.now() - started) / 1000);
    if (code !== 0) failed.push(name);
  }
}
await Promise.all(Array.from({ length: lanes }, lane));
try {
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const known = Object.entries({ ...seconds, ...measured }).filter(([, v]) => typeof v === 'number');
  writeFileSync(secondsFile, `${JSON.stringify(Object.fromEntries(known), null, 2)}\n`);
} catch {
  // the figures only order the next run
}
console.log(`\n${skipSummary(readSkips(skipDir))}`);
if (failed.length > 0) {
  console.error(`Failed suites: ${failed.sort().join(', ')}`);
  process.exit(1);
}
