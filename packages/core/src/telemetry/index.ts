import { createRequire } from '../builtins.js';
import { isThGovError } from '../errors.js';
import { REDACTED, redactText, redactUrl } from '../redact.js';

/**
 * OpenTelemetry support. `@opentelemetry/api` is an optional peer dependency: it is resolved once, lazily, and
 * when it is absent (and no provider is passed) every call here is a no-op. The public types below are
 * structural so that a consumer without the peer still type-checks.
 */

/** Attribute values as OpenTelemetry accepts them. */
export type TelemetryAttributes = Record<string, string | number | boolean | undefined>;

/** The part of an OpenTelemetry `TracerProvider` thgov uses. */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown;
}
/** The part of an OpenTelemetry `MeterProvider` thgov uses. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): unknown;
}
/** OpenTelemetry settings of a client: tracer and meter providers (default the global ones) or `false` for none. */
export interface TelemetryOptions {
  /** Spans go to this provider; default the global one (`trace.getTracerProvider()`), a no-op without the API. */
  tracerProvider?: TracerProviderLike;
  /** Metrics go to this provider; default the global one (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProviderLike;
}

// Minimal internal shapes of the API objects we call.
interface SpanApi {
  /** False on a span nothing will record (no SDK registered, or sampled out); absent on older APIs. */
  isRecording?(): boolean;
  setAttribute(k: string, v: string | number | boolean): unknown;
  addEvent(name: string, attrs?: Record<string, string | number | boolean>): unknown;
  setStatus(s: { code: number; message?: string }): unknown;
  end(): void;
}
interface TracerApi {
  startSpan(
    name: string,
    options: { kind: number; attributes?: Record<string, unknown> },
    ctx?: unknown,
  ): SpanApi;
}
interface InstrumentApi {
  record?(v: number, attrs?: Record<string, unknown>): void;
  add?(v: number, attrs?: Record<string, unknown>): void;
}
interface MeterApi {
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): InstrumentApi;
  createCounter(name: string, options?: { unit?: string; description?: string }): InstrumentApi;
}
interface OtelApi {
  trace: {
    getTracerProvider(): TracerProviderLike;
    setSpan(ctx: unknown, span: SpanApi): unknown;
  };
  metrics: { getMeterProvider(): MeterProviderLike };
  context: { active(): unknown; with<R>(ctx: unknown, fn: () => R): R };
  /** The global tracer provider's class: a proxy whose delegate is the no-op provider until an SDK registers. */
  ProxyTracerProvider?: new () => TracerProviderLike & { getDelegate(): TracerProviderLike };
  createNoopMeter?(): MeterApi;
}

/**
 * A test of "nothing would ever see what this tracer is given": true for the global provider while no SDK is
 * registered (checked on every span: an SDK registered later receives the next span) and for the API's no-op
 * provider itself; false for any other provider (an application's own) or without the API.
 */
function noopTracerTest(otel: OtelApi | null, tp: TracerProviderLike | undefined): () => boolean {
  const ProxyProvider = otel?.ProxyTracerProvider;
  if (!tp || !ProxyProvider) return () => false;
  const noop = new ProxyProvider().getDelegate();
  if (tp === noop) return () => true;
  if (tp instanceof ProxyProvider) return () => tp.getDelegate() === noop;
  return () => false;
}

/**
 * The constructors of the API's no-op instruments. A meter taken from the global provider before an SDK
 * registers stays a no-op meter (metrics have no proxy in the API), and its instruments drop every value, so
 * their attributes need not be built.
 */
function noopInstrumentClasses(otel: OtelApi | null): Set<unknown> {
  const meter = otel?.createNoopMeter?.();
  if (!meter) return new Set();
  return new Set([
    meter.createHistogram('thgov.noop').constructor,
    meter.createCounter('thgov.noop').constructor,
  ]);
}

const SPAN_KIND_INTERNAL = 0;
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;
const TRACER_NAME = '@thgov/core';

let api: OtelApi | null | undefined;

/** `@opentelemetry/api`, or null when it is not installed. Resolved once. */
export function loadOtelApi(): OtelApi | null {
  if (api !== undefined) return api;
  try {
    const req = createRequire(import.meta.url);
    api = req('@opentelemetry/api') as OtelApi;
  } catch {
    api = null;
  }
  return api;
}

