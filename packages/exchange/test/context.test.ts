import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

function wrongCheckDigit(id: string): string {
  return id.slice(0, 12) + String((Number(id[12]) + 1) % 10);
}

/** Everything here must fail before any request: the gateway sees nothing. */
const requestsSoFar = () => h.sandbox.gdx.usage.entries().length;

describe('per-call context and input validation happen before any request', () => {
  it('agentId is required (no client default) → TypeError ERR_GDX_AGENT_ID', async () => {
    const n = requestsSoFar();
    const p = h.sandbox.population.people[10]!;
    const err = await rejection(h.client.getPerson({ citizenId: p.citizenId }));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_GDX_AGENT_ID');
    expect(requestsSoFar()).toBe(n);
  });

  it.each([
    ['a citizen ID with a wrong check digit', wrongCheckDigit(completeThaiId('110170023070'))],
    ['an empty string', ''],
    ['a name with a newline', 'system\nname'],
    ['a 200-character name', 'a'.repeat(200)],
    ['a number', 1234567890123],
  ])('rejects %s as AgentID', async (_label, agentId) => {
    const n = requestsSoFar();
    const p = h.sandbox.population.people[10]!;
    const err = await rejection(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: agentId as string }),
    );
    expect(err.code).toBe('ERR_GDX_AGENT_ID');
    expect(requestsSoFar()).toBe(n);
  });

  it('accepts a system name as AgentID (GDX allows English system names)', async () => {
    const c = h.sandbox.population.companies[0]!;
    await expect(
      h.client.getJuristicProfile({ juristicId: c.juristicId }, { agentId: 'saraban-bridge' }),
    ).resolves.toBeTruthy();
  });

  it('a client-wide default agentId is used when the call gives none', async () => {
    const consumer = h.sandbox.gdx.consumers[0]!;
    const client = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: consumer.consumerKey,
      consumerSecret: consumer.consumerSecret,
      agentId: h.officer,
    });
    const p = h.sandbox.population.people[16]!;
    await client.getPerson({ citizenId: p.citizenId });
    await client.close();
    expect(h.sandbox.gdx.usage.entries({ subject: p.citizenId })[0]?.agentId).toBe(h.officer);
  });

  it('purpose and caseRef: control characters and oversized text are rejected', async () => {
    const p = h.sandbox.population.people[10]!;
    const a = await rejection(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer, purpose: 'x'.repeat(501) }),
    );
    expect(a.code).toBe('ERR_INVALID_ARG');
    const b = await rejection(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer, caseRef: 'a\u0000b' }),
    );
    expect(b.code).toBe('ERR_INVALID_ARG');
  });

  it('bad citizen IDs, juristic IDs, BE dates and laser codes → typed TypeErrors that do not echo the value', async () => {
    const n = requestsSoFar();
    const ctx = { agentId: h.officer };
    const valid = h.sandbox.population.people[10]!;
    const badId = wrongCheckDigit(valid.citizenId);
    const e1 = await rejection(h.client.getPerson({ citizenId: badId }, ctx));
    expect(e1.code).toBe('ERR_THAI_ID');
    expect(e1.message).not.toContain(badId);
    const e2 = await rejection(h.client.getJuristicProfile({ juristicId: valid.citizenId }, ctx));
    expect(e2.code).toBe('ERR_THAI_ID');
    const laser = {
      citizenId: valid.citizenId,
      firstName: 'ก',
      lastName: 'ข',
      birthDateBe: '25300101',
      laserCode: 'JT0000000000',
    };
    const e3 = await rejection(h.client.verifyLaserCode({ ...laser, birthDateBe: '19870101' }, ctx));
    expect(e3.code).toBe('ERR_BE_DATE');
    const e4 = await rejection(h.client.verifyLaserCode({ ...laser, birthDateBe: '25301301' }, ctx));
    expect(e4.code).toBe('ERR_BE_DATE');
    const e5 = await rejection(h.client.verifyLaserCode({ ...laser, laserCode: 'J10000000000' }, ctx));
    expect(e5.code).toBe('ERR_LASER_CODE');
    const e6 = await rejection(h.client.verifyLaserCode({ ...laser, firstName: 'x'.repeat(10_000) }, ctx));
    expect(e6.code).toBe('ERR_INVALID_ARG');
    const e7 = await rejection(h.client.getPerson(null as unknown as { citizenId: string }, ctx));
    expect(e7.code).toBe('ERR_INVALID_ARG');
    const e8 = await rejection(
      h.client.getPerson({ citizenId: 42 } as unknown as { citizenId: string }, ctx),
    );
    expect(e8.code).toBe('ERR_THAI_ID');
    const e9 = await rejection(h.client.call({ path: 'no-slash' }, ctx));
    expect(e9.code).toBe('ERR_INVALID_ARG');
    const e10 = await rejection(h.client.call({ path: '/ws/x', pathPrefix: '../etc' }, ctx));
    expect(e10.code).toBe('ERR_INVALID_ARG');
    expect(requestsSoFar()).toBe(n);
  });

  it('constructor options are validated strictly', () => {
    const base = { baseUrl: h.sandbox.gdx.url, consumerKey: 'k-123456', consumerSecret: 's-123456' };
    const unknownKey = () =>
      new ExchangeClient({ ...base, timeout: 5 } as unknown as ConstructorParameters<
        typeof ExchangeClient
      >[0]);
    expect(unknownKey).toThrow(TypeError);
    expect(unknownKey).toThrow(/timeout/);
    expect(() => new ExchangeClient({ baseUrl: h.sandbox.gdx.url })).toThrow(/consumerKey/);
    expect(() => new ExchangeClient({ ...base, agentId: '123' })).toThrow(/agentId/);
    expect(() => new ExchangeClient({ ...base, xroad: { client: 'only/two' } })).toThrow(/xroad.client/);
    expect(() => new ExchangeClient({ ...base, pathPrefixes: { '/ws/dga': 'uat' } })).toThrow(TypeError);
    expect(() => new ExchangeClient({ ...base, baseUrl: 'not a url' })).toThrow(TypeError);
  });
});
