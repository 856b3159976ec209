/**
 * Catalog calls under OpenTelemetry (real SDK, in-memory exporter, the client's own `tracerProvider`): one
 * `thgov.catalog.<action>` span per call with the transport's HTTP span under it, and the API token in no
 * attribute.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { AgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startCatalog } from './helpers/catalog.js';

describe('catalog operation spans', () => {
  let catalog: AgencyCatalog;
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    catalog = await startCatalog('2.10');
  });
  afterAll(async () => {
    await tracerProvider.shutdown();
    context.disable();
  });

  it('status and a failed package_show: operation spans, HTTP children, error type, no token', async () => {
    const client = clientFor(catalog, 'editor', { tracerProvider });
    await client.status();
    const missing = await client.getDataset('no-such-dataset').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: expect.stringMatching(/^ERR_CATALOG_/) });

    const finished = spans.getFinishedSpans();
    const show = finished.find((s) => s.name === 'thgov.catalog.package_show');
    expect(show, finished.map((s) => s.name).join(', ')).toBeDefined();
    expect(show?.status.code).toBe(2);
    expect(show?.attributes['error.type']).toBe((missing as { code: string }).code);
    const child = finished.find((s) => s.parentSpanContext?.spanId === show!.spanContext().spanId);
    expect(child?.name).toBe('POST');
    expect(finished.some((s) => s.name === 'thgov.catalog.status_show')).toBe(true);
    const everything = JSON.stringify(finished.map((s) => ({ a: s.attributes, e: s.events, n: s.name })));
    expect(everything).not.toContain(catalog.accounts.editor.token);
  });
});
