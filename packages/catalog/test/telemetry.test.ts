/**
 * Catalog calls under OpenTelemetry (real SDK, in-memory exporter, the client's own `tracerProvider`): one
 * `thgov.catalog.<action>` span per call with the transport's HTTP span under it, and the API token in no
 * attribute.
 */
import type { AgencyCatalog } from '@thgov/sandbox';
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startCatalog } from './helpers/catalog.js';

describe('catalog operation spans', () => {
  let catalog: AgencyCatalog;
  let otel: OtelHarness;
  beforeAll(async () => {
    otel = startOtel();
    catalog = await startCatalog('2.10');
  });
  afterAll(async () => {
    await otel?.close();
  });

  it('status and a failed package_show: operation spans, HTTP children, error type, no token', async () => {
    const client = clientFor(catalog, 'editor', { tracerProvider: otel.tracerProvider });
    await client.status();
    const missing = await client.getDataset('no-such-dataset').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: expect.stringMatching(/^ERR_CATALOG_/) });

    const finished = otel.finished();
    const show = finished.find((s) => s.name === 'thgov.catalog.package_show');
    expect(show, finished.map((s) => s.name).join(', ')).toBeDefined();
    expect(show?.status.code).toBe(2);
    expect(show?.attributes['error.type']).toBe((missing as { code: string }).code);
    const child = finished.find((s) => s.parentSpanContext?.spanId === show!.spanContext().spanId);
    expect(child?.name).toBe('POST');
    expect(finished.some((s) => s.name === 'thgov.catalog.status_show')).toBe(true);
    const everything = otel.dump();
    expect(everything).not.toContain(catalog.accounts.editor.token);
  });
});
