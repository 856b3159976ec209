/**
 * The OpenTelemetry SDK as an agency's service would register it, with in-memory exporters, for the telemetry
 * tests of every package: real span and metric pipelines, nothing mocked.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface MetricPoint {
  attributes: Record<string, unknown>;
  value: unknown;
}

export interface OtelHarness {
  readonly spans: InMemorySpanExporter;
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  finished(): ReadableSpan[];
  /** Every data point of the metric `name` collected so far (cumulative). */
  metricPoints(name: string): Promise<MetricPoint[]>;
  /** Names, attributes and events of every finished span, as one string, for leak checks. */
  dump(): string;
  /** Shuts the providers down and, when registered globally, unregisters them and the context manager. */
  close(): Promise<void>;
}

/**
 * Tracer and meter providers with in-memory exporters and the AsyncLocalStorage context manager. With
 * `global: true` they are registered as the global providers (what package-level functions and workers use);
 * register before any thgov object exists, as docs/guides/observability.md says.
 */
export function startOtel(options: { global?: boolean } = {}): OtelHarness {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (options.global) {
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }
  const finished = () => spans.getFinishedSpans();
  return {
    spans,
    tracerProvider,
    meterProvider,
    finished,
    async metricPoints(name) {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as MetricPoint[]);
    },
    dump() {
      return JSON.stringify(finished().map((s) => ({ n: s.name, a: s.attributes, e: s.events })));
    },
    async close() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      if (options.global) {
        trace.disable();
        metrics.disable();
      }
      context.disable();
    },
  };
}
