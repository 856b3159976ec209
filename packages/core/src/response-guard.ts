import type { Dispatcher } from 'undici';
import { TimeoutError } from './errors.js';

/**
 * The response guard, an undici interceptor on each client's own dispatcher, with one shared ticker:
 * - Minimum body throughput. undici's `bodyTimeout` bounds the gap between two chunks, so a server that
 *   trickles one byte every two seconds kept a call open for ever. The guard fails a response whose body
 *   brings fewer than `minBytes` in any `windowInMs` (checked every half window, so the window slides). It
 *   counts bytes as they arrive, however the body is consumed (buffered, streamed, read by `fetch`), and
 *   time the reader holds the body back (backpressure on a stream read slowly) does not count.
 * - An attempt deadline handed in with the dispatch options (`ATTEMPT_DEADLINE`): the transport's default
 *   total deadline, enforced without a timer and an AbortController per call (the hot path); checked at
 *   each tick, so it fires up to one tick late.
 */

/** A minimum body throughput: `minBytes` in every sliding window of `windowInMs`. */
export interface BodyThroughput {
  /** Bytes that must arrive in every window once the response has started. */
  minBytes: number;
  windowInMs: number;
}

/** Default: at least 1 KiB in every 10 s (100 bytes/s; any real network does far better). */
export const DEFAULT_BODY_THROUGHPUT: Readonly<BodyThroughput> = Object.freeze({
  minBytes: 1024,
  windowInMs: 10_000,
});

/** Dispatch-option key of an attempt deadline: `{ at }` in `performance.now()` time and the error to fail with. */
export const ATTEMPT_DEADLINE = Symbol.for('thgov.attemptDeadline');

export interface AttemptDeadline {
  at: number;
  error: () => Error;
}

/** How often the ticker looks at a call that has only a deadline (no throughput window yet). */
const DEADLINE_TICK_IN_MS = 1_000;

/**
 * An undici interceptor enforcing the minimum body throughput (`false`: off) and any attempt deadline
 * handed in with the dispatch options, on every request of the dispatcher it is composed on.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(responseGuardInterceptor({ minBytes: 1024, windowInMs: 10_000 }));
 * ```
 */
export function responseGuardInterceptor(
  limit: BodyThroughput | false,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const deadline = (opts as { [ATTEMPT_DEADLINE]?: AttemptDeadline })[ATTEMPT_DEADLINE];
    if (limit === false && !deadline) return dispatch(opts, handler);
    return dispatch(opts, new GuardHandler(handler, limit, deadline));
  };
}

type Handler = Dispatcher.DispatchHandler;
type UpgradeArgs = Parameters<NonNullable<Handler['onRequestUpgrade']>>;
type StartArgs = Parameters<NonNullable<Handler['onResponseStart']>>;
type EndArgs = Parameters<NonNullable<Handler['onResponseEnd']>>;

/**
 * One ticker for every body in flight (a timer per response would cost more than the check): it runs
 * every `tickInMs`, the smallest half-window among the bodies watched, and stops once nothing is watched.
 *
 * The handlers watched sit in an array, each knowing its index (removal moves the last one into the gap).
 * A `Set` was measured to cost more than the whole rest of a call's garbage: with 64 calls in flight, the
 * handlers that passed through it kept surviving young-generation collections and were promoted (2 MB per
 * scavenge instead of 0.1 MB, and 7-9 ms pauses instead of 1.6 ms, in `bench/transport.bench.ts`).
 */
const watched: GuardHandler[] = [];
let ticker: NodeJS.Timeout | undefined;
let tickInMs = Number.POSITIVE_INFINITY;

function watch(handler: GuardHandler, everyInMs: number): void {
  if (handler.watchIndex < 0) {
    handler.watchIndex = watched.length;
    watched.push(handler);
  }
  if (ticker && everyInMs >= tickInMs) return;
  if (ticker) clearInterval(ticker);
  tickInMs = everyInMs;
  ticker = setInterval(tickAll, tickInMs);
  ticker.unref();
}

function unwatch(handler: GuardHandler): void {
  const index = handler.watchIndex;
  if (index < 0) return;
  handler.watchIndex = -1;
  const last = watched.pop();
  if (last && last !== handler) {
    watched[index] = last;
    last.watchIndex = index;
  }
}

function tickAll(): void {
  if (watched.length === 0) {
    clearInterval(ticker);
    ticker = undefined;
    tickInMs = Number.POSITIVE_INFINITY;
    return;
  }
  const now = performance.now();
  // A tick can end calls (and so unwatch them): go through a copy, skipping those no longer watched.
  for (const handler of watched.slice()) if (handler.watchIndex >= 0) handler.tick(now);
}

