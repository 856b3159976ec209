import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { Telemetry } from '../src/internal.js';

/*
 * Both builds of @opentelemetry/api in one process: thgov requires its CommonJS build, this file imports the ES
 * module build (as an ESM application that sets up its SDK does). They share the global registration but
 * each has its own proxy provider; a client made before the SDK must still reach it.
 */
describe('an SDK registered through the other build of the API', () => {
  it('receives the spans of a client made before it was registered', () => {
    const early = new Telemetry();
    early.startSpan('before', 'internal').end();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const span = early.startSpan('after', 'internal', { 'thgov.operation': 'x' });
    expect(span.recording).toBe(true);
    span.end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['after']);
  });
});
