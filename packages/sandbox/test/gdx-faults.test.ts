import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sb: Sandbox;
let headers: Record<string, string>;
let url: string;

beforeAll(async () => {
  sb = await startSandbox();
  const c = sb.gdx.consumers[0]!;
  const v = await fetch(
    `${sb.gdx.url}/ws/auth/validate?ConsumerSecret=${c.consumerSecret}&AgentID=${sb.gdx.officers[0]}`,
    {
      headers: { 'Consumer-Key': c.consumerKey },
    },
  );
  headers = { 'Consumer-Key': c.consumerKey, Token: ((await v.json()) as { Result: string }).Result };
  url = `${sb.gdx.url}/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${sb.population.people[3]!.citizenId}`;
});
afterAll(() => sb.close());

async function outcomes(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const res = await fetch(url, { headers });
      await res.text();
      out.push(
        String(res.status) + (res.headers.get('retry-after') ? `:${res.headers.get('retry-after')}` : ''),
      );
    } catch {
      out.push('reset');
    }
  }
  return out;
}

describe('seeded fault injection per route', () => {
  it('503, 429 with Retry-After and connection resets, in seeded proportions and logged', async () => {
    sb.gdx.faults.setProfile({
      seed: 11,
      rules: [{ route: '/ws/dopa', unavailable: 0.2, rateLimited: 0.1, reset: 0.1, retryAfterSeconds: 2 }],
    });
    const first = await outcomes(200);
    sb.gdx.faults.setProfile({
      seed: 11,
      rules: [{ route: '/ws/dopa', unavailable: 0.2, rateLimited: 0.1, reset: 0.1, retryAfterSeconds: 2 }],
    });
    const again = await outcomes(200);
    sb.gdx.faults.setProfile({ rules: [] });
    // Same seed, same faults in the same order.
    expect(again).toEqual(first);
    const count = (s: string) => first.filter((x) => x === s).length;
    expect(count('503')).toBeGreaterThan(15);
    expect(count('429:2')).toBeGreaterThan(5);
    expect(count('reset')).toBeGreaterThan(5);
    expect(count('200')).toBeGreaterThan(100);
    expect(sb.gdx.usage.count('dopa/linkage/001', 0)).toBe(count('reset') * 2);
  });

  it('the usage log gives each faulted request its own status, however many are in flight at once', async () => {
    // Latency first, then the fault: while one request waits, others are reset. Each 503 is still logged as
    // 503 and each reset as 0, so the log's counts equal the injector's.
    sb.gdx.faults.setProfile({
      seed: 5,
      rules: [{ route: '/ws/dopa', latencyInMs: [0, 30], unavailable: 0.3, reset: 0.3 }],
    });
    const before = { ...sb.gdx.faults.counters };
    const logged = (status: number) => sb.gdx.usage.count('dopa/linkage/001', status);
    const loggedBefore = { reset: logged(0), unavailable: logged(503) };
    try {
      await Promise.all(
        Array.from({ length: 60 }, async () => {
          try {
            await (await fetch(url, { headers })).text();
          } catch {
            // a reset: the log is what is checked
          }
        }),
      );
    } finally {
      sb.gdx.faults.setProfile({ rules: [] });
    }
    const resets = sb.gdx.faults.counters.resets - before.resets;
    const unavailable = sb.gdx.faults.counters.unavailable - before.unavailable;
    expect(resets).toBeGreaterThan(5);
    expect(unavailable).toBeGreaterThan(5);
    expect(logged(0) - loggedBefore.reset).toBe(resets);
    expect(logged(503) - loggedBefore.unavailable).toBe(unavailable);
  });

  it('faults are per route: validate unaffected when only /ws/dbd is faulty', async () => {
    sb.gdx.faults.setProfile({ rules: [{ route: '/ws/dbd', unavailable: 1 }] });
    try {
      expect((await outcomes(5)).every((s) => s === '200')).toBe(true);
      const c = sb.population.companies[0]!;
      const r = await fetch(
        `${sb.gdx.url}/ws/dbd/juristic/v4/profile/information?JuristicID=${c.juristicId}`,
        { headers },
      );
      expect(r.status).toBe(503);
    } finally {
      sb.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('expired-token faults answer "token not found" and revoke the token', async () => {
    const c = sb.gdx.consumers[0]!;
    const v = await fetch(
      `${sb.gdx.url}/ws/auth/validate?ConsumerSecret=${c.consumerSecret}&AgentID=fault-sys`,
      { headers: { 'Consumer-Key': c.consumerKey } },
    );
    const token = ((await v.json()) as { Result: string }).Result;
    sb.gdx.faults.setProfile({ rules: [{ route: '/ws/dbd', expireToken: 1 }] });
    try {
      const co = sb.population.companies[0]!;
      const r = await fetch(
        `${sb.gdx.url}/ws/dbd/juristic/v4/profile/information?JuristicID=${co.juristicId}`,
        {
          headers: { 'Consumer-Key': c.consumerKey, Token: token },
        },
      );
      expect(r.status).toBe(401);
      expect(await r.text()).toBe('UnauthorizedException: token not found');
      expect(sb.gdx.tokens.list().some((t) => t.token === token)).toBe(false);
      expect(sb.gdx.faults.counters.expiredTokens).toBeGreaterThanOrEqual(1);
    } finally {
      sb.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('latency and slow bodies still deliver the whole answer', async () => {
    sb.gdx.faults.setProfile({
      rules: [{ route: '/ws/dopa', latencyInMs: [20, 30], slowBodyChunkDelayInMs: 2 }],
    });
    try {
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { firstName: string };
      expect(body.firstName).toBe(sb.population.people[3]!.firstName.th);
      expect(sb.gdx.faults.counters.delayed).toBeGreaterThanOrEqual(1);
    } finally {
      sb.gdx.faults.setProfile({ rules: [] });
    }
  });
});
