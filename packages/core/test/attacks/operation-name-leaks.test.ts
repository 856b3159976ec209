import { startOtel } from '@thgov/testkit/otel';
import { describe, expect, it } from 'vitest';
import { completeThaiId } from '../../src/index.js';
import { TELEMETRY_NAMES } from '../../src/internal.js';
import { fastRetry, transportHarness } from '../helpers/transport-harness.js';

/**
 * A call without an `operation` is named after its method and path. The path of a lookup holds data (a Thai name
 * percent-encoded, a card's laser code the caller listed in `sensitiveValues`, a query string): that name goes to the
 * span attribute `thgov.operation`, the retry counter's attributes, the onRetry hook and the logs, and must carry the
 * data no more than `url.full` does.
 */
const { cleanups, serve, transport } = transportHarness();

const NAME = 'สมชาย';
const LASER = 'JT9-1234567-89';
const SURNAME = 'ใจดี';
const CITIZEN = completeThaiId('110370012345');
const SECRET = 'consumer-secret-hook-0123456789abcdef';

/** testkit's in-memory OpenTelemetry pipelines, shut down after the test. */
function otel() {
  const o = startOtel();
  cleanups.push(() => o.close());
  return o;
}

/** Every spelling of the data a dump must not hold. */
function expectClean(dump: string): void {
  for (const v of [NAME, SURNAME, LASER]) {
    expect(dump).not.toContain(v);
    expect(dump).not.toContain(encodeURIComponent(v));
    expect(dump.toLowerCase()).not.toContain(encodeURIComponent(v).toLowerCase());
  }
}

describe('attack: the default operation name of a call carries its path data', () => {
  it('keeps a percent-encoded name, a sensitive value and a query value out of spans, metrics, hooks and logs', async () => {
    const o = otel();
    let n = 0;
    const s = await serve((_q, res) => {
      n++;
      res.statusCode = n === 1 ? 503 : 404;
      res.end('{}');
    });
    const logs: unknown[] = [];
    const log = (...args: unknown[]) => logs.push(args);
    const hooked: unknown[] = [];
    const t = transport({
      baseUrl: s.url,
      retry: fastRetry,
      tracerProvider: o.tracerProvider,
      meterProvider: o.meterProvider,
      logLevel: 'debug',
      logger: { debug: log, info: log, warn: log, error: log },
      onRetry: (info) => hooked.push(info),
    });
    await t
      .request({
        method: 'GET',
        path: `/persons/${encodeURIComponent(NAME)}/cards/${LASER}?surname=${encodeURIComponent(SURNAME)}`,
        sensitiveValues: [LASER],
      })
      .catch(() => undefined);
    const metricNames = [
      TELEMETRY_NAMES.retries,
      TELEMETRY_NAMES.httpClientDuration,
      TELEMETRY_NAMES.operationDuration,
    ];
    const metrics = await Promise.all(metricNames.map((name) => o.metricPoints(name)));
    const dump = JSON.stringify({ spans: o.dump(), metrics, hooked, logs });
    // The export really holds the call and its retry, named after the route.
    expect(hooked.length).toBe(1);
    expect(metrics[0]?.length).toBeGreaterThan(0);
    expect(o.finished()[0]?.attributes['thgov.operation']).toMatch(/^GET \/persons\/.+\/cards\//);
    expectClean(dump);
  });

  it('gives an onResponse hook the redacted URL it documents: no secret, citizen ID or sensitive value', async () => {
    const s = await serve((_q, res) => res.end('{}'));
    const urls: string[] = [];
    const t = transport({ baseUrl: s.url, onResponse: (info) => urls.push(info.url) });
    await t.request({
      method: 'GET',
      path: `/persons/${CITIZEN}/cards/${LASER}`,
      query: { ConsumerSecret: SECRET, cid: CITIZEN },
      sensitiveValues: [LASER],
    });
    expect(urls.length).toBe(1);
    expect(urls[0]).toContain('/persons/');
    for (const v of [CITIZEN, LASER, SECRET]) expect(urls[0]).not.toContain(v);
  });

  it('keeps an operation the caller named as it is', async () => {
    const o = otel();
    const s = await serve((_q, res) => res.end('{}'));
    const t = transport({ baseUrl: s.url, tracerProvider: o.tracerProvider });
    await t.request({
      method: 'GET',
      path: `/persons/${encodeURIComponent(NAME)}`,
      operation: 'dopa.lookup',
    });
    expect(o.finished()[0]?.attributes['thgov.operation']).toBe('dopa.lookup');
  });
});
