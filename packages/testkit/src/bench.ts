import { readFileSync, writeFileSync } from 'node:fs';
import { onPath } from './on-path.js';

/**
 * The shared measuring loop of the workspace benchmarks (`packages/<pkg>/bench/*.bench.ts`, run by
 * `pnpm bench`). Wall-clock throughput on a shared machine swings with whatever else runs; CPU time spent by
 * the measuring process per operation does not, so every comparison reports both, for thgov and for its named
 * baseline, from interleaved rounds, as medians with their spread.
 */

/** Set by `pnpm bench --quick` (scripts/bench.mjs): few iterations, no targets, a smoke run of every bench. */
export const BENCH_QUICK_ENV = 'THGOV_BENCH_QUICK';

/**
 * True when the benches run as a smoke test (`pnpm bench --quick`, or `--quick` on the bench's own command line).
 *
 * @example
 * ```ts
 * const rounds = isQuickBench() ? 2 : 8;
 * ```
 */
export function isQuickBench(): boolean {
  return process.env[BENCH_QUICK_ENV] === '1' || process.argv.includes('--quick');
}

/**
 * `full` in a measuring run, `quick` in a smoke run.
 *
 * @example
 * ```ts
 * const REQUESTS_PER_ROUND = sized(8_000, 300);
 * ```
 */
export function sized<T>(full: T, quick: T): T {
  return isQuickBench() ? quick : full;
}

/** CPU microseconds used so far: this process (user + system) plus its children that have exited. */
export interface CpuClock {
  selfUs: number;
  childrenUs: number;
}

// USER_HZ, the unit of /proc/<pid>/stat times, is 100 on every Linux ABI Node supports.
const TICKS_PER_SECOND = 100;

/**
 * CPU time of the children this process has waited for (spawnSync, or an async child after its exit event),
 * from /proc/self/stat (cutime + cstime, in clock ticks: 10 ms resolution). 0 where /proc is absent.
 */
function childrenCpuUs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Reads the CPU clocks; pass the result to {@link cpuSince}. */
export function cpuNow(): CpuClock {
  const self = process.cpuUsage();
  return { selfUs: self.user + self.system, childrenUs: childrenCpuUs() };
}

/** CPU microseconds since `start`: this process plus the children that exited in between. */
export function cpuSince(start: CpuClock): number {
  const now = cpuNow();
  return now.selfUs - start.selfUs + (now.childrenUs - start.childrenUs);
}

/** A measured round: `run` does `opsPerRound` operations; `cleanup` runs after the measurement. */
export interface PreparedRound {
  run: () => unknown;
  cleanup?: () => unknown;
}

/**
 * One side of a comparison: a function doing `opsPerRound` operations (all of it measured), or a `prepare`
 * that makes a round's inputs outside the measured section (logins before callbacks, a fresh table before a
 * load) and returns the round to measure.
 */
export type BenchSide = (() => unknown) | { prepare: () => PreparedRound | Promise<PreparedRound> };

/** What {@link compareRounds} measures. */
export interface ComparisonSpec {
  /** Stable benchmark id, e.g. `core.transport.get-throughput.c64`. */
  bench: string;
  /** `throughput`: `value` is operations per second; `time`: `value` is milliseconds per operation. */
  kind: 'throughput' | 'time';
  /** Unit of `value`, e.g. `req/s` or `ms`. */
  unit: string;
  /** Name of the baseline measured in the same run. */
  baseline: string;
  /** Operations one call of a side's `run` performs. */
  opsPerRound: number;
  /** Measured rounds per side (interleaved, the order alternating), after `warmupRounds`. */
  rounds: number;
  /** Unmeasured rounds per side first (JIT, connections, caches). Default 1. */
  warmupRounds?: number;
  thgov: BenchSide;
  /** The baseline side; omit it with `baselineMissing` when it cannot run here. */
  baselineSide?: BenchSide;
  /** Why the baseline could not run (the missing tool's name, e.g. `pdfsig`). */
  baselineMissing?: string;
  /** The target the figure is judged against (left out of quick runs). */
  target?: string;
}

