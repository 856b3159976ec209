/**
 * A vitest reporter that turns a hang into a failure that names its file. vitest's testTimeout and hookTimeout
 * end a test that waits too long, but not a worker blocked in synchronous code (a child process run with
 * spawnSync, a loop), nor a global set-up or teardown that never settles (a database that neither starts nor
 * stops): such a run prints nothing more and only CI's own limit ends it, with no word of where it stood.
 *
 * The main vitest process stays free in all those cases, so this reporter watches from there:
 * - a test file running longer than THGOV_TEST_FILE_LIMIT_MIN minutes (default 20: the longest chaos test may
 *   take 12);
 * - no test file started THGOV_TEST_FILE_LIMIT_MIN minutes after start-up (global set-up stuck);
 * - the process still alive THGOV_TEST_TEARDOWN_LIMIT_MIN minutes (default 3) after the run ended (teardown
 *   stuck).
 * It then prints what was running (files, and the tests in them that started and did not end), kills every
 * process this one started (workers, servers, their children) and exits with 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

const minutes = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return (Number.isFinite(v) && v > 0 ? v : fallback) * 60_000;
};

/** Every live process below `root` (Linux /proc; elsewhere none are found and only this process exits). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces and parentheses: state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift() as number) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export class WatchdogReporter implements Reporter {
  readonly #fileLimit = minutes('THGOV_TEST_FILE_LIMIT_MIN', 20);
  readonly #teardownLimit = minutes('THGOV_TEST_TEARDOWN_LIMIT_MIN', 3);
  readonly #started = Date.now();
  /** Files running, by module id: since when, and their tests that started and have not ended. */
  readonly #running = new Map<string, { since: number; tests: Set<string> }>();
  #anyFile = false;
  #timer: NodeJS.Timeout | undefined;

  onInit(): void {
    this.#timer = setInterval(() => this.#check(), 10_000);
    this.#timer.unref();
  }

  onTestModuleQueued(module: TestModule): void {
    this.#anyFile = true;
    this.#running.set(module.moduleId, { since: Date.now(), tests: new Set() });
  }

  onTestCaseReady(test: TestCase): void {
    this.#running.get(test.module.moduleId)?.tests.add(test.fullName);
  }

  onTestCaseResult(test: TestCase): void {
    this.#running.get(test.module.moduleId)?.tests.delete(test.fullName);
  }

  onTestModuleEnd(module: TestModule): void {
    this.#running.delete(module.moduleId);
  }

  onTestRunEnd(): void {
    if (this.#timer) clearInterval(this.#timer);
    // Unref'd: a process whose teardown finished exits without waiting for it.
    setTimeout(
      () =>
        this.#stop(
          `the run ended ${this.#teardownLimit / 60_000} min ago and its teardown (global set-up's stop, open handles) still holds the process`,
        ),
      this.#teardownLimit,
    ).unref();
  }

  #check(): void {
    const now = Date.now();
    if (!this.#anyFile && now - this.#started > this.#fileLimit) {
      this.#stop(`no test file started within ${this.#fileLimit / 60_000} min: the global set-up is stuck`);
      return;
    }
    for (const [file, run] of this.#running) {
      if (now - run.since <= this.#fileLimit) continue;
      const tests =
        [...run.tests].map((t) => `\n    running: ${t}`).join('') ||
        '\n    (no test of it reported as started: a blocked worker may not have said)';
      this.#stop(
        `${file} has run for more than ${this.#fileLimit / 60_000} min: something blocks its worker${tests}`,
        file,
      );
      return;
    }
  }

  #stop(why: string, named?: string): void {
    const others = [...this.#running.keys()]
      .filter((f) => f !== named)
      .map((f) => `\n  also running: ${f}`)
      .join('');
    process.stderr.write(`\n[thgov watchdog] ${why}${others}\n[thgov watchdog] stopping this run (exit 1)\n`);
    for (const pid of descendants(process.pid).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    process.exit(1);
  }
}
