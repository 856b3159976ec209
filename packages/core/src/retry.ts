import { AbortError, isThGovError, type ThGovError } from './errors.js';
import { lazyRegExp } from './lazy-regexp.js';

/** Retry policy of a client. One retry layer only: this one, around the whole operation. */
export interface RetryOptions {
  /** Retries after the first attempt (0–10). Default 3. */
  maxRetries?: number;
  /** Base of the exponential backoff (full jitter: a uniform draw in [0, min(max, base·2^n)]). Default 250 ms. */
  baseDelayInMs?: number;
  /** Cap of one backoff delay. Default 8 s. */
  maxDelayInMs?: number;
  /** A server's Retry-After is honoured up to this; longer waits are clamped to it. Default 30 s. */
  maxRetryAfterInMs?: number;
  /** Retry budget shared by all calls of one client; `false` disables it. */
  budget?: RetryBudgetOptions | false;
}

/** Options of `RetryBudget`: how many retries a client may spend, and what a success earns back. */
export interface RetryBudgetOptions {
  /** Tokens available when the budget is full. Default 100. */
  capacity?: number;
  /**
   * Tokens one retry costs. Default 2: with one token back per success, retries continue while fewer than
   * about a third of calls fail, and stop when an upstream is failing for nearly everyone.
   */
  retryCost?: number;
  /** Tokens a retry after a timeout costs (timeouts are the most expensive for a struggling upstream). Default 5. */
  timeoutRetryCost?: number;
  /** Tokens a successful call gives back. Default 1. */
  successRefund?: number;
}

export interface ResolvedRetryOptions {
  maxRetries: number;
  baseDelayInMs: number;
  maxDelayInMs: number;
  maxRetryAfterInMs: number;
}

export function resolveRetryOptions(o: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (o === false) return { maxRetries: 0, baseDelayInMs: 0, maxDelayInMs: 0, maxRetryAfterInMs: 0 };
  return {
    maxRetries: o?.maxRetries ?? 3,
    baseDelayInMs: o?.baseDelayInMs ?? 250,
    maxDelayInMs: o?.maxDelayInMs ?? 8_000,
    maxRetryAfterInMs: o?.maxRetryAfterInMs ?? 30_000,
  };
}

/**
 * A token bucket in the style of the AWS SDKs' standard retry mode: retries spend tokens, successes
 * refill them. When an upstream fails for everyone, the bucket empties and calls fail fast instead of
 * multiplying the load on it.
 */
