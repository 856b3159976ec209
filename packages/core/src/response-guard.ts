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
 * A request made with undici's `request`/`stream`/`pipeline`/`fetch` reaches the guard as a legacy
 * handler in undici's `WrapHandler`: the guard then speaks the legacy API on both sides, so the response
 * headers stay the raw list undici parsed once (the controller API would turn them into an object, the
 * wrapper back into Buffers, and `request` would parse them again). Any other handler gets the
 * controller API, as before.
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
    if (wrapsLegacyHandler(handler)) {
      return dispatch(opts, new LegacyGuardHandler(handler, limit, deadline) as unknown as Handler);
    }
    return dispatch(opts, new GuardHandler(handler, limit, deadline));
  };
}

type Handler = Dispatcher.DispatchHandler;
type UpgradeArgs = Parameters<NonNullable<Handler['onRequestUpgrade']>>;
type StartArgs = Parameters<NonNullable<Handler['onResponseStart']>>;
type EndArgs = Parameters<NonNullable<Handler['onResponseEnd']>>;

/** undici's legacy handler API (what `request`, `stream`, `pipeline` and `fetch` implement). */
interface LegacyHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders?(
    statusCode: number,
    rawHeaders: Buffer[],
    resume: () => void,
    statusText: string,
  ): boolean | undefined;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: unknown): void;
  onData?(chunk: Buffer): boolean | undefined;
  onComplete?(rawTrailers: Buffer[] | string[] | null): void;
  onError?(err: Error): void;
}

/**
 * Whether `handler` is undici's `WrapHandler` around a legacy handler (what `compose` hands an interceptor for a
 * `request` call): its legacy methods are the wrapped handler's own, so the guard may call them directly. Any
 * other handler (one written for the controller API, a wrapper renamed by a bundler) takes the controller path.
 */
function wrapsLegacyHandler(
  handler: Handler,
): handler is Handler & Required<Pick<LegacyHandler, 'onHeaders'>> {
  return (
    handler.constructor?.name === 'WrapHandler' &&
    typeof (handler as LegacyHandler).onConnect === 'function' &&
    typeof (handler as LegacyHandler).onHeaders === 'function' &&
    typeof (handler as LegacyHandler).onData === 'function' &&
    typeof (handler as LegacyHandler).onComplete === 'function' &&
    typeof (handler as LegacyHandler).onError === 'function'
  );
}

/**
 * One ticker for every body in flight (a timer per response would cost more than the check): it runs
 * every `tickInMs`, the smallest half-window among the bodies watched, and stops once nothing is watched.
 *
 * The handlers watched sit in an array, each knowing its index (removal moves the last one into the gap).
 * A `Set` was measured to cost more than the whole rest of a call's garbage: with 64 calls in flight, the
 * handlers that passed through it kept surviving young-generation collections and were promoted (2 MB per
 * scavenge instead of 0.1 MB, and 7-9 ms pauses instead of 1.6 ms, in `bench/transport.bench.ts`).
 */
const watched: Guard[] = [];
let ticker: NodeJS.Timeout | undefined;
let tickInMs = Number.POSITIVE_INFINITY;

