// Two instances of the app behind one load balancer that switches instance on every request: a login
// started on one instance completes on the other when the login state (PostgresStateStore) and the
// sessions (PostgresSessionStore) are shared; with per-instance memory it fails, which the test shows too.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DigitalIdClient, MemoryStateStore, type StateStore } from '@thgov/digital-id';
import { PostgresStateStore } from '@thgov/digital-id/postgres';
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { PostgresSessionStore } from '../src/postgres-sessions.js';
import { PROFILE_SCOPES } from '../src/sandbox-client.js';
import type { SessionData, SharedSessionStore } from '../src/session.js';
import { SessionStore } from '../src/session-store.js';
import { type RoundRobinProxy, startRoundRobinProxy } from './helpers/round-robin-proxy.js';

const postgres = requirePostgres({ why: 'logins across two app instances' });

postgres.describe('two app instances on one PostgreSQL', () => {
  const population = generatePopulation({ seed: 2026, people: 10, companies: 1 });
  const citizen = population.people[4]!;

  interface Instance {
    server: Server;
    port: number;
    close(): Promise<void>;
  }

  let url = '';
  beforeAll(async () => {
    url = (await testDatabase('express')).url;
    await new PostgresStateStore({ connectionString: url }).migrate();
    const sessions = new PostgresSessionStore({ connectionString: url });
    await sessions.migrate();
    await sessions.close();
  });

  /** One app instance: its own client, pools and memory, on its own port. */
  async function startInstance(
    thaid: ThaidProvider,
    publicUrl: string,
    stores: { state: StateStore; sessions: SessionStore<SessionData> | SharedSessionStore<SessionData> },
  ): Promise<Instance> {
    const client = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: thaid.clients.default.clientId,
      clientSecret: thaid.clients.default.clientSecret,
      apiKey: thaid.apiKey,
      redirectUri: `${publicUrl}/auth/callback`,
      scopes: PROFILE_SCOPES,
      dangerouslyAllowInsecureHttp: true,
      stateStore: stores.state,
    });
    const sockets = new Set<Socket>();
    const server = createServer(createApp({ client, baseUrl: publicUrl, sessionStore: stores.sessions }));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return {
      server,
      port: (server.address() as AddressInfo).port,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await client.close();
      },
    };
  }

  /** The proxy must listen before the instances are made (their redirect URI is the proxy's URL). */
  async function deployment(shared: boolean) {
    // The proxy reads `ports` on every request: instances join it once they listen.
    const ports: number[] = [];
    const proxy = await startRoundRobinProxy(ports);
    const thaid = await startThaidProvider({ population, redirectUris: [`${proxy.url}/auth/callback`] });
    const closers: (() => Promise<void>)[] = [];
    for (let i = 0; i < 2; i++) {
      const state = shared
        ? new PostgresStateStore({ connectionString: url, poolSize: 2 })
        : new MemoryStateStore();
      const sessions = shared
        ? new PostgresSessionStore({ connectionString: url, poolSize: 2 })
        : new SessionStore<SessionData>();
      const instance = await startInstance(thaid, proxy.url, { state, sessions });
      ports.push(instance.port);
      closers.push(async () => {
        await instance.close();
        if (state instanceof PostgresStateStore) await state.close();
        await sessions.close();
      });
    }
    return {
      proxy,
      close: async () => {
        for (const c of closers) await c();
        await proxy.close();
        await thaid.close();
      },
    };
  }

  /** A browser's cookie jar over fetch, following nothing by itself. */
  function agent() {
    const jar = new Map<string, string>();
    return async (target: string) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        const value = pair!.slice(eq + 1);
        if (value) jar.set(pair!.slice(0, eq), value);
        else jar.delete(pair!.slice(0, eq));
      }
      return res;
    };
  }

  async function loginThrough(proxy: RoundRobinProxy) {
    const get = agent();
    await get(`${proxy.url}/`);
    const start = await get(`${proxy.url}/login`);
    expect(start.status).toBe(303);
    const outcome = await new SandboxBrowser().login(start.headers.get('location')!, {
      citizenId: citizen.citizenId,
    });
    if (outcome.kind !== 'redirect') throw new Error('expected a redirect');
    const callback = await get(outcome.url);
    const profile = await get(`${proxy.url}/profile`);
    return { callback, profile };
  }

  describe('two app instances behind a round-robin load balancer', () => {
    let shared: Awaited<ReturnType<typeof deployment>>;
    let separate: Awaited<ReturnType<typeof deployment>>;
    beforeAll(async () => {
      shared = await deployment(true);
      separate = await deployment(false);
    });
    afterAll(async () => {
      await shared?.close();
      await separate?.close();
    });

    it('completes a login across instances with state and sessions in PostgreSQL', async () => {
      const { callback, profile } = await loginThrough(shared.proxy);
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/profile');
      expect(profile.status).toBe(200);
      expect(await profile.text()).toContain(citizen.firstName.th);
      // Login and callback were served by different instances, and so were callback and profile.
      const byPath = new Map(shared.proxy.log.map((l) => [l.path, l.backend]));
      expect(byPath.get('/login')).not.toBe(byPath.get('/auth/callback'));
      expect(byPath.get('/auth/callback')).not.toBe(byPath.get('/profile'));
    });

    it('fails the same way a real deployment would with per-instance memory', async () => {
      const { callback, profile } = await loginThrough(separate.proxy);
      expect(callback.status).toBe(400);
      expect(await callback.text()).toContain('NO_LOGIN_IN_PROGRESS');
      expect(profile.status).toBe(303);
    });
  });
});
