#!/usr/bin/env node
/**
 * `pnpm test`: every package's suite through turbo, then ONE closing line that says which tests were
 * skipped because a system tool (pdfsig, xmllint, …) is not installed, and the one command that installs
 * them. Tests record such skips through @thgov/testkit's `requireTool` into $THGOV_SKIP_DIR.
 *
 *   node scripts/test.mjs [turbo options…]   run the suites (exit code: turbo's), e.g. --filter=@thgov/cli
 *                                            (`pnpm test --filter=…` would hand the filter to pnpm, not turbo)
 *   node scripts/test.mjs --report-skips     print the closing line of the last run again
 *
 * Every package runs even when one fails (`--continue`), so a single failure does not hide the others.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  for (const r of records) {
    const t = byTool.get(r.tool) ?? { count: 0, packages: new Set(), missing: new Set() };
    t.count++;
    t.packages.add(r.package);
    for (const m of r.missing ?? []) t.missing.add(m);
    for (const d of r.debian ?? []) debs.add(d);
    byTool.set(r.tool, t);
  }
  const parts = [...byTool.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([tool, t]) =>
        `${tool} (${t.count} skipped in ${[...t.packages].sort().join(', ')}; missing ${[...t.missing].sort().join(', ')})`,
    );
  return `Skipped for missing tools: ${parts.join('; ')}. Install them with: sudo apt-get install ${[...debs].sort().join(' ')}`;
}

const args = process.argv.slice(2);
if (args[0] === '--report-skips') {
  console.log(skipSummary(readSkips(skipDir)));
  process.exit(0);
}

rmSync(skipDir, { recursive: true, force: true });
mkdirSync(skipDir, { recursive: true });
const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const run = spawnSync(turbo, ['run', 'test', '--concurrency=2', '--continue', ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', THGOV_SKIP_DIR: skipDir },
});
console.log(`\n${skipSummary(readSkips(skipDir))}`);
if (run.error) {
  console.error(`could not start turbo: ${run.error.message}`);
  process.exit(1);
}
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