/** Span and metric names, stable and documented in docs/guides/observability.md. */
export const TELEMETRY_NAMES = {
  operationDuration: 'thgov.operation.duration',
  httpClientDuration: 'thgov.http.client.request.duration',
  retries: 'thgov.http.client.retries',
  retryEvent: 'thgov.retry',
  /** Counter: token validations (GDX validate, digital-ID callbacks), by `thgov.operation` and `thgov.outcome`. */
  tokenValidations: 'thgov.token.validations',
  /** Histogram (s): age of an e-CMS inbox item when a worker takes it (queue lag). */
  inboxQueueLag: 'thgov.ecms.inbox.queue_lag',
  /** Counter: e-CMS inbox items quarantined as poison (undecodable, bad signature, unrecoverable). */
  inboxPoisonItems: 'thgov.ecms.inbox.poison_items',
  /** Counter: e-CMS outbox sends, by the state each send ended in (`thgov.state`). */
  outboxSends: 'thgov.ecms.outbox.sends',
} as const;

let shared: Map<string, Telemetry> | undefined;

/**
 * The telemetry of a package-level function (verification, signing) that has no client to carry providers:
 * the global tracer and meter providers, resolved once per scope. The global providers are proxies, so an SDK
 * registered after the first call still receives the spans.
 */
export function sharedTelemetry(scope: string, version?: string): Telemetry {
  shared ??= new Map();
  let t = shared.get(scope);
  if (!t) {
    t = new Telemetry({}, scope, version);
    shared.set(scope, t);
  }
  return t;
}

/** Bucket boundaries (seconds) of the HTTP client duration semantic convention. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const SAFE_KEY = /^(?:[a-z][a-z0-9_]*)(?:\.[a-z][a-z0-9_]*)*$/;

/** An attribute value with secrets, citizen IDs and URL query values masked. */
export function sanitizeAttribute(key: string, value: string | number | boolean): string | number | boolean {
  if (typeof value !== 'string') return value;
  if (key === 'url.full') return redactUrlForSpan(value);
  return redactText(value);
}

/** A percent-escape of a byte above 0x7f: a piece of UTF-8 text that is not ASCII. */
const NON_ASCII_ESCAPE = /%[89a-f][0-9a-f]/i;

/**
 * `url.full` as the HTTP semantic conventions ask: credentials removed and every query value redacted; a path
 * segment with percent-encoded non-ASCII text (data such as a name, never a route) is redacted too.
 */
export function redactUrlForSpan(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(redactUrl(url));
  } catch {
    return redactText(url);
  }
  if (parsed.search) {
    const keys = [...parsed.searchParams.keys()];
    parsed.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  }
  // A path segment holding percent-encoded non-ASCII text is data (a Thai name in a lookup path): routes are ASCII.
  if (NON_ASCII_ESCAPE.test(parsed.pathname))
    parsed.pathname = parsed.pathname
      .split('/')
      .map((segment) => (NON_ASCII_ESCAPE.test(segment) ? REDACTED : segment))
      .join('/');
  parsed.username = '';
  parsed.password = '';
  return redactText(parsed.toString().replace(/%5BREDACTED%5D/g, REDACTED));
}

function clean(attrs: TelemetryAttributes | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!attrs) return out;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || !SAFE_KEY.test(k)) continue;
    out[k] = sanitizeAttribute(k, v);
  }
  return out;
}

/** The error code of a failure, never its message (a message can hold personal data). */
export function errorType(err: unknown): string {
  if (isThGovError(err)) return err.code;
  // thgov's coded TypeError/RangeError (bad arguments) and Node's own errors carry an ERR_* code.
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(code)) return code;
  if (err instanceof Error && /^[A-Za-z][A-Za-z0-9_]*$/.test(err.name)) return err.name;
  return '_OTHER';
}