function watch(handler: Guard, everyInMs: number): void {
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

function unwatch(handler: Guard): void {
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

/**
 * The throughput window and the attempt deadline of one request, whichever handler API carries it: the
 * subclass tells it when the request starts, the response starts, bytes arrive and the reader pauses or
 * resumes, and aborts the request when told to.
 */
abstract class Guard {
  readonly #limit: BodyThroughput | false;
  readonly #deadline: AttemptDeadline | undefined;
  readonly #halfWindowInMs: number;
  /** Whether the throughput window runs (from the final response status on). */
  #measuring = false;
  #nextCheckAt = 0;
  #bytes = 0;
  /** Bytes seen at the last two checks: the window is the span of two half-window checks. */
  #atLastCheck = 0;
  #atCheckBefore = -1;
  /** Whether the reader holds the body back (it paused and has not resumed). */
  protected readerHolds = false;
  /** Its place in the watch list, -1 when not watched. */
  watchIndex = -1;

  constructor(limit: BodyThroughput | false, deadline: AttemptDeadline | undefined) {
    this.#limit = limit;
    this.#deadline = deadline;
    this.#halfWindowInMs =
      limit === false ? DEADLINE_TICK_IN_MS : Math.max(1, Math.floor(limit.windowInMs / 2));
  }

  /** Aborts the request in flight with `error`. */
  protected abstract abortWith(error: Error): void;

  /** A (new) attempt is about to start: nothing measured, nothing watched. */
  protected requestStarting(): void {
    this.#measuring = false;
    unwatch(this);
  }

  /** The request started (the handlers below saw it): an attempt already past its deadline ends here. */
  protected requestStarted(aborted: boolean): void {
    if (!this.#deadline || aborted) return;
    if (performance.now() >= this.#deadline.at) this.abortWith(this.#deadline.error());
    else watch(this, Math.min(this.#halfWindowInMs, DEADLINE_TICK_IN_MS));
  }

  /** A response status: 1xx answers come before the real one; the body's clock starts with a final status. */
  protected responseStarted(statusCode: number): void {
    if (statusCode >= 200 && this.#limit !== false && !this.#measuring) {
      this.#measuring = true;
      this.#restartWindow();
      watch(this, this.#halfWindowInMs);
    }
  }

  protected bytesArrived(length: number): void {
    this.#bytes += length;
  }

  /** The response ended or failed: nothing more to watch. */
  protected settled(): void {
    unwatch(this);
  }

  /** Called by the shared ticker: the deadline at every tick, the throughput once per half window. */
  tick(now: number): void {
    if (this.#deadline && now >= this.#deadline.at) {
      this.#fail(this.#deadline.error());
      return;
    }
    const limit = this.#limit;
    if (!this.#measuring || limit === false || now < this.#nextCheckAt || this.readerHolds) return;
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
    this.abortWith(error);
  }

  #restartWindow(): void {
    this.#atLastCheck = this.#bytes;
    this.#atCheckBefore = -1;
    this.#nextCheckAt = performance.now() + this.#halfWindowInMs - 1;
  }

  /** The reader paused the body: the server is not measured until it resumes. */
  readerPaused(): void {
    this.readerHolds = true;
  }

  /** The reader wants more: the window restarts from now. */
  readerResumed(): void {
    if (this.readerHolds) this.#restartWindow();
    this.readerHolds = false;
  }
}

/** The guard for a handler written for undici's controller API (`onRequestStart`, `onResponseStart`, …). */
class GuardHandler extends Guard implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  #controller: Dispatcher.DispatchController | undefined;
  #view: Dispatcher.DispatchController | undefined;

  constructor(
    handler: Dispatcher.DispatchHandler,
    limit: BodyThroughput | false,
    deadline: AttemptDeadline | undefined,
  ) {
    super(limit, deadline);
    this.#handler = handler;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller;
    this.requestStarting();
    this.#handler.onRequestStart?.(this.#controllerView(controller), context);
    this.requestStarted(controller.aborted);
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
    this.responseStarted(statusCode);
    this.#handler.onResponseStart?.(this.#controllerView(controller), statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytesArrived(chunk.length);
    this.#handler.onResponseData?.(this.#controllerView(controller), chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: EndArgs[1]): void {
    this.settled();
    this.#handler.onResponseEnd?.(this.#controllerView(controller), trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.settled();
    this.#handler.onResponseError?.(this.#controllerView(controller), error);
  }

  protected abortWith(error: Error): void {
    this.#controller?.abort(error);
  }

  // Pauses and resumes come from the reader through this view: a paused body is the reader's doing.
  #controllerView(controller: Dispatcher.DispatchController): Dispatcher.DispatchController {
    if (this.#view && this.#controller === controller) return this.#view;
    this.#controller = controller;
    this.#view = new ControllerView(controller, this);
    return this.#view;
  }
}

/**
 * The guard for a legacy handler (undici's `request` and the other APIs, through `WrapHandler`): legacy methods on
 * both sides, so the raw headers and trailers pass through as undici parsed them. What the controller path did
 * between the two handler APIs is kept: an abort takes effect once per attempt, a pause lasts until the reader
 * resumes (each chunk answers "paused" until then), and the body's own resume is called only for a paused body.
 * `onResponseStarted` is not passed on (the controller path did not pass it either).
 */
class LegacyGuardHandler extends Guard {
  readonly #handler: Required<Omit<LegacyHandler, 'onUpgrade'>> & Pick<LegacyHandler, 'onUpgrade'>;
  #abort: ((reason?: Error) => void) | undefined;
  #aborted = false;
  #resume: (() => void) | undefined;
  /** Paused by the reader in this attempt (the controller's flag on the controller path; the guard's own is apart). */
  #paused = false;
  /** The abort and resume the handler below gets (made once: no closures per attempt or response). */
  readonly #abortView = (reason?: Error): void => {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abort?.(reason);
  };
  readonly #resumeView = (): void => {
    this.readerResumed();
    if (!this.#paused) return;
    this.#paused = false;
    this.#resume?.();
  };

  constructor(handler: LegacyHandler, limit: BodyThroughput | false, deadline: AttemptDeadline | undefined) {
    super(limit, deadline);
    this.#handler = handler as Required<Omit<LegacyHandler, 'onUpgrade'>>;
  }

  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.#abort = abort;
    this.#aborted = false;
    this.#resume = undefined;
    this.#paused = false;
    this.requestStarting();
    this.#handler.onConnect(this.#abortView, context);
    this.requestStarted(this.#aborted);
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: unknown): void {
    this.#handler.onUpgrade?.(statusCode, rawHeaders, socket);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    this.#resume = resume;
    this.responseStarted(statusCode);
    if (this.#handler.onHeaders(statusCode, rawHeaders, this.#resumeView, statusText) === false)
      this.#pause();
    return !this.#paused;
  }

  onData(chunk: Buffer): boolean {
    this.bytesArrived(chunk.length);
    if (this.#handler.onData(chunk) === false) this.#pause();
    return !this.#paused;
  }

  onComplete(rawTrailers: Buffer[] | string[] | null): void {
    this.settled();
    this.#handler.onComplete(rawTrailers);
  }

  onError(error: Error): void {
    this.settled();
    this.#handler.onError(error);
  }

  protected abortWith(error: Error): void {
    this.#abortView(error);
  }

  #pause(): void {
    this.readerPaused();
    this.#paused = true;
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