/** One JSON result line (see bench/README.md for the meaning of each field). */
export interface BenchLine {
  bench: string;
  unit: string;
  value: number;
  baseline: string;
  baselineValue?: number;
  ratio?: number;
  throughputRatio?: number;
  cpuPerOpUs: number;
  baselineCpuPerOpUs?: number;
  cpuRatio?: number;
  rounds: number;
  opsPerRound: number;
  spread: Record<string, [number, number]>;
  baselineMissing?: string;
  quick?: true;
  target?: string;
  [extra: string]: unknown;
}

interface Sample {
  wallMs: number;
  cpuUs: number;
}

async function measureRound(side: BenchSide): Promise<Sample> {
  const round: PreparedRound = typeof side === 'function' ? { run: side } : await side.prepare();
  const cpu = cpuNow();
  const started = performance.now();
  await round.run();
  const wallMs = performance.now() - started;
  const cpuUs = cpuSince(cpu);
  await round.cleanup?.();
  return { wallMs, cpuUs };
}

/**
 * Median of `xs` (the mean of the two middle values for an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const round3 = (x: number) => Number(x.toPrecision(4));
const range = (xs: number[]): [number, number] => [round3(Math.min(...xs)), round3(Math.max(...xs))];

/**
 * Runs interleaved rounds of thgov and its baseline and returns the result line: medians over the rounds of
 * throughput (or time per operation) and of CPU microseconds per operation (this process plus children that
 * exited during the round: a server the bench keeps running in a child process is not counted), the ratios,
 * and the min–max spread over the rounds. Print it with {@link emitBenchLine}.
 *
 * @example
 * ```ts
 * const line = await compareRounds({
 *   bench: 'core.transport.get-throughput.c64', kind: 'throughput', unit: 'req/s',
 *   baseline: 'undici.request', opsPerRound: 2000, rounds: 5,
 *   thgov: () => burst(2000, thgovOnce), baselineSide: () => burst(2000, rawOnce),
 * });
 * emitBenchLine(line);
 * ```
 */
export async function compareRounds(spec: ComparisonSpec): Promise<BenchLine> {
  const { opsPerRound: ops } = spec;
  const sides: Array<['thgov' | 'baseline', BenchSide]> = [['thgov', spec.thgov]];
  if (spec.baselineSide) sides.push(['baseline', spec.baselineSide]);
  for (let w = 0; w < (spec.warmupRounds ?? 1); w++) for (const [, side] of sides) await measureRound(side);
  const samples: Record<'thgov' | 'baseline', Sample[]> = { thgov: [], baseline: [] };
  for (let r = 0; r < spec.rounds; r++) {
    // Alternate who goes first, so a drift in machine load does not always favour the same side.
    for (const [key, side] of r % 2 === 0 ? sides : [...sides].reverse()) {
      const s = await measureRound(side);
      samples[key].push(s);
      process.stderr.write(
        `  ${spec.bench} ${key} round ${r + 1}: ${(s.wallMs / ops).toFixed(3)} ms/op, ${(s.cpuUs / ops).toFixed(1)} µs CPU/op\n`,
      );
    }
  }
  const perOp = (xs: Sample[]) => ({
    opsPerSecond: xs.map((s) => ops / (s.wallMs / 1000)),
    msPerOp: xs.map((s) => s.wallMs / ops),
    cpuPerOpUs: xs.map((s) => s.cpuUs / ops),
  });
  const ours = perOp(samples.thgov);
  const headline = (p: ReturnType<typeof perOp>) =>
    spec.kind === 'throughput' ? median(p.opsPerSecond) : median(p.msPerOp);
  const value = headline(ours);
  const line: BenchLine = {
    bench: spec.bench,
    unit: spec.unit,
    value: round3(value),
    baseline: spec.baseline,
    cpuPerOpUs: round3(median(ours.cpuPerOpUs)),
    rounds: spec.rounds,
    opsPerRound: ops,
    spread: { cpuPerOpUs: range(ours.cpuPerOpUs) },
  };
  if (spec.baselineSide) {
    const theirs = perOp(samples.baseline);
    const baselineValue = headline(theirs);
    const paired = (a: number[], b: number[]) => a.map((x, i) => x / (b[i] as number));
    line.baselineValue = round3(baselineValue);
    line.ratio = round3(value / baselineValue);
    // From the headline medians, so that it agrees with `ratio` (for time: the inverse).
    line.throughputRatio = round3(spec.kind === 'throughput' ? value / baselineValue : baselineValue / value);
    line.baselineCpuPerOpUs = round3(median(theirs.cpuPerOpUs));
    line.cpuRatio = round3(median(ours.cpuPerOpUs) / median(theirs.cpuPerOpUs));
    line.spread = {
      ...line.spread,
      baselineCpuPerOpUs: range(theirs.cpuPerOpUs),
      cpuRatio: range(paired(ours.cpuPerOpUs, theirs.cpuPerOpUs)),
      throughputRatio: range(paired(ours.opsPerSecond, theirs.opsPerSecond)),
    };
  } else {
    line.baselineMissing = spec.baselineMissing ?? 'baseline';
  }
  if (spec.target) line.target = spec.target;
  // Headline figures first, spread last: the order a reader scans a line in.
  const order = [
    'bench',
    'unit',
    'value',
    'baseline',
    'baselineValue',
    'ratio',
    'throughputRatio',
    'cpuPerOpUs',
  ];
  order.push(
    'baselineCpuPerOpUs',
    'cpuRatio',
    'baselineMissing',
    'rounds',
    'opsPerRound',
    'spread',
    'target',
  );
  return Object.fromEntries(order.filter((k) => line[k] !== undefined).map((k) => [k, line[k]])) as BenchLine;
}

