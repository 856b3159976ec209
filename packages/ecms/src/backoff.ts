/** Exponential backoff with jitter between polls or retries of the inbox and outbox. */
export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  baseInMs?: number;
  /** Cap. Default 60 s. */
  maxInMs?: number;
}

/** Full-jitter exponential backoff: a uniform draw in [0, min(max, base·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseInMs ?? 500;
  const max = options.maxInMs ?? 60_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Resolves after `ms`, or at once when the signal aborts (graceful stop must not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
