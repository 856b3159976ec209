import { createHash } from 'node:crypto';
import { createSubjectHasher, isThGovError, MemoryAuditSink, verifyAuditLog } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
let client: ExchangeClient;
const events: GdxAuditEvent[] = [];
const SECRET = 'agency-audit-secret-0123456789';
// Computed independently of the client: the client must produce exactly core's keyed hash.
const keyedHash = (value: string) => createSubjectHasher(SECRET)(value);

beforeAll(async () => {
  h = await harness();
  const c = h.sandbox.gdx.consumers[0]!;
  client = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    consumerKey: c.consumerKey,
    consumerSecret: c.consumerSecret,
    retry: { baseDelayInMs: 1, maxDelayInMs: 5 },
    audit: {
      sink: { append: async (e) => void events.push(e) },
      hmacSecret: SECRET,
      clientLabel: 'welfare-portal',
    },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('audit record per call', () => {
  it('records who, purpose, case, keyed-hash subject, status, latency and a digest of the response', async () => {
    const p = h.sandbox.population.people[80]!;
    events.length = 0;
    await client.getPerson(
      { citizenId: p.citizenId },
      {
        agentId: h.officer,
        purpose: 'welfare eligibility check',
        caseRef: 'WF-2569-000123',
        requestId: 'req-audit-1',
      },
    );
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      who: keyedHash(h.officer),
      client: 'welfare-portal',
      service: 'gdx',
      operation: 'dopa.linkage.001',
      subject: keyedHash(p.citizenId),
      purpose: 'welfare eligibility check',
      caseRef: 'WF-2569-000123',
      requestId: 'req-audit-1',
      status: 'ok',
      statusCode: 200,
    });
    expect(e.latencyInMs).toBeGreaterThanOrEqual(0);
    expect(e.responseDigest).toMatch(/^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    // The citizen ID itself is nowhere in the record.
    expect(JSON.stringify(e)).not.toContain(p.citizenId);
    expect(JSON.stringify(e)).not.toContain(h.officer);
  });

  it('the digest is of the body as received', async () => {
    const c = h.sandbox.population.companies[9]!;
    events.length = 0;
    await client.getJuristicProfile({ juristicId: c.juristicId }, { agentId: 'audit-system' });
    const raw = await fetch(
      `${h.sandbox.gdx.url}/ws/dbd/juristic/v4/profile/information?JuristicID=${c.juristicId}`,
      {
        headers: {
          'consumer-key': h.sandbox.gdx.consumers[0]!.consumerKey,
          token: h.sandbox.gdx.tokens.list().find((t) => t.agentId === 'audit-system')!.token,
        },
      },
    );
    const digest = `sha-256=:${createHash('sha256')
      .update(Buffer.from(await raw.arrayBuffer()))
      .digest('base64')}:`;
    expect(events[0]?.responseDigest).toBe(digest);
    // A system name is not personal data: it stays readable.
    expect(events[0]?.who).toBe('audit-system');
  });

  it('failed calls are recorded with their error code', async () => {
    const noSession = h.sandbox.population.people[81]!.citizenId;
    const p = h.sandbox.population.people[82]!;
    events.length = 0;
    await rejection(client.getPerson({ citizenId: p.citizenId }, { agentId: noSession, purpose: 'test' }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: 'error',
      code: 'ERR_GDX_BUSINESS',
      statusCode: 200,
      purpose: 'test',
    });
  });

  it('no record, no data: a failing sink fails the call with ERR_AUDIT_IO', async () => {
    const c = h.sandbox.gdx.consumers[0]!;
    const broken = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: c.consumerKey,
      consumerSecret: c.consumerSecret,
      audit: {
        sink: {
          append: async () => {
            throw new Error('disk full');
          },
        },
      },
    });
    const p = h.sandbox.population.people[83]!;
    const err = await rejection(broken.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }));
    await broken.close();
    expect(isThGovError(err, 'ERR_AUDIT_IO')).toBe(true);
  });

  it('without hmacSecret the sink receives the raw subject (core sinks hash it themselves)', async () => {
    const c = h.sandbox.gdx.consumers[0]!;
    const seen: GdxAuditEvent[] = [];
    const plain = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: c.consumerKey,
      consumerSecret: c.consumerSecret,
      audit: { sink: { append: async (e) => void seen.push(e) } },
    });
    const p = h.sandbox.population.people[84]!;
    await plain.getAddress({ citizenId: p.citizenId }, { agentId: h.officer });
    await plain.close();
    expect(seen[0]?.subject).toBe(p.citizenId);
    expect(seen[0]?.client).toBe('gdx-consumer');
  });
});

describe("core's audit sinks take the client's events as they are", () => {
  it('MemoryAuditSink: chained records, subject and officer hashed by the sink, purpose kept', async () => {
    const chainKey = { id: 'test', secret: 'exchange-test-chain-key-0123456789abcdef' };
    const sink = new MemoryAuditSink({ hmacSecret: SECRET, chainKey });
    const c = h.sandbox.gdx.consumers[0]!;
    const withCore = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: c.consumerKey,
      consumerSecret: c.consumerSecret,
      audit: { sink },
    });
    const p = h.sandbox.population.people[85]!;
    await withCore.getPerson(
      { citizenId: p.citizenId },
      { agentId: h.officer, purpose: 'tax refund check', caseRef: 'TX-1' },
    );
    await rejection(
      withCore.getPerson({ citizenId: p.citizenId }, { agentId: h.sandbox.population.people[86]!.citizenId }),
    );
    await withCore.close();
    const records = sink.records;
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      seq: 1,
      service: 'gdx',
      operation: 'dopa.linkage.001',
      purpose: 'tax refund check',
      caseRef: 'TX-1',
      status: 'ok',
    });
    expect(records[0]?.subject).toBe(createSubjectHasher(SECRET)(p.citizenId));
    expect(records[0]?.who).toBe(createSubjectHasher(SECRET)(h.officer));
    expect(records[1]).toMatchObject({ seq: 2, status: 'error', code: 'ERR_GDX_BUSINESS' });
    expect(sink.text()).not.toContain(p.citizenId);
    const verified = await verifyAuditLog({ text: sink.text() }, { keys: [chainKey], anchor: sink.anchor() });
    expect(verified).toMatchObject({ ok: true, format: 'keyed', warnings: [] });
  });
});