class GuardHandler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #limit: BodyThroughput | false;
  readonly #deadline: AttemptDeadline | undefined;
  readonly #halfWindowInMs: number;
  /** Whether the throughput window runs (from the final response status on). */
  #measuring = false;
  #controller: Dispatcher.DispatchController | undefined;
  #view: Dispatcher.DispatchController | undefined;
  #nextCheckAt = 0;
  #bytes = 0;
  /** Bytes seen at the last two checks: the window is the span of two half-window checks. */
  #atLastCheck = 0;
  #atCheckBefore = -1;
  #paused = false;
  /** Its place in the watch list, -1 when not watched. */
  watchIndex = -1;

  constructor(
    handler: Dispatcher.DispatchHandler,
    limit: BodyThroughput | false,
    deadline: AttemptDeadline | undefined,
  ) {
    this.#handler = handler;
    this.#limit = limit;
    this.#deadline = deadline;
    this.#halfWindowInMs =
      limit === false ? DEADLINE_TICK_IN_MS : Math.max(1, Math.floor(limit.windowInMs / 2));
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller;
    this.#measuring = false;
    unwatch(this);
    this.#handler.onRequestStart?.(this.#controllerView(controller), context);
    if (!this.#deadline || controller.aborted) return;
    if (performance.now() >= this.#deadline.at) controller.abort(this.#deadline.error());
    else watch(this, Math.min(this.#halfWindowInMs, DEADLINE_TICK_IN_MS));
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: UpgradeArgs[2],
    socket: UpgradeArgs[3],
  ): void {
    this.#handler.onRequestUpgrade?.(this.#controllerView(controller), statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: StartArgs[2],
    statusMessage?: string,
  ): void {
    // 1xx answers come before the real one; the body's clock starts with a final status.
    if (statusCode >= 200 && this.#limit !== false && !this.#measuring) {
      this.#measuring = true;
      this.#restartWindow();
      watch(this, this.#halfWindowInMs);
    }
    this.#handler.onResponseStart?.(this.#controllerView(controller), statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    this.#handler.onResponseData?.(this.#controllerView(controller), chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: EndArgs[1]): void {
    unwatch(this);
    this.#handler.onResponseEnd?.(this.#controllerView(controller), trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    unwatch(this);
    this.#handler.onResponseError?.(this.#controllerView(controller), error);
  }

  /** Called by the shared ticker: the deadline at every tick, the throughput once per half window. */
  tick(now: number): void {
    if (this.#deadline && now >= this.#deadline.at) {
      this.#fail(this.#deadline.error());
      return;
    }
    const limit = this.#limit;
    if (!this.#measuring || limit === false || now < this.#nextCheckAt || this.#paused) return;
    this.#nextCheckAt = now + this.#halfWindowInMs - 1;
    const windowStart = this.#atCheckBefore;
    this.#atCheckBefore = this.#atLastCheck;
    this.#atLastCheck = this.#bytes;
    if (windowStart < 0 || this.#bytes - windowStart >= limit.minBytes) return;
    this.#fail(
      new TimeoutError('throughput', limit.windowInMs, {
        hint: `The server sent fewer than ${limit.minBytes} bytes in ${limit.windowInMs} ms. Raise or turn off timeouts.bodyThroughput if that is normal for this service.`,
      }),
    );
  }

  #fail(error: Error): void {
    unwatch(this);
    this.#controller?.abort(error);
  }

  #restartWindow(): void {
    this.#atLastCheck = this.#bytes;
    this.#atCheckBefore = -1;
    this.#nextCheckAt = performance.now() + this.#halfWindowInMs - 1;
  }

  // Pauses and resumes come from the reader through this view: a paused body is the reader's doing.
  #controllerView(controller: Dispatcher.DispatchController): Dispatcher.DispatchController {
    if (this.#view && this.#controller === controller) return this.#view;
    this.#controller = controller;
    this.#view = new ControllerView(controller, this);
    return this.#view;
  }

  /** The reader paused the body: the server is not measured until it resumes. */
  readerPaused(): void {
    this.#paused = true;
  }

  /** The reader wants more: the window restarts from now. */
  readerResumed(): void {
    if (this.#paused) this.#restartWindow();
    this.#paused = false;
  }
}

/** The controller as the handlers below the guard see it (a class: no closures per request). */
class ControllerView implements Dispatcher.DispatchController {
  readonly #controller: Dispatcher.DispatchController;
  readonly #guard: GuardHandler;

  constructor(controller: Dispatcher.DispatchController, guard: GuardHandler) {
    this.#controller = controller;
    this.#guard = guard;
  }

  get aborted(): boolean {
    return this.#controller.aborted;
  }

  get paused(): boolean {
    return this.#controller.paused;
  }

  get reason(): Error | null {
    return this.#controller.reason;
  }

  get rawHeaders(): Dispatcher.DispatchController['rawHeaders'] {
    return this.#controller.rawHeaders;
  }

  get rawTrailers(): Dispatcher.DispatchController['rawTrailers'] {
    return this.#controller.rawTrailers;
  }

  abort(reason: Error): void {
    this.#controller.abort(reason);
  }

  pause(): void {
    this.#guard.readerPaused();
    this.#controller.pause();
  }

  resume(): void {
    this.#guard.readerResumed();
    this.#controller.resume();
  }
}
