import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionData } from '../src/session.js';
import { SessionStore } from '../src/session-store.js';
import { type Running, startExample } from './setup.js';

/** GET/POST over one keep-alive agent, a few in flight: status and Set-Cookie only. */
function send(
  agent: Agent,
  url: string,
  init: { method?: string; cookie?: string; body?: string } = {},
): Promise<{ status: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: init.method ?? 'GET',
        headers: {
          ...(init.cookie ? { cookie: init.cookie } : {}),
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const cookieOf = (setCookie: string[]) => setCookie[0]?.split(';')[0] ?? '';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

describe('sessions are created only at login', () => {
  let app: Running;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  beforeAll(async () => {
    app = await startExample();
  });
  afterAll(async () => {
    agent.destroy();
    await app.close();
  });

  // Any session made per request would show at once; 10,000 requests (2,000 per kind) also show the store stays
  // empty under load, which was where the unbounded store used to grow.
  const REQUESTS = 10_000;
  it('10,000 cookie-less requests (and forged cookies) create no session and set no cookie', async () => {
    const targets = [
      { url: `${app.baseUrl}/` },
      { url: `${app.baseUrl}/profile` },
      { url: `${app.baseUrl}/auth/callback?code=x&state=y` },
      { url: `${app.baseUrl}/logout`, method: 'POST', body: 'csrf=x' },
      { url: `${app.baseUrl}/profile`, cookie: 'sid=forged-session-id' },
    ];
    let next = 0;
    let cookies = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const r = await send(agent, targets[i % targets.length]!.url, targets[i % targets.length]);
        cookies += r.setCookie.length;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(cookies).toBe(0);
    expect(app.sessionStore.size).toBe(0);
    // Those requests got their normal answers: the home page, a redirect, the login-CSRF refusal, 403.
    expect([...statuses.keys()].sort()).toEqual([200, 303, 400, 403]);
  }, 600_000); // a hang guard for a busy machine, not a speed check

  it('a login creates one session; its cookie then works', async () => {
    const login = await send(agent, `${app.baseUrl}/login`);
    expect(login.status).toBe(303);
    expect(app.sessionStore.size).toBe(1);
    // The session now holds the login in progress: the callback is checked against it, not refused outright.
    const cb = await send(agent, `${app.baseUrl}/auth/callback?code=x&state=wrong`, {
      cookie: cookieOf(login.setCookie),
    });
    expect(cb.status).toBe(400);
    expect(app.sessionStore.size).toBe(1);
  });
});

describe('the session store is bounded and swept', () => {
  it('holds at most maxSessions; the least recently used session goes first', async () => {
    const app = await startExample({ sessions: { maxSessions: 20 } });
    const agent = new Agent({ keepAlive: true });
    try {
      const cookies: string[] = [];
      for (let i = 0; i < 35; i++)
        cookies.push(cookieOf((await send(agent, `${app.baseUrl}/login`)).setCookie));
      expect(app.sessionStore.size).toBe(20);
      expect(new Set(cookies).size).toBe(35);
      // Logins 0-14 were evicted; 15-34 remain.
      const { sessionStore: store } = app;
      const id = (c: string) => c.slice(c.indexOf('=') + 1);
      expect(store.get(id(cookies[14]!))).toBeUndefined();
      expect(store.get(id(cookies[15]!))).toBeDefined();
      // Using the oldest remaining session makes it the most recent: the next login evicts number 16 instead.
      await send(agent, `${app.baseUrl}/login`);
      expect(store.get(id(cookies[15]!))).toBeDefined();
      expect(store.get(id(cookies[16]!))).toBeUndefined();
      expect(store.size).toBe(20);
    } finally {
      agent.destroy();
      await app.close();
    }
  });

  it('expired sessions are removed by the sweep timer, without any request', async () => {
    const store = new SessionStore<SessionData>({ ttlInMs: 30, sweepIntervalInMs: 20 });
    try {
      for (let i = 0; i < 100; i++) store.create({ csrf: `c${i}` });
      expect(store.size).toBe(100);
      await until(() => store.size === 0, 'the sweep removed every expired session');
    } finally {
      store.close();
    }
  });

  it('an expired session is gone on read even before a sweep; bad limits are refused', () => {
    let now = 1_000;
    const store = new SessionStore<SessionData>({ ttlInMs: 100, now: () => now });
    try {
      const a = store.create({ csrf: 'a' });
      now += 99;
      expect(store.get(a)).toEqual({ csrf: 'a' });
      now += 99; // used 99 ms ago: still alive, the read above extended it
      expect(store.get(a)).toEqual({ csrf: 'a' });
      now += 100;
      expect(store.get(a)).toBeUndefined();
      expect(store.get('never-issued')).toBeUndefined();
    } finally {
      store.close();
    }
    for (const bad of [{ maxSessions: 0 }, { ttlInMs: -1 }, { sweepIntervalInMs: 1.5 }])
      expect(() => new SessionStore(bad)).toThrow(RangeError);
  });
});
