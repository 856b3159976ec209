import { AbortError } from '@thgov/core';

/**
 * Client-side politeness for bulk work: a token bucket spaces the start of calls (`requestsPerSecond`, bursts
 * up to the same number) and a semaphore caps the calls in flight (`maxConcurrency`). Waiters are served in
 * arrival order and leave the queue at once when their AbortSignal fires.
 */
export class Politeness {
  readonly #ratePerMs: number | undefined;
  readonly #burst: number;
  readonly #maxConcurrency: number;
  #tokens: number;
  #refilledAt = performance.now();
  #inFlight = 0;
  readonly #queue: Array<{ go: () => void }> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(requestsPerSecond: number | false, maxConcurrency: number) {
    this.#ratePerMs = requestsPerSecond === false ? undefined : requestsPerSecond / 1000;
    this.#burst = requestsPerSecond === false ? Number.POSITIVE_INFINITY : Math.max(1, requestsPerSecond);
    this.#tokens = this.#burst;
    this.#maxConcurrency = maxConcurrency;
  }

  /** Calls in flight now (for tests and metrics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs `fn` when a slot and a token are free. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await fn();
    } finally {
      this.#inFlight--;
      this.#drain();
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    if (this.#queue.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(new AbortError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#drain();
    });
  }

  #tryTake(): boolean {
    if (this.#inFlight >= this.#maxConcurrency) return false;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    this.#inFlight++;
    return true;
  }

  #refill(): void {
    if (this.#ratePerMs === undefined) return;
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) * this.#ratePerMs);
    this.#refilledAt = now;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#tryTake()) this.#queue.shift()?.go();
    if (this.#queue.length === 0 || this.#timer || this.#inFlight >= this.#maxConcurrency) return;
    // Waiting for a token, not a slot: wake up when the next one is due.
    const waitInMs = this.#ratePerMs === undefined ? 0 : Math.ceil((1 - this.#tokens) / this.#ratePerMs);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#drain();
      },
      Math.max(1, waitInMs),
    );
  }
}
