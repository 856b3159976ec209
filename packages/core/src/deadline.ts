import { AbortError, isThGovError, type ThGovError, TimeoutError } from './errors.js';

/**
 * One operation's end: the caller's AbortSignal and a total deadline folded into one signal whose reason
 * is always a thgov error (AbortError, or the deadline's TimeoutError). The transport, the GDX client
 * (token acquisition shared between callers) and the digital-ID client (openid-client calls) all use it.
 */

/** What `startDeadline` folds into one signal. */
export interface DeadlineOptions {
  /** The caller's signal; its abort becomes an AbortError (or its reason, when that is a thgov error). */
  abortSignal?: AbortSignal | undefined;
  /** Milliseconds from now; undefined = no deadline. */
  timeoutInMs?: number | undefined;
  /** The error the deadline aborts with (default `new TimeoutError('total', timeoutInMs)`): add request context. */
  onTimeout?: ((timeoutInMs: number) => ThGovError) | undefined;
}

/** A running deadline: its signal, the time left, and `dispose()` for when the operation ends. */
export interface Deadline {
  /** Aborts on the caller's abort or at the deadline; undefined when there is neither. */
  readonly signal: AbortSignal | undefined;
  readonly timeoutInMs: number | undefined;
  /** Milliseconds left (Infinity without a deadline; may be negative once passed). */
  remainingInMs(): number;
  /** Stops the timer and the listener on the caller's signal. Call it when the operation ends. */
  dispose(): void;
}

/**
 * The longest delay a Node timer holds (2^31-1 ms, 24.8 days): a longer one fires after 1 ms, with only a
 * TimeoutOverflowWarning to say so.
 */
const LONGEST_TIMER_IN_MS = 2 ** 31 - 1;

const NO_DEADLINE: Deadline = {
  signal: undefined,
  timeoutInMs: undefined,
  remainingInMs: () => Number.POSITIVE_INFINITY,
  dispose: () => undefined,
};

/**
 * Starts a deadline. Throws the abort error at once when the caller's signal already fired.
 *
 * @example
 * ```ts
 * const deadline = startDeadline({ abortSignal: options.abortSignal, timeoutInMs: 30_000 });
 * try {
 *   return await doWork(deadline.signal);
 * } finally {
 *   deadline.dispose();
 * }
 * ```
 */
export function startDeadline(options: DeadlineOptions = {}): Deadline {
  const { abortSignal, timeoutInMs } = options;
  if (abortSignal?.aborted) throw abortReason(abortSignal);
  if (!abortSignal && timeoutInMs === undefined) return NO_DEADLINE;
  const started = performance.now();
  const controller = new AbortController();
  let onAbort: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (abortSignal) {
    onAbort = () => controller.abort(abortReason(abortSignal));
    abortSignal.addEventListener('abort', onAbort, { once: true });
  }
  const remainingInMs = () =>
    timeoutInMs === undefined ? Number.POSITIVE_INFINITY : started + timeoutInMs - performance.now();
  if (timeoutInMs !== undefined) {
    // A deadline longer than one timer holds is waited for in several, one after the other.
    let left = timeoutInMs;
    const arm = () => {
      const wait = Math.min(left, LONGEST_TIMER_IN_MS);
      left -= wait;
      timer = setTimeout(left > 0 ? arm : fire, wait);
    };
    const fire = () =>
      controller.abort(options.onTimeout?.(timeoutInMs) ?? new TimeoutError('total', timeoutInMs));
    arm();
  }
  return {
    signal: controller.signal,
    timeoutInMs,
    remainingInMs,
    dispose: () => {
      if (timer) clearTimeout(timer);
      if (onAbort) abortSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * A fired signal's reason as a thgov error: the reason itself when it is one (a deadline further up),
 * else an AbortError carrying it.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortReason(signal);
 * ```
 */
export function abortReason(signal: AbortSignal): ThGovError {
  return isThGovError(signal.reason) ? signal.reason : new AbortError(signal.reason);
}

/**
 * Settles like `promise`, or rejects with the signal's reason (see `abortReason`) as soon as it fires. The
 * promise itself runs on: for work shared by several callers (one token validate), where one caller's
 * deadline must not fail the others.
 *
 * @example
 * ```ts
 * const token = await raceSignal(tokens.get(agentId), deadline.signal);
 * ```
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
