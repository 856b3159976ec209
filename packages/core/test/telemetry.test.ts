import { context } from '@opentelemetry/api';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeThaiId, HttpError, registerSecret } from '../src/index.js';
import { fastRetry, transportHarness } from './helpers/transport-harness.js';

const CITIZEN = completeThaiId('110370012345');
const SPACED = `${CITIZEN.slice(0, 1)}-${CITIZEN.slice(1, 5)}-${CITIZEN.slice(5, 10)}-${CITIZEN.slice(10, 12)}-${CITIZEN.slice(12)}`;
const SECRET = 'consumer-secret-otel-0123456789abcdef';

const { cleanups, serve, transport } = transportHarness();
const ctxManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(ctxManager.enable());
});
afterAll(() => {
  context.disable();
});

function otel() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
  const metrics = async () => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  };
  return { exporter, tracerProvider, meterProvider, metrics };
}

describe('HTTP client span', () => {
  it('follows the HTTP client conventions, with the query redacted and the request id', async () => {
    const o = otel();
    const s = await serve((_q, res) => res.end('{"ok":true}'));
    const t = transport({ baseUrl: s.url, tracerProvider: o.tracerProvider, meterProvider: o.meterProvider });
    const res = await t.request({ method: 'GET', path: '/people', query: { page: '2' } });
    const [span] = o.exporter.getFinishedSpans();
    expect(span?.name).toBe('GET');
    expect(span?.kind).toBe(2);
    const url = new URL(s.url);
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': url.hostname,
      'server.port': Number(url.port),
      'url.full': `${s.url.replace(/\/$/, '')}/people?page=[REDACTED]`,
      'http.response.status_code': 200,
      'thgov.request_id': res.requestId,
    });
    expect(span?.status.code).toBe(0);
    const names = (await o.metrics()).map((m) => m.descriptor.name);
    expect(names).toContain('thgov.http.client.request.duration');
  });

  it("url.full: a percent-encoded non-ASCII path segment (a Thai name) and the call's sensitiveValues are masked", async () => {
    const o = otel();
    const s = await serve((_q, res) => res.end('{"ok":true}'));
    const t = transport({ baseUrl: s.url, tracerProvider: o.tracerProvider });
    const name = 'สมชาย';
    // A name in a path segment, as an application builds a lookup; a card number listed as sensitive.
    await t.request({
      method: 'GET',
      path: `/persons/${encodeURIComponent(name)}/cards/JT9-1234567-89`,
      sensitiveValues: ['JT9-1234567-89'],
    });
    await t.request({ method: 'GET', path: `/persons/x${encodeURIComponent('é')}y/v1` });
    const [named, accented] = o.exporter.getFinishedSpans().map((sp) => String(sp.attributes['url.full']));
    expect(named).toBe(`${s.url.replace(/\/$/, '')}/persons/[REDACTED]/cards/[REDACTED]`);
    expect(named).not.toContain(encodeURIComponent(name));
    expect(accented).toBe(`${s.url.replace(/\/$/, '')}/persons/[REDACTED]/v1`);
  });

  it('sets url.full only on a span that records: a span nothing records gets only the sampler attributes', async () => {
    const s = await serve((_q, res) => res.end('{"ok":true}'));
    const set: string[] = [];
    const started: Record<string, unknown>[] = [];
    const span = (recording: boolean) => ({
      isRecording: () => recording,
      setAttribute: (k: string) => set.push(k),
      addEvent: () => undefined,
      setStatus: () => undefined,
      end: () => undefined,
    });
    let recording = false;
    const tracerProvider = {
      getTracer: () => ({
        startSpan: (_name: string, options: { attributes?: Record<string, unknown> }) => {
          started.push(options.attributes ?? {});
          return span(recording);
        },
      }),
    };
    const t = transport({ baseUrl: s.url, tracerProvider });
    await t.request({ method: 'GET', path: '/people', query: { id: CITIZEN } });
    expect(started[0]).toMatchObject({ 'http.request.method': 'GET', 'thgov.operation': expect.any(String) });
    expect(Object.keys(started[0] ?? {})).not.toContain('url.full');
    expect(set).not.toContain('url.full');
    recording = true;
    await t.request({ method: 'GET', path: '/people', query: { id: CITIZEN } });
    expect(set).toContain('url.full');
  });

  it('records each retry as an event and counts it; failure is ERROR with the code only', async () => {
    const o = otel();
    let n = 0;
    const s = await serve((_q, res) => {
      n++;
      res.statusCode = n < 3 ? 503 : 404;
      res.end('{}');
    });
    const t = transport({
      baseUrl: s.url,
      retry: fastRetry,
      tracerProvider: o.tracerProvider,
      meterProvider: o.meterProvider,
    });
    const err = await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const [span] = o.exporter.getFinishedSpans();
    const events = span?.events.filter((e) => e.name === 'thgov.retry') ?? [];
    expect(events.map((e) => e.attributes?.['thgov.retry.attempt'])).toEqual([1, 2]);
    expect(events[0]?.attributes?.['error.type']).toMatch(/^ERR_/);
    expect(events[0]?.attributes?.['http.response.status_code']).toBe(503);
    expect(typeof events[0]?.attributes?.['thgov.retry.delay_ms']).toBe('number');
    expect(span?.status.code).toBe(2);
    expect(span?.status.message).toBe((err as HttpError).code);
    expect(span?.attributes['error.type']).toBe((err as HttpError).code);
    expect(span?.attributes['http.response.status_code']).toBe(404);
    const retries = (await o.metrics()).find((m) => m.descriptor.name === 'thgov.http.client.retries');
    const total = retries?.dataPoints.reduce((a, p) => a + (p.value as number), 0);
    expect(total).toBe(2);
  });
});

