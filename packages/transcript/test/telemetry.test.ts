/**
 * verifyTranscript under a registered OpenTelemetry SDK (real SDK, in-memory exporter, global provider): one
 * `thgov.transcript.verify` span with the PDF engine's `thgov.pdf.verify` span under it, and no personal
 * data of the transcript in any attribute.
 */
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

describe('transcript verification spans', () => {
  let otel: OtelHarness;
  beforeAll(() => {
    otel = startOtel({ global: true });
  });
  afterAll(async () => {
    await otel?.close();
  });

  it('one transcript.verify span, the pdf.verify span under it; a refused argument ends the span in error', async () => {
    const pki = await createTestPki();
    const pdf = await issueGood(pki);
    const report = await verifyTranscript(pdf, { trust: [pki.root.cert] });
    expect(report.indication).toBe('TOTAL_PASSED');

    const finished = otel.finished();
    const outer = finished.find((s) => s.name === 'thgov.transcript.verify');
    const inner = finished.find((s) => s.name === 'thgov.pdf.verify');
    expect(outer, finished.map((s) => s.name).join(', ')).toBeDefined();
    expect(inner?.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
    expect(inner?.attributes['thgov.policy']).toBe('transcript');
    expect(outer?.status.code).not.toBe(2);

    otel.spans.reset();
    await expect(verifyTranscript('not a pdf' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    const failed = otel.finished().find((s) => s.name === 'thgov.transcript.verify');
    expect(failed?.status.code).toBe(2); // ERROR
    expect(failed?.attributes['error.type']).toBe('ERR_INVALID_ARG');
  });
});
