import { spawnSync } from 'node:child_process';

/** Where and how long {@link runScriptInChild} runs a script. */
export interface ChildScriptOptions {
  /** The folder the script runs in: its `import('./src/…')` paths are relative to it (a package's folder). */
  cwd: string;
  /** Killed after this long (default 30 s): a safety net for a hang, not a timing assertion. */
  timeoutInMs?: number;
  /** Added to the environment (a long input is easier to pass here than inside the script's text). */
  env?: Record<string, string>;
}

/**
 * Runs `script`, the body of an ES module (TypeScript, through tsx), in a fresh Node process and returns the
 * JSON value of the last line it printed; `undefined` when it was still running after the time limit and was
 * killed. For attack tests on input that could hold a process in synchronous code (a regular expression or a
 * scan gone quadratic): a hang then fails the test's assertion instead of blocking the whole run. A script that
 * fails (exit status not 0) throws with its standard error.
 */
export function runScriptInChild(script: string, options: ChildScriptOptions): unknown {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutInMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  if (run.signal === 'SIGKILL') return undefined;
  if (run.status !== 0) throw new Error(`the child script failed (exit ${run.status}): ${run.stderr}`);
  const last = run.stdout.trim().split('\n').at(-1);
  if (last === undefined || last === '') throw new Error(`the child script printed nothing: ${run.stderr}`);
  return JSON.parse(last);
}