describe('operation span', () => {
  it('is the parent of the HTTP span and records duration by outcome', async () => {
    const o = otel();
    const s = await serve((_q, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url, tracerProvider: o.tracerProvider, meterProvider: o.meterProvider });
    await t.telemetry.operation('gdx.personLookup', () => t.request({ method: 'GET', path: '/a' }));
    const spans = o.exporter.getFinishedSpans();
    const op = spans.find((x) => x.name === 'thgov.gdx.personLookup');
    const http = spans.find((x) => x.name === 'GET');
    expect(op?.kind).toBe(0);
    expect(http?.parentSpanContext?.spanId).toBe(op?.spanContext().spanId);
    expect(http?.spanContext().traceId).toBe(op?.spanContext().traceId);
    const dur = (await o.metrics()).find((m) => m.descriptor.name === 'thgov.operation.duration');
    expect(dur?.dataPoints.map((p) => p.attributes)).toEqual([
      { 'thgov.operation': 'thgov.gdx.personLookup', 'thgov.outcome': 'ok' },
    ]);
  });
});

describe('attack: personal data and secrets never reach telemetry', () => {
  it('keeps citizen IDs (any spelling) and a consumer secret out of every span, event and metric attribute', async () => {
    registerSecret(SECRET);
    const o = otel();
    let n = 0;
    const s = await serve((_q, res) => {
      n++;
      res.statusCode = n === 1 ? 503 : 400;
      res.end(JSON.stringify({ error: `citizen ${CITIZEN} not allowed` }));
    });
    const t = transport({
      baseUrl: s.url,
      retry: fastRetry,
      headers: { 'x-consumer-secret': SECRET },
      tracerProvider: o.tracerProvider,
      meterProvider: o.meterProvider,
    });
    await t.telemetry
      .operation(
        `case.${CITIZEN}`,
        () =>
          t.request({
            method: 'PUT',
            path: `/people/${CITIZEN}/cases/${SPACED}`,
            query: { cid: CITIZEN, ref: SPACED, key: SECRET },
            body: { json: { cid: CITIZEN } },
          }),
        { 'thgov.case_ref': `CASE-${SPACED}`, 'thgov.note': SECRET },
      )
      .catch(() => undefined);
    const spans = o.exporter.getFinishedSpans();
    expect(spans.length).toBe(2);
    const dump = JSON.stringify({
      spans: spans.map((x: ReadableSpan) => ({
        name: x.name,
        attributes: x.attributes,
        events: x.events,
        status: x.status,
      })),
      metrics: (await o.metrics()).map((m) => ({ name: m.descriptor.name, points: m.dataPoints })),
    });
    // The export really holds the call (so the absence checks below are meaningful).
    expect(dump).toContain('thgov.retry');
    expect(dump).toContain('/people/');
    const digits = dump.replace(/[^0-9]+/g, ' ');
    expect(dump).not.toContain(CITIZEN);
    expect(dump).not.toContain(SPACED);
    expect(digits).not.toContain(CITIZEN);
    expect(dump.replace(/[\s-]/g, '')).not.toContain(CITIZEN);
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain('not allowed');
  });
});
