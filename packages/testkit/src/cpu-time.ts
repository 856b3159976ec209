/**
 * Work bounds for attack tests. A test that checks "hostile input is answered in bounded time" must not
 * measure wall time: on a shared CI machine, other test processes and neighbours can stretch a 50 ms read to
 * seconds, and the test fails for the machine's load, not for the code. What such a test guards against is
 * a read gone quadratic (or a hang), which costs minutes of CPU, so it is measured in CPU time: what this
 * process itself spent (user + system, all its threads), which other processes do not inflate. Limits stay
 * generous, tens of times what a linear read costs; speed itself is measured by the benchmarks in `bench/`.
 */

/** CPU milliseconds (user + system) this process has spent since `since` (a `process.cpuUsage()` value). */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** CPU milliseconds this process spends running `run` (synchronous). */
export function cpuMsOf(run: () => unknown): number {
  const since = process.cpuUsage();
  run();
  return cpuMsSince(since);
}

/**
 * CPU milliseconds this process spends until `run`'s promise settles. Everything else the process does
 * meanwhile (a server it hosts, timers) is counted too: an upper bound, which only makes a limit stricter.
 */
export async function cpuMsOfAsync(run: () => Promise<unknown>): Promise<number> {
  const since = process.cpuUsage();
  await run();
  return cpuMsSince(since);
}