/** A started span; every method is safe on a no-op span. */
export class TelemetrySpan {
  readonly #span: SpanApi | undefined;
  readonly #silent: boolean;
  /** `silent`: started on the API's no-op tracer, so nothing will ever see it or its children. */
  constructor(span: SpanApi | undefined, silent = false) {
    this.#span = span;
    this.#silent = silent;
  }
  /** Whether nothing will ever see this span (no SDK registered when it started). */
  get silent(): boolean {
    return this.#silent;
  }
  /** Whether the span records: attributes, events and status given to one that does not are dropped. */
  get recording(): boolean {
    return this.#span !== undefined && this.#span.isRecording?.() !== false;
  }
  setAttributes(attrs: TelemetryAttributes): void {
    const span = this.#span;
    if (!span || !this.recording) return;
    for (const [k, v] of Object.entries(clean(attrs))) span.setAttribute(k, v);
  }
  addEvent(name: string, attrs?: TelemetryAttributes): void {
    if (this.recording) this.#span?.addEvent(name, clean(attrs));
  }
  /** Marks the span failed with the error's code (the status message is the code, never the error text). */
  fail(err: unknown): void {
    if (!this.#span) return;
    const code = errorType(err);
    this.#span.setAttribute('error.type', code);
    this.#span.setStatus({ code: STATUS_ERROR, message: code });
  }
  end(): void {
    this.#span?.end();
  }
  /** @internal */
  get raw(): SpanApi | undefined {
    return this.#span;
  }
}

/** The key under which any build of `@opentelemetry/api` 1.x keeps what an application registered. */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** Whether an application registered anything through the API (a provider, a context manager, a propagator). */
function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] !== undefined;
}

/**
 * Tracer and meter of one client, resolved from its options or the global providers. While no provider is
 * given and nothing is registered globally (no SDK), nothing would see a span or a value: the API is not even
 * loaded, and spans, values and `enabled` are checked against the global registry each time, so a client made
 * before the application registers its SDK starts recording at its next span.
 */
export class Telemetry {
  #tracer: TracerApi | undefined;
  #tracerProvider: TracerProviderLike | undefined;
  #tracerIsNoop: () => boolean = () => false;
  /** Scope of the tracer, when it comes from the global provider (none was given). */
  #globalScope: { scope: string; version?: string } | undefined;
  #meter: MeterApi | undefined;
  #noopInstruments: Set<unknown> = new Set();
  /** Instruments by name; `undefined` for one that drops every value (the API's no-op instruments). */
  #instruments: Map<string, InstrumentApi | undefined> = new Map();
  /** Scope to resolve the global providers for, once something is registered (undefined once resolved). */
  #pending: { scope: string; version?: string | undefined } | undefined;

  constructor(options: TelemetryOptions = {}, scope = TRACER_NAME, version?: string) {
    if (!options.tracerProvider && !options.meterProvider && !otelRegistered()) {
      this.#pending = { scope, version };
      return;
    }
    this.#resolve(options, scope, version);
  }