export class RetryBudget {
  readonly capacity: number;
  readonly #retryCost: number;
  readonly #timeoutRetryCost: number;
  readonly #refund: number;
  #tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.capacity = options.capacity ?? 100;
    this.#retryCost = options.retryCost ?? 2;
    this.#timeoutRetryCost = options.timeoutRetryCost ?? 5;
    this.#refund = options.successRefund ?? 1;
    this.#tokens = this.capacity;
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of one retry; false when the budget cannot pay it. */
  tryAcquire(afterTimeout: boolean): boolean {
    const cost = afterTimeout ? this.#timeoutRetryCost : this.#retryCost;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  onSuccess(): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + this.#refund);
  }
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)]. */
export function fullJitterDelay(
  retryIndex: number,
  o: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(o.maxDelayInMs, o.baseDelayInMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP date. Returns milliseconds clamped to
 * [0, max], or undefined when absent or unparsable.
 */
export function parseRetryAfter(
  value: string | undefined | null,
  maxInMs: number,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(v)) {
    ms = Number(v) * 1000;
  } else if (HTTP_DATE().test(v)) {
    // RFC 850's two-digit year spelled out; asctime has no zone and means GMT (Date.parse would take local time).
    const spelled = v.replace(RFC850_YEAR, (_m, yy: string) => ` ${rfc850Year(yy, now)} `);
    const date = Date.parse(spelled.endsWith('GMT') ? spelled : `${spelled} GMT`);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  } else {
    // Anything else ("1.5", "-5", an ISO date) is not a Retry-After (RFC 9110 §10.2.3): ignored, not "now".
    return undefined;
  }
  return Math.max(0, Math.min(ms, maxInMs));
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850, asctime. */
const HTTP_DATE = lazyRegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT` +
    `|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT` +
    `|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);
/** The two-digit year of an RFC 850 date, spelled out for Date.parse. */
const RFC850_YEAR = /-(\d{2}) (?=\d{2}:)/;

/** RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is in the past century. */
function rfc850Year(yy: string, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = Math.floor(current / 100) * 100 + Number(yy);
  if (year > current + 50) year -= 100;
  return year;
}

export interface RetryAttemptInfo {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  error: ThGovError;
  /** How long the loop waits before the next attempt. */
  delayInMs: number;
  /** Where the delay came from. */
  delaySource: 'backoff' | 'retry-after';
}

export interface RunWithRetryOptions {
  policy: ResolvedRetryOptions;
  budget: RetryBudget | undefined;
  signal: AbortSignal | undefined;
  /** Whether this operation may be repeated at all (idempotent, or carrying an idempotency key). */
  repeatable: boolean;
  /** Milliseconds left before the operation's total deadline, if any. */
  remainingInMs: () => number;
  onRetry: (info: RetryAttemptInfo) => void;
  random?: () => number;
}

/** Errors that say the request never reached the server: safe to repeat whatever the method. */
export function isNotSentError(error: ThGovError): boolean {
  return error.notSent === true;
}

/** Methods the transport repeats without being told. */
const IDEMPOTENT_METHODS = new Set<string>(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Whether a call is idempotent: `idempotent` when the caller said so, otherwise by its method. */
export function isIdempotentCall(call: { method: string; idempotent?: boolean | undefined }): boolean {
  return call.idempotent ?? IDEMPOTENT_METHODS.has(call.method);
}

/**
 * Whether a call may be sent again: an idempotent one, or one with an idempotency key (the server answers a
 * repeat with the first outcome).
 */
export function isRepeatableCall(call: {
  method: string;
  idempotent?: boolean | undefined;
  idempotencyKey?: unknown;
}): boolean {
  return isIdempotentCall(call) || call.idempotencyKey !== undefined;
}

const SENT_HINT =
  'The request reached the server and is not idempotent: it may have taken effect. Check its outcome before sending it again, or make the call repeatable (`idempotent`, an idempotency key).';

/**
 * Statuses that say the server did not act on the request: 408 (it did not receive the whole request, RFC 9110)
 * and 429 (a rate limit refused it before it was processed, RFC 6585).
 */
const UNPROCESSED_STATUS = new Set([408, 429]);
/** Errors a package's classifier knows the server refused unprocessed (a throttle's own status, say). */
const refusedUnprocessed = new WeakSet<object>();

/**
 * Marks an error a classifier built for a refusal the server made before processing the request (a throttle
 * in front of the service answering 409 or 499): {@link settledAfterSend} leaves it `retryable`.
 */
export function markUnprocessed<E extends object>(error: E): E {
  refusedUnprocessed.add(error);
  return error;
}

function wasUnprocessed(error: ThGovError): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  return (typeof status === 'number' && UNPROCESSED_STATUS.has(status)) || refusedUnprocessed.has(error);
}

/**
 * The error a call ends with, once more: a call that is not repeatable (a POST or PATCH without `idempotent`
 * or an idempotency key) and reached the server may have taken effect, whatever the status or timeout said.
 * Its error is then never `retryable`, so a caller's own retry wrapper does not make a letter or a payment
 * twice, and its hint says to check the outcome first. An error that never left (`notSent`), one the server
 * refused unprocessed (HTTP 408 or 429, or marked by {@link markUnprocessed}), or of a repeatable call, is
 * returned as it is. The error is the same object, its flag and hint updated.
 */
export function settledAfterSend(error: unknown, repeatable: boolean): unknown {
  if (repeatable || !isThGovError(error) || !error.retryable || isNotSentError(error)) return error;
  if (wasUnprocessed(error)) return error;
  Object.defineProperty(error, 'retryable', { value: false, enumerable: true });
  Object.defineProperty(error, 'hint', { value: SENT_HINT, enumerable: true });
  return error;
}

type PRetry = typeof import('p-retry').default;
let pRetryModule: Promise<PRetry> | undefined;

/**
 * p-retry, loaded at the first retry: a process whose calls all succeed at once never loads it (it and its
 * dependency took about 10 ms of importing `@thgov/core`, cold).
 */
function loadPRetry(): Promise<PRetry> {
  pRetryModule ??= import('p-retry').then((m) => m.default);
  return pRetryModule;
}

/**
 * Runs `attempt` with p-retry. p-retry drives the loop and stops at once on the signal; the delay
 * (full jitter or Retry-After) is ours, awaited inside `shouldRetry`, because p-retry's own backoff has
 * no full jitter and no Retry-After.
 */
export async function runWithRetry<T>(
  attempt: (n: number) => Promise<T>,
  o: RunWithRetryOptions,
): Promise<T> {
  let retriesSoFar = 0;
  const pRetry = await loadPRetry();
  return pRetry(attempt, {
    retries: o.policy.maxRetries,
    minTimeout: 0,
    maxTimeout: 0,
    randomize: false,
    ...(o.signal ? { signal: o.signal } : {}),
    shouldRetry: async ({ error, attemptNumber }) => {
      if (o.signal?.aborted || !isThGovError(error) || !error.retryable) return false;
      if (!o.repeatable && !isNotSentError(error)) return false;
      const retryAfter = error.retryAfterInMs;
      const delayInMs =
        retryAfter !== undefined
          ? Math.min(retryAfter, o.policy.maxRetryAfterInMs)
          : fullJitterDelay(retriesSoFar, o.policy, o.random);
      // No point waiting past the deadline: fail now with the real error.
      if (delayInMs >= o.remainingInMs()) return false;
      if (o.budget && !o.budget.tryAcquire(error.code === 'ERR_TIMEOUT')) {
        error.retryBudgetExhausted = true;
        return false;
      }
      retriesSoFar++;
      o.onRetry({
        attempt: attemptNumber,
        error,
        delayInMs,
        delaySource: retryAfter !== undefined ? 'retry-after' : 'backoff',
      });
      if (delayInMs > 0) await abortableSleep(delayInMs, o.signal);
      return true;
    },
  });
}

export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!signal) {
      setTimeout(resolve, ms);
      return;
    }
    if (signal.aborted) {
      reject(signal.reason ?? new AbortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new AbortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
