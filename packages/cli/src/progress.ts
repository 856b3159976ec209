import { type CliIo, type CliWriter, rawWriter } from './io.js';
import { escapeControls } from './terminal-text.js';

const CLEAR_LINE = '\r\x1b[K';

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export class ProgressBar {
  private done = 0;
  private readonly enabled: boolean;
  private readonly out: CliWriter;
  constructor(
    private readonly io: CliIo,
    private readonly total: number,
  ) {
    this.enabled = io.stderr.isTTY === true && total > 1;
    // The bar's own \r and erase sequence must reach the terminal; it holds nothing but digits and #/-.
    this.out = rawWriter(io.stderr);
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
    this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}`);
  }

  finish(): void {
    if (this.enabled) this.out.write(CLEAR_LINE);
  }
}

/**
 * "What is running now, for how long" on one stderr line, redrawn every second: a check that waits on a silent
 * server shows its seconds counting instead of a frozen screen. Only when enabled (a terminal, text output);
 * `clear()` before anything else is printed, so results and the line never mix.
 */
export class StatusLine {
  private text = '';
  private started = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly out: CliWriter;
  constructor(
    io: CliIo,
    private readonly enabled: boolean,
  ) {
    this.out = rawWriter(io.stderr);
  }

  show(text: string): void {
    if (!this.enabled) return;
    this.text = escapeControls(text);
    this.started = performance.now();
    this.draw();
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
  }

  clear(): void {
    if (this.enabled && this.text) this.out.write(CLEAR_LINE);
  }

  stop(): void {
    this.clear();
    this.text = '';
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private draw(): void {
    if (!this.text) return;
    const seconds = Math.floor((performance.now() - this.started) / 1000);
    this.out.write(`${CLEAR_LINE}… ${this.text}${seconds > 0 ? ` (${seconds} s)` : ''}`);
  }
}
