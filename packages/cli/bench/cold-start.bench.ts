/**
 * Cold starts, as a user meets them: wall time of a fresh `node` process that imports one publishable package
 * (`node -e "import('@thgov/<pkg>')"`, run in the package's own folder so the name resolves through its
 * exports map to dist/), of `thgov transcript verify` on one signed transcript and of `thgov doctor --help`,
 * against `node -e 0` in the same run. Every round runs each command once, starting at a different one, so
 * machine load falls on all alike; one JSON line per command with the median over the rounds, the min–max
 * spread, the time over bare Node, and the child's CPU time (from /proc/self/stat after it exits, 10 ms
 * resolution). Run after a build: node --import tsx bench/cold-start.bench.ts [--quick]
 *
 * The children run with a fresh temporary HOME, so the command's compile cache (Node 22.1 and later; see
 * src/compile-cache.ts) starts empty: the first round fills it and later rounds use it, as a user's second run
 * would. The verify command runs a second time per round with NODE_DISABLE_COMPILE_CACHE=1, so the same run
 * shows what the cache is worth; on a Node without one the two lines measure the same thing. THGOV_BENCH_NODE
 * names another Node binary to run the children with (the bench itself still runs on this one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuNow, cpuSince, emitBenchLine, median, sized } from '@thgov/testkit/bench';
import { makeFixtures } from '../test/helpers.js';

const ROUNDS = sized(15, 1);
const packagesDir = join(import.meta.dirname, '..', '..');
const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');

interface Command {
  bench: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  target?: string;
}

const node = process.env.THGOV_BENCH_NODE ?? process.execPath;
const nodeVersion = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
const home = mkdtempSync(join(tmpdir(), 'thgov-bench-home-'));
const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home };
for (const name of ['XDG_CACHE_HOME', 'LOCALAPPDATA', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) {
  delete childEnv[name];
}

const publishable: Command[] = readdirSync(packagesDir)
  .sort()
  .flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (manifest.private) return [];
    return [
      {
        bench: `cold-start.import.${manifest.name}`,
        args: [
          '-e',
          `import(${JSON.stringify(manifest.name)}).catch((e) => { console.error(e); process.exit(1); })`,
        ],
        cwd: join(packagesDir, dir),
        target: `value <= ${manifest.name === '@thgov/core' ? 120 : 200}`,
      },
    ];
  });

const fx = await makeFixtures(1);
const bare: Command = { bench: 'cold-start.node-e-0', args: ['-e', '0'], cwd: packagesDir };
// NODE_EXTRA_CA_CERTS makes every Node process read and parse that file as it starts, before any module loads (a
// system bundle of about 140 certificates took 50 ms here): part of every figure of this run, thgov's and the
// baseline's alike. Where it is set, one more line shows bare Node without it, so a reader can tell the machine's
// share of the absolute figures the targets name from the packages'.
const extraCaCerts = Boolean(process.env.NODE_EXTRA_CA_CERTS);
const bareWithoutExtraCas: Command[] = extraCaCerts
  ? [{ ...bare, bench: 'cold-start.node-e-0.without-node-extra-ca-certs', env: { NODE_EXTRA_CA_CERTS: '' } }]
  : [];
const commands: Command[] = [
  bare,
  ...bareWithoutExtraCas,
  ...publishable,
  {
    bench: 'cold-start.cli.transcript-verify-one-file',
    args: [bin, 'transcript', 'verify', '--trust', fx.root, fx.good[0] as string],
    cwd: fx.dir,
    target: 'value <= 250',
  },
  {
    bench: 'cold-start.cli.transcript-verify-one-file.no-compile-cache',
    args: [bin, 'transcript', 'verify', '--trust', fx.root, fx.good[0] as string],
    cwd: fx.dir,
    env: { NODE_DISABLE_COMPILE_CACHE: '1' },
  },
  { bench: 'cold-start.cli.doctor-help', args: [bin, 'doctor', '--help'], cwd: fx.dir },
];

let compileCache = 'none';
const wall = new Map<string, number[]>(commands.map((c) => [c.bench, []]));
const cpu = new Map<string, number[]>(commands.map((c) => [c.bench, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(k + r) % commands.length] as Command;
      const clock = cpuNow();
      const started = performance.now();
      const run = spawnSync(node, c.args, { cwd: c.cwd, env: { ...childEnv, ...c.env }, encoding: 'utf8' });
      wall.get(c.bench)?.push(performance.now() - started);
      cpu.get(c.bench)?.push(cpuSince(clock) / 1000);
      if (run.status !== 0) throw new Error(`${c.bench} exited ${run.status}: ${run.stderr.slice(0, 500)}`);
    }
  }
} finally {
  // Whether the command's compile cache was in use: the folder it keeps in the temporary HOME exists.
  compileCache = existsSync(join(home, '.cache', 'thgov', 'node-compile-cache')) ? 'on' : 'none';
  rmSync(fx.dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}

const round1 = (x: number) => Number(x.toFixed(1));
const baselineValue = median(wall.get(bare.bench) ?? []);
for (const c of commands) {
  if (c === bare) continue;
  const ms = wall.get(c.bench) ?? [];
  const value = median(ms);
  emitBenchLine({
    bench: c.bench,
    unit: 'ms',
    value: round1(value),
    baseline: 'node -e 0',
    baselineValue: round1(baselineValue),
    ratio: Number((value / baselineValue).toFixed(3)),
    overBaselineMs: round1(value - baselineValue),
    cpuMs: round1(median(cpu.get(c.bench) ?? [])),
    baselineCpuMs: round1(median(cpu.get(bare.bench) ?? [])),
    cpuRatio: Number((median(cpu.get(c.bench) ?? []) / median(cpu.get(bare.bench) ?? [])).toFixed(3)),
    rounds: ROUNDS,
    node: nodeVersion,
    nodeExtraCaCerts: extraCaCerts && c.env?.NODE_EXTRA_CA_CERTS !== '',
    ...(c.args[0] === bin ? { compileCache: c.env?.NODE_DISABLE_COMPILE_CACHE ? 'off' : compileCache } : {}),
    spread: { value: [round1(Math.min(...ms)), round1(Math.max(...ms))] },
    ...(c.target ? { target: c.target } : {}),
  });
}
