import { spawn } from 'node:child_process';

/** What the benches need from a sandbox catalog running in its own process. */
export interface CatalogProcessInfo {
  url: string;
  token: string;
  packageId: string;
}

/**
 * Starts the sandbox agency catalog in a child process, so the server's memory and event loop are not the
 * client's: the benches measure the client alone.
 */
export async function startCatalogProcess(
  options: Record<string, unknown>,
): Promise<{ info: CatalogProcessInfo; stop(): void }> {
  const source = `
import { startAgencyCatalog } from '@thgov/sandbox';
const cat = await startAgencyCatalog(${JSON.stringify({ harvester: false, ...options })});
const res = await fetch(cat.url + '/api/3/action/package_show?id=annual-budget-2567');
const pkg = (await res.json()).result;
process.send({ url: cat.url, token: cat.accounts.editor.token, packageId: pkg.id });
process.on('disconnect', () => cat.close().then(() => process.exit(0)));
`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    cwd: new URL('..', import.meta.url),
  });
  const info = await new Promise<CatalogProcessInfo>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as CatalogProcessInfo));
    proc.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return { info, stop: () => proc.disconnect() };
}

/** Samples resident memory while `run` runs; returns the peak growth over the level before it, in MiB. */
export async function peakRssGrowth<T>(run: () => Promise<T>): Promise<{ result: T; peakGrowthMiB: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakGrowthMiB: Number(((peak - before) / 1024 / 1024).toFixed(1)) };
  } finally {
    clearInterval(timer);
  }
}

/** CPU milliseconds (user + system) `run` took in this process. */
export async function cpuMs<T>(run: () => Promise<T>): Promise<{ result: T; cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { result, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}
