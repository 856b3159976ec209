import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from '../src/token-cache.js';
import { type Harness, harness } from './helpers.js';

/*
 * The cache re-validates a token that has been idle close to GDX's idle expiry (the refresh margin). Inside
 * that margin the cached token is still alive on GDX's side: a validate that fails then (GDX's validate
 * endpoint down, a 200 without a token) must not fail calls the live token can still serve. Best SDKs
 * (Azure Identity's proactive refresh, AWS SDK v3's credential providers) keep a still-valid credential when
 * its early refresh fails. The idle clocks read Date.now(), faked here: idle time passes only when a test says so.
 */

let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  h = undefined;
});

const validates = (x: Harness, status?: number) =>
  x.sandbox.gdx.usage.entries({ service: 'auth/validate', status }).length;

describe('a validate that fails inside the refresh margin', () => {
  it('keeps serving calls with the still-live token (GDX validate answering 503)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    h = await harness({
      sandbox: { gdx: { tokenIdleTimeoutInMs: 300 } },
      client: {
        tokenIdleTimeoutInMs: 300,
        tokenRefreshMarginInMs: 100,
        retry: { maxRetries: 1, baseDelayInMs: 1 },
      },
    });
    const p = h.sandbox.population.people[10]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/auth', unavailable: 1 }] });
    vi.setSystemTime(Date.now() + 250); // inside the margin: GDX still knows the token
    await expect(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }),
    ).resolves.toBeTruthy();
    // The refresh was tried (and failed), and the lookup went out with the live token: no 401.
    expect(h.sandbox.gdx.usage.count('auth/validate', 503)).toBeGreaterThanOrEqual(1);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 200)).toBe(2);
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001', 401)).toBe(0);
    // Once validate is back, the next refresh replaces the token.
    h.sandbox.gdx.faults.setProfile({ rules: [] });
    vi.setSystemTime(Date.now() + 250);
    await expect(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }),
    ).resolves.toBeTruthy();
    expect(validates(h, 200)).toBe(2);
  });

  it('past the idle expiry a failed validate still fails the call (no dead token is used)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    h = await harness({
      sandbox: { gdx: { tokenIdleTimeoutInMs: 300 } },
      client: {
        tokenIdleTimeoutInMs: 300,
        tokenRefreshMarginInMs: 100,
        retry: { maxRetries: 1, baseDelayInMs: 1 },
      },
    });
    const p = h.sandbox.population.people[10]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer });
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/auth', unavailable: 1 }] });
    vi.setSystemTime(Date.now() + 400);
    await expect(
      h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer }),
    ).rejects.toMatchObject({
      code: 'ERR_HTTP',
    });
    expect(h.sandbox.gdx.usage.count('dopa/linkage/001')).toBe(1);
  });
});

describe('TokenCache refresh fallback', () => {
  const IDLE = 60_000;
  const MARGIN = 10_000;
  it('every concurrent caller inside the margin gets the live token when the refresh fails; one validate', async () => {
    let now = 0;
    let fail = false;
    let fetches = 0;
    const cache = new TokenCache(
      async () => {
        fetches++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error('validate down');
        return `gdx-token-${fetches}-${'x'.repeat(20)}`;
      },
      { idleTimeoutInMs: IDLE, refreshMarginInMs: MARGIN, maxEntries: 10, now: () => now },
    );
    const first = await cache.get('agent-a', 'r0');
    fail = true;
    now = IDLE - MARGIN + 1;
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.get('agent-a', `r${i}`)));
    expect(new Set(got)).toEqual(new Set([first]));
    expect(fetches).toBe(2);
    // Used just now: GDX's idle clock restarted, and so did the cache's (no validate on the next call).
    now += MARGIN;
    expect(await cache.get('agent-a', 'r-next')).toBe(first);
    expect(fetches).toBe(2);
  });

  it('a token invalidated while its refresh is in flight is not handed out when the refresh fails', async () => {
    let now = 0;
    let release: (() => void) | undefined;
    let fetches = 0;
    const cache = new TokenCache(
      async () => {
        fetches++;
        if (fetches === 1) return 'gdx-token-first-xxxxxxxxxxxx';
        await new Promise<void>((r) => {
          release = r;
        });
        throw new Error('validate down');
      },
      { idleTimeoutInMs: IDLE, refreshMarginInMs: MARGIN, maxEntries: 10, now: () => now },
    );
    const first = await cache.get('agent-a', 'r0');
    now = IDLE - MARGIN + 1;
    const pending = cache.get('agent-a', 'r1');
    await vi.waitFor(() => expect(release).toBeDefined());
    cache.invalidate('agent-a', first); // GDX said "token not found" meanwhile
    release?.();
    await expect(pending).rejects.toThrow('validate down');
  });
});
