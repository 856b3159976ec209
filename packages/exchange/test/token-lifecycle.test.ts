import { isThGovError } from '@thgov/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isGdxError } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  h = undefined;
});

const validates = (x: Harness, agentId?: string) =>
  x.sandbox.gdx.usage.entries({ service: 'auth/validate', status: 200, agentId }).length;

describe('token lifecycle per AgentID', () => {
  it('caches the token: many sequential calls, one validate', async () => {
    h = await harness();
    const people = h.sandbox.population.people.slice(10, 30);
    for (const p of people) await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(validates(h)).toBe(1);
    expect(h.client.stats()).toMatchObject({ validations: 1, tokenReplays: 0, cachedAgents: 1 });
  });

  it('single-flight: 100 concurrent calls for one AgentID cause one validate', async () => {
    h = await harness({
      sandbox: { gdx: { faults: { rules: [{ route: '/ws/auth', latencyInMs: [30, 30] }] } } },
    });
    const people = h.sandbox.population.people;
    const calls = Array.from({ length: 100 }, (_, i) =>
      h!.client.getPerson({ citizenId: people[(i % 50) + 10]!.citizenId }, { agentId: h!.officer }),
    );
    const results = await Promise.all(calls);
    expect(results).toHaveLength(100);
    expect(validates(h)).toBe(1);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 200)).toBe(100);
  });

  it('AgentID isolation: each officer gets and uses their own token', async () => {
    h = await harness();
    const [a, b] = h.sandbox.gdx.officers as [string, string];
    const people = h.sandbox.population.people.slice(50, 90);
    await Promise.all(
      people.map((p, i) => h!.client.getPerson({ citizenId: p.citizenId }, { agentId: i % 2 === 0 ? a : b })),
    );
    expect(validates(h, a)).toBe(1);
    expect(validates(h, b)).toBe(1);
    // GDX binds the AgentID into the token: the usage log shows who each lookup was made for.
    people.forEach((p, i) => {
      const entry = h!.sandbox.gdx.usage.entries({ subject: p.citizenId, service: 'dopa/linkage/001' });
      expect(entry.map((e) => e.agentId)).toEqual([i % 2 === 0 ? a : b]);
    });
    const live = h.sandbox.gdx.tokens.list();
    expect(new Set(live.map((t) => t.token)).size).toBe(2);
    expect(new Set(live.map((t) => t.agentId))).toEqual(new Set([a, b]));
  });

  it('token expiry mid-run: "token not found" is answered by one re-validate and a transparent replay', async () => {
    h = await harness();
    const people = h.sandbox.population.people.slice(10, 40);
    for (const p of people.slice(0, 10))
      await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(h.sandbox.gdx.tokens.expireAll()).toBe(1);
    // 20 concurrent calls all hit "token not found" with the dead token; they share one re-validate.
    await Promise.all(
      people.slice(10).map((p) => h!.client.getPerson({ citizenId: p.citizenId }, { agentId: h!.officer })),
    );
    expect(validates(h)).toBe(2);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 401)).toBeGreaterThanOrEqual(1);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 200)).toBe(30);
    expect(h.client.stats().tokenReplays).toBe(h.sandbox.gdx.usage.count('dopa/linkage/001', 401));
  });

  // The idle clocks (the client's token cache and the gateway's token store) read Date.now(), which these two
  // tests fake: idle time passes only when the test says so. With real time, a loaded machine that stalled
  // between the validate and the lookup that follows it (a 100 ms idle timeout) made a token die early, and
  // the counts below came out one higher.
  it('refreshes before the idle expiry, so an idle token never produces a 401', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    h = await harness({
      sandbox: { gdx: { tokenIdleTimeoutInMs: 300 } },
      client: { tokenIdleTimeoutInMs: 300, tokenRefreshMarginInMs: 100 },
    });
    const p = h.sandbox.population.people[10]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    vi.setSystemTime(Date.now() + 250); // idle past (timeout - margin), still inside the server's timeout
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(validates(h)).toBe(2);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 401)).toBe(0);
  });

  it('a server-side idle expiry the client did not know about is recovered by the replay', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    h = await harness({ sandbox: { gdx: { tokenIdleTimeoutInMs: 100 } } });
    const p = h.sandbox.population.people[10]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    vi.setSystemTime(Date.now() + 150);
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 401)).toBe(1);
    expect(validates(h)).toBe(2);
    expect(h.client.stats().tokenReplays).toBe(1);
  });

  it('replays only once: a token rejected twice in a row is ERR_GDX_AUTH', async () => {
    h = await harness({ sandbox: { gdx: { faults: { rules: [{ route: '/ws/dopa', expireToken: 1 }] } } } });
    const p = h.sandbox.population.people[10]!;
    const err = await rejection(h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }));
    expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
    expect(validates(h)).toBe(2);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 401)).toBe(2);
  });

  it('validate itself is retried, but boundedly (503 forever → 1 + maxRetries attempts)', async () => {
    h = await harness({
      sandbox: { gdx: { faults: { rules: [{ route: '/ws/auth', unavailable: 1 }] } } },
      client: { retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 5 } },
    });
    const p = h.sandbox.population.people[10]!;
    const err = await rejection(h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }));
    expect(isThGovError(err, 'ERR_HTTP')).toBe(true);
    expect(h.sandbox.gdx.usage.count('auth/validate', 503)).toBe(3);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001')).toBe(0);
    // The failure is not cached: once GDX is back, the next call validates again and succeeds.
    h.sandbox.gdx.faults.setProfile({ rules: [] });
    await expect(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }),
    ).resolves.toBeTruthy();
  });

  it('validate with flaky 503s succeeds within the retry budget', async () => {
    h = await harness({
      sandbox: { gdx: { faults: { seed: 7, rules: [{ route: '/ws/auth', unavailable: 0.5 }] } } },
    });
    const agents = h.sandbox.population.people.slice(100, 110).map((p) => p.citizenId);
    for (const a of agents) h.sandbox.gdx.setOfficerSession(a, 'AgentAvailable');
    const p = h.sandbox.population.people[10]!;
    for (const a of agents) await h.client.getPerson({ citizenId: p.citizenId }, { agentId: a });
    expect(validates(h)).toBe(10);
    expect(h.sandbox.gdx.usage.count('auth/validate', 503)).toBeGreaterThan(0);
  });
});
