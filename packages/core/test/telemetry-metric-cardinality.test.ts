// A metric attribute must take few values: each one is a time series the collector keeps. A call without an
// operation name was counted by "METHOD /path", and paths carry IDs (a dataset, a letter, a person): the retry
// counter grew one series per ID. It is counted by the method alone; a named operation keeps its name.
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { fastRetry, transportHarness } from './helpers/transport-harness.js';

const { serve, transport, cleanups } = transportHarness();

function meter() {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => meterProvider.shutdown());
  const operations = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map((p) => p.attributes['thgov.operation']);
  };
  return { meterProvider, operations };
}

describe('retry counter attributes', () => {
  it('calls without an operation name to paths with IDs make one series per method, not one per ID', async () => {
    const m = meter();
    const seen = new Map<string, number>();
    const s = await serve((q, res) => {
      const n = (seen.get(q.url ?? '') ?? 0) + 1;
      seen.set(q.url ?? '', n);
      res.statusCode = n === 1 ? 503 : 200;
      res.end('{}');
    });
    const t = transport({ baseUrl: s.url, retry: fastRetry, meterProvider: m.meterProvider });
    for (const id of ['ds-1001', 'ds-1002', 'ds-1003', 'letter-77'])
      await t.request({ method: 'GET', path: `/api/datasets/${id}` });
    await t.request({ method: 'GET', path: '/api/datasets/ds-2001', operation: 'catalog.dataset' });
    const ops = await m.operations('thgov.http.client.retries');
    expect(new Set(ops)).toEqual(new Set(['GET', 'catalog.dataset']));
  });
});
