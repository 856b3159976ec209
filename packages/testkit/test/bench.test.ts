import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BENCH_QUICK_ENV, compareRounds, emitBenchLine, median, missingBaselineTool } from '../src/bench.js';

/** Burns `ms` of user CPU (bounded in wall time too: a machine whose CPU clock stalls must not hang the run). */
const busy = (ms: number) => {
  const end = process.cpuUsage().user + ms * 1000;
  const wallEnd = Date.now() + 100 * ms;
  while (process.cpuUsage().user < end && Date.now() < wallEnd) {
    // burn CPU
  }
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('compareRounds', () => {
  it('reports medians, ratios and paired spreads of both sides', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const line = await compareRounds({
      bench: 'testkit.selftest',
      kind: 'throughput',
      unit: 'ops/s',
      baseline: 'half the work',
      opsPerRound: 2,
      rounds: 3,
      // Long enough that CPU other threads of this process spend meanwhile (GC, the runner) stays small beside it.
      thgov: () => busy(80),
      baselineSide: () => busy(40),
    });
    expect(line.bench).toBe('testkit.selftest');
    expect(line.rounds).toBe(3);
    // CPU time, not wall time: twice the work costs about twice the CPU whatever the machine load.
    expect(line.cpuPerOpUs).toBeGreaterThanOrEqual(40_000);
    expect(line.baselineCpuPerOpUs).toBeGreaterThanOrEqual(20_000);
    expect(line.cpuRatio).toBeGreaterThan(1.2);
    expect(line.throughputRatio).toBeCloseTo((line.value as number) / (line.baselineValue as number), 2);
    const [lo, hi] = line.spread.cpuRatio as [number, number];
    expect(lo).toBeLessThanOrEqual(hi);
    expect(line.spread.cpuPerOpUs?.[0]).toBeLessThanOrEqual(line.cpuPerOpUs);
    expect(line.baselineMissing).toBeUndefined();
  });

  it('counts the CPU of child processes that exit during a round', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const burn =
      'const end = process.cpuUsage().user + 300000, wall = Date.now() + 30000; while (process.cpuUsage().user < end && Date.now() < wall) {}';
    const line = await compareRounds({
      bench: 'testkit.child-cpu',
      kind: 'time',
      unit: 'ms',
      baseline: 'none',
      opsPerRound: 1,
      rounds: 1,
      warmupRounds: 0,
      thgov: () => spawnSync(process.execPath, ['-e', burn], { timeout: 60_000, killSignal: 'SIGKILL' }),
      baselineSide: () => undefined,
    });
    // The parent only waits; the 300 ms are the child's (read at 10 ms resolution).
    expect(line.cpuPerOpUs).toBeGreaterThanOrEqual(250_000);
  });

  it('names a missing baseline instead of giving it a figure', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const line = await compareRounds({
      bench: 'testkit.no-baseline',
      kind: 'time',
      unit: 'ms',
      baseline: 'pdfsig',
      opsPerRound: 1,
      rounds: 1,
      thgov: () => undefined,
      baselineMissing: 'pdfsig',
    });
    expect(line.baselineMissing).toBe('pdfsig');
    expect(line).not.toHaveProperty('baselineValue');
    expect(line).not.toHaveProperty('cpuRatio');
  });
});

describe('emitBenchLine', () => {
  it('fails the process under CI=true when the baseline is missing, not otherwise', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('CI', '');
    emitBenchLine({ bench: 'x', baselineMissing: 'pdfsig' });
    expect(process.exitCode).toBeUndefined();
    vi.stubEnv('CI', 'true');
    emitBenchLine({ bench: 'x', baselineMissing: 'pdfsig' });
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(String(out.mock.calls[1]?.[0]))).toMatchObject({ baselineMissing: 'pdfsig' });
  });

  it('leaves the target out of a quick run and marks the line', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv(BENCH_QUICK_ENV, '1');
    emitBenchLine({ bench: 'x', value: 1, target: 'value <= 1' });
    const printed = JSON.parse(String(out.mock.calls[0]?.[0]));
    expect(printed).toEqual({ bench: 'x', value: 1, quick: true });
  });
});

describe('helpers', () => {
  it('takes the middle of odd and the mean of the two middles of even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('names a command that is not on PATH', () => {
    expect(missingBaselineTool('thgov-no-such-tool-xyz')).toBe('thgov-no-such-tool-xyz');
    expect(missingBaselineTool('node')).toBeUndefined();
  });
});
