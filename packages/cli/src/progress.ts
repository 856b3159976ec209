import type { CliIo } from './io.js';

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export class ProgressBar {
  private done = 0;
  private readonly enabled: boolean;
  constructor(
    private readonly io: CliIo,
    private readonly total: number,
  ) {
    this.enabled = io.stderr.isTTY === true && total > 1;
  }

  tick(): void {
    this.update(this.done + 1);
  }

  /** Sets the count directly (bytes sent, rows loaded). */
  update(done: number): void {
    this.done = done;
    if (!this.enabled) return;
    const width = Math.max(10, Math.min(40, (this.io.stderr.columns ?? 80) - 30));
    const filled = Math.round((Math.min(this.done, this.total) / this.total) * width);
    this.io.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}`);
  }

  finish(): void {
    if (this.enabled) this.io.stderr.write('\r\x1b[K');
  }
}
