import { isThGovError } from '@thgov/core';
import type { SafeLogger } from '@thgov/core/internal';

/** Default wait between two clock checks of a running worker: 15 minutes. */
export const DEFAULT_CLOCK_CHECK_INTERVAL_MS = 15 * 60_000;
/** Default skew above which the node's clock is reported: 120 s. */
export const DEFAULT_CLOCK_SKEW_WARNING_MS = 120_000;

export interface ClockCheckOptions {
  /** One check: the node's clock compared with ours (`EcmsClient.timeCheck`). */
  timeCheck: () => Promise<{ skewInMs: number }>;
  log: SafeLogger;
  /** Wait between checks after the first one; 0 checks only once, at start. Default 15 min. */
  intervalInMs?: number;
  /** Report a skew larger than this (either direction). Default 120 s. */
  warningInMs?: number;
  /** A skew over the limit (each check that finds one). */
  onSkew?: (skewInMs: number) => void;
  /** The check itself failed (node down, fault, unreadable answer): the clock is then unknown. */
  onFailure?: (err: unknown) => void;
}

/**
 * The node's clock, checked at start and then periodically. Registration dates and CorrespondenceDates depend
 * on it, so both a large skew and a check that cannot be made are reported (log + hooks), never swallowed.
 * A failing hook never stops the checks.
 */
export class ClockCheck {
  readonly #o: ClockCheckOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #failing = false;
  #inFlight: Promise<number | undefined> | undefined;
  #last: { skewInMs: number; at: Date } | undefined;

  constructor(options: ClockCheckOptions) {
    this.#o = options;
  }

  /** The last successful check, if any. */
  get last(): { skewInMs: number; at: Date } | undefined {
    return this.#last;
  }

  /** Runs the first check (its outcome is reported, not thrown), then schedules the next ones. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.check();
    this.#schedule();
  }

  /** Ends the periodic checks; waits for a check in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** One check now. Resolves to the skew, or undefined when the check failed (reported through `onFailure`). */
  check(): Promise<number | undefined> {
    this.#inFlight ??= this.#checkOnce().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  #schedule(): void {
    const every = this.#o.intervalInMs ?? DEFAULT_CLOCK_CHECK_INTERVAL_MS;
    if (!this.#running || every <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.check().then(() => this.#schedule());
    }, every);
    this.#timer.unref?.();
  }

  async #checkOnce(): Promise<number | undefined> {
    let skewInMs: number;
    try {
      ({ skewInMs } = await this.#o.timeCheck());
    } catch (err) {
      this.#failing = true;
      this.#o.log.warn('The e-CMS clock check failed; the node clock is unknown', {
        code: isThGovError(err) ? err.code : 'ERR_UNKNOWN',
      });
      try {
        this.#o.onFailure?.(err);
      } catch {
        // A failing hook must not stop the checks.
      }
      return undefined;
    }
    if (this.#failing) {
      this.#failing = false;
      this.#o.log.info('The e-CMS clock check works again', { skewInMs: Math.round(skewInMs) });
    }
    this.#last = { skewInMs, at: new Date() };
    if (Math.abs(skewInMs) > (this.#o.warningInMs ?? DEFAULT_CLOCK_SKEW_WARNING_MS)) {
      this.#o.log.warn('The e-CMS node clock differs from the local clock', {
        skewInMs: Math.round(skewInMs),
      });
      try {
        this.#o.onSkew?.(skewInMs);
      } catch {
        // A failing hook must not stop the checks.
      }
    }
    return skewInMs;
  }
}
