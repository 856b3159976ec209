import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type Sandbox, startSandbox } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPersonLookup } from '../src/lookup.js';

// The application's OpenTelemetry set-up, as a service would do it at start (an OTLP exporter in production,
// an in-memory one here): the Node SDK's tracer provider, registered globally with its AsyncLocalStorage
// context manager. thgov clients use the global providers when none is passed.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  provider.register();
  sb = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), 'gdx-otel-'));
  const c = sb.gdx.consumers[0]!;
  env = {
    GDX_BASE_URL: sb.gdx.url,
    GDX_CONSUMER_KEY: c.consumerKey,
    GDX_CONSUMER_SECRET: c.consumerSecret,
    GDX_AGENT_ID: sb.gdx.officers[0]!,
    AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
    AUDIT_HMAC_SECRET: 'example-agency-secret-123456',
    AUDIT_CHAIN_KEY: 'example-agency-chain-key-0123456789abcdef',
  };
});
afterAll(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('gdx-person-lookup with OpenTelemetry', () => {
  it('exports one operation span per GDX call, HTTP client spans as children, and retries as events', async () => {
    // Every DOPA request answers 503 with probability 0.5 (seeded): some calls are retried.
    sb.gdx.faults.setProfile({ seed: 7, rules: [{ route: '/ws/dopa', unavailable: 0.5 }] });
    const lookup = await createPersonLookup(loadConfig(env));
    const p = sb.population.people[50]!;
    try {
      await lookup.lookup({ citizenId: p.citizenId, purpose: 'verify applicant identity', caseRef: 'APP-1' });
    } finally {
      await lookup.close();
      sb.gdx.faults.setProfile({ rules: [] });
    }
    const spans = exporter.getFinishedSpans();
    const ops = spans.filter((s) => s.name.startsWith('thgov.gdx.'));
    expect(ops.map((s) => s.name).sort()).toEqual([
      'thgov.gdx.dopa.linkage.001',
      'thgov.gdx.dopa.linkage.027',
      'thgov.gdx.validate', // the token validate, under the call that needed it
    ]);
    for (const op of ops) expect(op.status.code).not.toBe(2);

    const http = spans.filter((s) => s.kind === 2);
    const dopa = http.filter((s) => String(s.attributes['url.full']).includes('/ws/dopa'));
    expect(dopa).toHaveLength(2);
    const opIds = new Set(ops.map((o) => o.spanContext().spanId));
    for (const h of http) {
      expect(opIds.has(h.parentSpanContext?.spanId ?? '')).toBe(true);
      expect(h.attributes['http.request.method']).toBeTypeOf('string');
      expect(h.attributes['server.address']).toBe('127.0.0.1');
      expect(h.attributes['thgov.request_id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    for (const h of dopa) expect(h.attributes['http.response.status_code']).toBe(200);

    // Each 503 the sandbox sent shows up as exactly one retry event with its attempt number and code.
    const retries = dopa.flatMap((s) => s.events.filter((e) => e.name === 'thgov.retry'));
    expect(retries.length).toBe(sb.gdx.faults.counters.unavailable);
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) {
      expect(r.attributes?.['thgov.retry.attempt']).toBeGreaterThanOrEqual(1);
      expect(r.attributes?.['http.response.status_code']).toBe(503);
    }

    // Neither the citizen ID nor the consumer secret nor the person's name is in any exported attribute.
    const dump = JSON.stringify(spans.map((s) => ({ n: s.name, a: s.attributes, e: s.events })));
    expect(dump).not.toContain(p.citizenId);
    expect(dump).not.toContain(env.GDX_CONSUMER_SECRET);
    expect(dump).not.toContain(p.firstName.th);
  });
});
