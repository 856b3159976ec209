/**
 * `thgov transcript verify` on 200 files (one process) against `pdfsig` run once per file on the
 * same files, in the same run. Run after a build: node --import tsx bench/verify-many.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeFixtures } from '../test/helpers.js';

const N = 200;
const fx = await makeFixtures(20);
const files: string[] = [];
for (let i = 0; i < N; i++) {
  const f = join(fx.dir, `bench-${i}.pdf`);
  copyFileSync(fx.good[i % fx.good.length]!, f);
  files.push(f);
}
const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
let t = performance.now();
const cli = spawnSync(
  process.execPath,
  [bin, 'transcript', 'verify', '--json', '--trust', fx.root, ...files],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
const cliMs = performance.now() - t;
if (cli.status !== 0) throw new Error(`thgov exited ${cli.status}: ${cli.stderr.slice(0, 500)}`);
let pdfsigMs = Number.NaN;
if (spawnSync('pdfsig', ['-v']).status === 0) {
  t = performance.now();
  for (const f of files) spawnSync('pdfsig', ['-nocert', f]);
  pdfsigMs = performance.now() - t;
}
rmSync(fx.dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ bench: 'cli-transcript-verify-200-files', unit: 'ms', value: Math.round(cliMs), baseline: 'pdfsig-once-per-file-200-files', baselineValue: Math.round(pdfsigMs), ratio: Number((cliMs / pdfsigMs).toFixed(3)) })}\n`,
);
