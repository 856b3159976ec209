/**
 * Signing and verification under a registered OpenTelemetry SDK (real SDK, in-memory exporter, global
 * provider): `thgov.pdf.sign` with the level, `thgov.pdf.verify` with the policy, and no certificate name
 * (the signer's) in any attribute.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const spans = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

describe('signing and verification spans', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('pdf.sign (B-T) and pdf.verify', async () => {
    const pki = await createSigningPki();
    const pdf = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    });
    const report = await verifyPdfSignatures(pdf, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');

    const finished = spans.getFinishedSpans();
    const sign = finished.find((s) => s.name === 'thgov.pdf.sign');
    expect(sign, finished.map((s) => s.name).join(', ')).toBeDefined();
    expect(sign?.attributes['thgov.pades_level']).toBe('B-T');
    const verify = finished.find((s) => s.name === 'thgov.pdf.verify');
    expect(verify?.attributes['thgov.policy']).toBeTruthy();
    const everything = JSON.stringify(finished.map((s) => ({ a: s.attributes, e: s.events, n: s.name })));
    expect(everything).not.toMatch(/CN=|commonName/);
  });
});