/**
 * The name of `command` when it is not on PATH (for {@link ComparisonSpec.baselineMissing}), else undefined.
 *
 * @example
 * ```ts
 * const missing = missingBaselineTool('pdfsig');
 * ```
 */
export function missingBaselineTool(command: string): string | undefined {
  return onPath(command, process.env.PATH) ? undefined : command;
}

/**
 * Prints one result line as JSON on stdout (what scripts/bench.mjs collects). In a quick run the target is
 * left out and `quick: true` is added. A line with `baselineMissing` sets a failing exit code under `CI=true`:
 * a CI machine is expected to have every baseline.
 *
 * @example
 * ```ts
 * emitBenchLine({ ...(await compareRounds(spec)), peakRssGrowthMiB: 12 });
 * ```
 */
export function emitBenchLine(line: Record<string, unknown> & { bench: string }): void {
  const out: Record<string, unknown> = { ...line };
  if (isQuickBench()) {
    delete out.target;
    out.quick = true;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  if (out.baselineMissing !== undefined) {
    process.stderr.write(`! ${line.bench}: baseline not run (${String(out.baselineMissing)} missing)\n`);
    if (process.env.CI === 'true') process.exitCode = 1;
  }
}

/**
 * A peak-memory meter for a measuring child process: `start()` before the work, `growthBytes()` after it gives
 * how far resident memory rose above its level at `start()` at the highest point in between.
 *
 * `process.resourceUsage().maxRSS` cannot say that. On Linux it keeps, across `exec`, the peak of the process
 * that spawned the child: a bench whose parent held 200 MB saw every child "peak" at 200 MB, whatever the child
 * did (the same child measured 3.4 times its payload from a shell and 9.3 times from the bench). It also counts
 * the child's own start-up. Here, on Linux, the peak is reset at `start()` (`/proc/self/clear_refs`, "5") and
 * read from `/proc/self/status` (VmHWM), both of this process alone. Elsewhere it falls back to `maxRSS`, and
 * says so in `source`.
 */
export function peakMemoryMeter(): { start(): void; growthBytes(): number; source: string } {
  let before = 0;
  let linux = false;
  const vmHwm = (): number | undefined => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    get source() {
      return linux ? 'VmHWM after clear_refs' : 'maxRSS';
    },
    start() {
      try {
        writeFileSync('/proc/self/clear_refs', '5');
        linux = vmHwm() !== undefined;
      } catch {
        linux = false;
      }
      before = process.memoryUsage().rss;
    },
    growthBytes() {
      const peak = (linux ? vmHwm() : undefined) ?? process.resourceUsage().maxRSS * 1024;
      return peak - before;
    },
  };
}
