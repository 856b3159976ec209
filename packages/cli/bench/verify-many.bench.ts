/**
 * `thgov transcript verify` on 200 files (one process) against `pdfsig` run once per file on the same files,
 * in the same run, interleaved rounds. One operation is one file; time and CPU per file (both sides are child
 * processes: their CPU is read from /proc/self/stat after they exit, 10 ms resolution summed over a round).
 * Without pdfsig on PATH the line says `baselineMissing: "pdfsig"` (and the run fails under CI=true).
 * Run after a build: node --import tsx bench/verify-many.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareRounds, emitBenchLine, missingBaselineTool, sized } from '@thgov/testkit/bench';
import { makeFixtures } from '../test/helpers.js';

const N = sized(200, 6);
const fx = await makeFixtures(sized(20, 2));
const files: string[] = [];
for (let i = 0; i < N; i++) {
  const f = join(fx.dir, `bench-${i}.pdf`);
  copyFileSync(fx.good[i % fx.good.length]!, f);
  files.push(f);
}
const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
const missing = missingBaselineTool('pdfsig');
try {
  const line = await compareRounds({
    bench: `cli-transcript-verify-${N}-files`,
    kind: 'time',
    unit: 'ms/file',
    baseline: `pdfsig-once-per-file-${N}-files`,
    opsPerRound: N,
    rounds: sized(3, 2),
    warmupRounds: 0, // each round is a fresh process: the cold start is part of what is measured
    thgov: () => {
      const cli = spawnSync(
        process.execPath,
        [bin, 'transcript', 'verify', '--json', '--trust', fx.root, ...files],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
      if (cli.status !== 0) throw new Error(`thgov exited ${cli.status}: ${cli.stderr.slice(0, 500)}`);
    },
    ...(missing
      ? { baselineMissing: missing }
      : {
          baselineSide: () => {
            for (const f of files) {
              const r = spawnSync('pdfsig', ['-nocert', f]);
              if (r.status !== 0) throw new Error(`pdfsig exited ${r.status} on ${f}`);
            }
          },
        }),
    target: 'ratio < 1',
  });
  emitBenchLine({ ...line, files: N });
} finally {
  rmSync(fx.dir, { recursive: true, force: true });
}