  #resolve(options: TelemetryOptions, scope: string, version?: string): void {
    const otel = loadOtelApi();
    const tp = options.tracerProvider ?? otel?.trace.getTracerProvider();
    const mp = options.meterProvider ?? otel?.metrics.getMeterProvider();
    this.#globalScope = options.tracerProvider || !tp ? undefined : { scope, version };
    this.#useTracerProvider(otel, tp, scope, version);
    this.#meter = mp ? (mp.getMeter(scope, version) as MeterApi) : undefined;
    this.#noopInstruments = noopInstrumentClasses(otel);
  }

  /** False while nothing is registered; once something is, takes the global providers (once). */
  #ready(): boolean {
    const pending = this.#pending;
    if (!pending) return true;
    if (!otelRegistered()) return false;
    this.#pending = undefined;
    this.#resolve({}, pending.scope, pending.version);
    return true;
  }

  #useTracerProvider(
    otel: OtelApi | null,
    tp: TracerProviderLike | undefined,
    scope: string,
    version?: string,
  ) {
    this.#tracerProvider = tp;
    this.#tracer = tp ? (tp.getTracer(scope, version) as TracerApi) : undefined;
    this.#tracerIsNoop = noopTracerTest(otel, tp);
  }

  /**
   * Whether nothing would see the next span. The global provider is looked up again while it is the no-op:
   * with both builds of the API loaded (its ES module and its CommonJS one), an SDK registered through the
   * other build after this client was made sets the other build's proxy as the global, not ours.
   */
  #silent(otel: OtelApi | null): boolean {
    if (!this.#tracerIsNoop()) return false;
    const global = this.#globalScope;
    if (!global || !otel) return true;
    const now = otel.trace.getTracerProvider();
    if (now === this.#tracerProvider) return true;
    this.#useTracerProvider(otel, now, global.scope, global.version);
    return this.#tracerIsNoop();
  }

  /** Whether spans or metrics may go anywhere (false without providers and with nothing registered globally). */
  get enabled(): boolean {
    return this.#ready() && (this.#tracer !== undefined || this.#meter !== undefined);
  }

  /**
   * Starts a span with `attrs` (seen by the sampler). `whenRecording` gives attributes that are costly to make
   * safe (a URL to redact): they are computed and set only on a span that records, so an application without
   * an OpenTelemetry SDK, or one that samples the span out, does not pay for them.
   */
  startSpan(
    name: string,
    kind: 'internal' | 'client',
    attrs?: TelemetryAttributes,
    whenRecording?: () => TelemetryAttributes,
  ): TelemetrySpan {
    if (!this.#ready()) return new TelemetrySpan(undefined, true);
    const otel = loadOtelApi();
    // The API's no-op tracer ignores the name and the attributes; the span is still started, for the context.
    const silent = this.#tracer !== undefined && this.#silent(otel);
    const tracer = this.#tracer;
    if (!tracer) return new TelemetrySpan(undefined);
    const options = { kind: kind === 'client' ? SPAN_KIND_CLIENT : SPAN_KIND_INTERNAL };
    if (silent) return new TelemetrySpan(tracer.startSpan(name, options, otel?.context.active()), true);
    const span = tracer.startSpan(
      redactText(name),
      { ...options, attributes: clean(attrs) },
      otel?.context.active(),
    );
    const started = new TelemetrySpan(span);
    if (whenRecording && span.isRecording?.() !== false) started.setAttributes(whenRecording());
    return started;
  }

  #instrument(
    kind: 'histogram' | 'counter',
    name: string,
    unit: string,
    description: string,
  ): InstrumentApi | undefined {
    if (this.#instruments.has(name) || !this.#meter) return this.#instruments.get(name);
    const inst =
      kind === 'histogram'
        ? this.#meter.createHistogram(name, {
            unit,
            description,
            advice: { explicitBucketBoundaries: SECONDS },
          })
        : this.#meter.createCounter(name, { unit, description });
    const live = this.#noopInstruments.has(inst.constructor) ? undefined : inst;
    this.#instruments.set(name, live);
    return live;
  }

  /** Records a value on a histogram (created once per name). */
  record(name: string, value: number, attrs?: TelemetryAttributes, unit = 's', description = ''): void {
    if (!this.#ready()) return;
    this.#instrument('histogram', name, unit, description)?.record?.(value, clean(attrs));
  }

  /** Adds to a counter (created once per name). */
  count(name: string, attrs?: TelemetryAttributes, value = 1, description = ''): void {
    if (!this.#ready()) return;
    this.#instrument('counter', name, '{call}', description)?.add?.(value, clean(attrs));
  }

  /**
   * Runs one client operation inside an INTERNAL span named `thgov.<name>` (the transport's HTTP spans become
   * its children) and records its duration with the outcome (`ok` or the error code).
   */
  operation<T>(name: string, fn: () => Promise<T>, attrs?: TelemetryAttributes): Promise<T> {
    // Off (the common case): the call's own promise, no async wrapper around it. As from an async function, a
    // synchronous throw becomes a rejected promise and a value that is not a native promise is adopted by one.
    try {
      return this.enabled ? this.#traced(name, fn, attrs) : Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #traced<T>(name: string, fn: () => Promise<T>, attrs?: TelemetryAttributes): Promise<T> {
    const spanName = name.startsWith('thgov.') ? name : `thgov.${name}`;
    const span = this.startSpan(spanName, 'internal', { ...attrs, 'thgov.operation': spanName });
    const started = performance.now();
    let outcome = 'ok';
    try {
      const otel = loadOtelApi();
      const raw = span.raw;
      // A silent span (no SDK) need not become the active one: its children would be as silent.
      return otel && raw && !span.silent
        ? await otel.context.with(otel.trace.setSpan(otel.context.active(), raw), fn)
        : await fn();
    } catch (err) {
      outcome = errorType(err);
      span.fail(err);
      throw err;
    } finally {
      span.end();
      this.record(
        TELEMETRY_NAMES.operationDuration,
        (performance.now() - started) / 1000,
        { 'thgov.operation': spanName, 'thgov.outcome': outcome },
        's',
        'Duration of a thgov client operation, by operation and outcome',
      );
    }
  }
}
