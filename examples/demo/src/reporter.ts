import { redactText } from '@thgov/core';

export interface StepResult {
  title: string;
  ok: boolean;
  durationInMs: number;
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}`;
  }
  return String(err);
}

/**
 * Numbered steps with ✓/✗ and timings. Every line goes through `redactText` as a last line of defence:
 * the steps mask what they print, and anything they miss (a registered secret, a valid citizen ID in an
 * error message) is masked here.
 */
export class Reporter {
  readonly #write: (text: string) => void;
  readonly results: StepResult[] = [];

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  line(text = ''): void {
    this.#write(`${redactText(text)}\n`);
  }

  detail(text: string): void {
    this.line(`     ${text}`);
  }

  /** Runs one numbered step; returns its value, or undefined after printing the failure. */
  async step<T>(title: string, run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    const n = this.results.length + 1;
    this.line(`${String(n).padStart(2)}. ${title}`);
    const started = performance.now();
    try {
      const value = await run();
      const durationInMs = performance.now() - started;
      this.results.push({ title, ok: true, durationInMs });
      this.line(`     ✓ ${formatDuration(durationInMs)}`);
      return { ok: true, value };
    } catch (err) {
      const durationInMs = performance.now() - started;
      this.results.push({ title, ok: false, durationInMs });
      this.line(`     ✗ failed after ${formatDuration(durationInMs)}: ${describeError(err)}`);
      return { ok: false };
    }
  }

  summary(totalInMs: number): boolean {
    const failed = this.results.filter((r) => !r.ok);
    this.line();
    if (failed.length === 0) {
      this.line(`✓ demo passed: ${this.results.length} steps in ${formatDuration(totalInMs)}`);
      return true;
    }
    this.line(
      `✗ demo FAILED at step ${this.results.indexOf(failed[0] as StepResult) + 1} (${failed[0]?.title}) after ${formatDuration(totalInMs)}`,
    );
    return false;
  }
}
