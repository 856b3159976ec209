import type { Dispatcher } from 'undici';
import { TimeoutError } from './errors.js';

/**
 * Minimum body throughput. undici's `bodyTimeout` bounds the gap between two chunks, so a server that
 * trickles one byte every two seconds keeps a call open for ever. This guard, an undici interceptor on the
 * client's own dispatcher, fails a response whose body brings fewer than `minBytes` in any `windowInMs`
 * (checked every half window, so the window slides). It counts bytes as they arrive, however the body is
 * consumed (buffered, streamed, or read by `fetch`), and time the reader holds the body back (backpressure
 * on a stream the caller reads slowly) does not count against the server.
 */

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

/**
 * An undici interceptor enforcing `limit` on every response body of the dispatcher it is composed on.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(bodyThroughputInterceptor({ minBytes: 1024, windowInMs: 10_000 }));
 * ```
 */
export function bodyThroughputInterceptor(limit: BodyThroughput): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => dispatch(opts, new ThroughputHandler(handler, limit));
}

type Handler = Dispatcher.DispatchHandler;
type UpgradeArgs = Parameters<NonNullable<Handler['onRequestUpgrade']>>;
type StartArgs = Parameters<NonNullable<Handler['onResponseStart']>>;
type EndArgs = Parameters<NonNullable<Handler['onResponseEnd']>>;

class ThroughputHandler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #limit: BodyThroughput;
  #controller: Dispatcher.DispatchController | undefined;
  #view: Dispatcher.DispatchController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #bytes = 0;
  /** Bytes seen at the last two checks: the window is the span of two half-window ticks. */
  #atLastTick = 0;
  #atTickBefore = -1;
  #paused = false;

  constructor(handler: Dispatcher.DispatchHandler, limit: BodyThroughput) {
    this.#handler = handler;
    this.#limit = limit;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller;
    this.#stop();
    this.#handler.onRequestStart?.(this.#controllerView(controller), context);
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
    if (statusCode >= 200 && !this.#timer) this.#start();
    this.#handler.onResponseStart?.(this.#controllerView(controller), statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    this.#handler.onResponseData?.(this.#controllerView(controller), chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: EndArgs[1]): void {
    this.#stop();
    this.#handler.onResponseEnd?.(this.#controllerView(controller), trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#stop();
    this.#handler.onResponseError?.(this.#controllerView(controller), error);
  }

  #start(): void {
    this.#atLastTick = this.#bytes;
    this.#atTickBefore = -1;
    this.#timer = setInterval(() => this.#tick(), Math.max(1, Math.floor(this.#limit.windowInMs / 2)));
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    if (this.#paused) return;
    const windowStart = this.#atTickBefore;
    this.#atTickBefore = this.#atLastTick;
    this.#atLastTick = this.#bytes;
    if (windowStart < 0 || this.#bytes - windowStart >= this.#limit.minBytes) return;
    this.#stop();
    this.#controller?.abort(
      new TimeoutError('throughput', this.#limit.windowInMs, {
        hint: `The server sent fewer than ${this.#limit.minBytes} bytes in ${this.#limit.windowInMs} ms. Raise or turn off timeouts.bodyThroughput if that is normal for this service.`,
      }),
    );
  }

  // Pauses and resumes come from the reader through this view: a paused body is the reader's doing.
  #controllerView(controller: Dispatcher.DispatchController): Dispatcher.DispatchController {
    if (this.#view && this.#controller === controller) return this.#view;
    this.#controller = controller;
    this.#view = {
      get aborted() {
        return controller.aborted;
      },
      get paused() {
        return controller.paused;
      },
      get reason() {
        return controller.reason;
      },
      get rawHeaders() {
        return controller.rawHeaders;
      },
      get rawTrailers() {
        return controller.rawTrailers;
      },
      abort: (reason: Error) => controller.abort(reason),
      pause: () => {
        this.#paused = true;
        controller.pause();
      },
      resume: () => {
        if (this.#paused) {
          this.#paused = false;
          // The window restarts: the server is measured from when the reader wants more.
          this.#atLastTick = this.#bytes;
          this.#atTickBefore = -1;
        }
        controller.resume();
      },
    };
    return this.#view;
  }
}
