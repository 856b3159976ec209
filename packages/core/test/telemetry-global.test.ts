import { createRequire } from 'node:module';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { completeThaiId } from '../src/index.js';
import { Telemetry } from '../src/internal.js';

/*
 * The global providers, as an application leaves them: @opentelemetry/api installed, no SDK registered (then
 * nothing reads a span's name or attributes, and thgov does not build or redact them), then an SDK registered
 * while a client already exists (its next span must be redacted as always). One file, one process: the order
 * of the tests below is the order of the application's life.
 */

const CITIZEN = completeThaiId('110370012345');
// The API's CommonJS build, as thgov loads it; the SDK registered through its ES module build is tested last.
const { metrics, trace } = createRequire(import.meta.url)(
  '@opentelemetry/api',
) as typeof import('@opentelemetry/api');

/** Attributes that count how often they are read (building a safe copy reads every one). */
function watched(): { attrs: Record<string, string>; reads: () => number } {
  let reads = 0;
  const attrs = {};
  Object.defineProperty(attrs, 'thgov.subject', {
    enumerable: true,
    get: () => {
      reads++;
      return `citizen ${CITIZEN}`;
    },
  });
  return { attrs: attrs as Record<string, string>, reads: () => reads };
}

describe('telemetry on the global providers', () => {
  const early = new Telemetry();

  it('without an SDK: spans and metrics start, and no attribute is read, built or redacted', async () => {
    // Nothing is registered globally (this file's process has registered nothing yet): nothing would see a
    // span, so the transport does not even start its HTTP spans.
    expect(early.enabled).toBe(false);
    const span = watched();
    const started = early.startSpan(`lookup ${CITIZEN}`, 'client', span.attrs, () => {
      throw new Error('whenRecording must not run on a span nothing records');
    });
    expect(started.recording).toBe(false);
    started.setAttributes(span.attrs);
    started.addEvent('retry', span.attrs);
    started.end();
    const metric = watched();
    early.record('thgov.test.duration', 0.1, metric.attrs);
    early.count('thgov.test.calls', metric.attrs);
    expect(span.reads()).toBe(0);
    expect(metric.reads()).toBe(0);
    await expect(early.operation('test.op', async () => 42)).resolves.toBe(42);
  });

  it('an SDK registered later receives the next span of an existing client, redacted', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    expect(early.enabled).toBe(true);
    const span = watched();
    const started = early.startSpan(`lookup ${CITIZEN}`, 'client', span.attrs, () => ({ 'url.full': 'x' }));
    expect(started.recording).toBe(true);
    started.end();
    expect(span.reads()).toBe(1);
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.name).not.toContain(CITIZEN);
    expect(finished?.attributes['thgov.subject']).toBeTypeOf('string');
    expect(String(finished?.attributes['thgov.subject'])).not.toContain(CITIZEN);
    expect(finished?.attributes['url.full']).toBe('x');
  });

  it('a span the sampler drops: its later attributes and events are not built', () => {
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const t = new Telemetry({ tracerProvider: provider });
    const span = watched();
    const started = t.startSpan('lookup', 'client', span.attrs);
    // The sampler sees the start attributes (built and redacted: an SDK reads them).
    expect(span.reads()).toBe(1);
    expect(started.recording).toBe(false);
    started.setAttributes(span.attrs);
    started.addEvent('retry', span.attrs);
    expect(span.reads()).toBe(1);
  });

  it('metrics: a meter taken before the SDK stays a no-op (the API has no proxy); a new client records, redacted', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    const before = watched();
    early.record('thgov.test.duration', 0.1, before.attrs);
    expect(before.reads()).toBe(0);
    const late = new Telemetry();
    const after = watched();
    late.record('thgov.test.duration', 0.1, after.attrs);
    late.count('thgov.test.calls', after.attrs);
    expect(after.reads()).toBe(2);
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .flatMap((m) => m.dataPoints as { attributes: Record<string, unknown> }[]);
    expect(points).toHaveLength(2);
    for (const p of points) {
      expect(String(p.attributes['thgov.subject'])).not.toContain(CITIZEN);
      expect(String(p.attributes['thgov.subject'])).toContain('citizen');
    }
    await provider.shutdown();
  });
});
