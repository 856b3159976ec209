// Login start, order of work (PAR, RFC 9126): the login must be filed in the state store before the
// authorization request is pushed to the provider. Pushed first, a store that then refuses (full under a flood,
// or down) leaves a request_uri registered at the provider for nothing, after a network call the flood made the
// app pay for; the refusal should be the cheap, local answer. And a push that fails after the login was filed
// must not leave that login holding a place in the store (a flood of failing pushes would fill it).
//
// Real components: the sandbox's generic provider (PAR advertised) behind a real forward proxy that reads the
// plain-http requests it tunnels (so the test sees every push), a real PostgreSQL for the shared store.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { type GenericProvider, generatePopulation, startGenericProvider } from '@thgov/sandbox';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitalIdClient, MemoryStateStore, type StateStore } from '../../src/index.js';
import { PostgresStateStore } from '../../src/postgres.js';
import { failure, REDIRECT } from '../helpers.js';

/** A CONNECT proxy that records the request line of every plain-http request it tunnels; can cut the pushes. */
async function watchingProxy(parPath: () => string) {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let cutPushes = false;
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1' && host !== 'localhost') return void client.destroy();
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(/^(GET|POST) (\S+) HTTP\/1\.1\r$/gm))
          requests.push(`${m[1]} ${m[2]}`);
        if (cutPushes && requests.at(-1) === `POST ${parPath()}`) {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
    });
    sockets.add(client).add(upstream);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.on('error', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    pushes: () => requests.filter((r) => r === `POST ${parPath()}`).length,
    cutPushes: (on: boolean) => {
      cutPushes = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A localhost port nothing listens on (a database that is down). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A start the provider refuses at its PAR endpoint (an id_token_hint that is no id_token: invalid_request). */
const REFUSED_PUSH = { extraParameters: { id_token_hint: 'not-an-id-token' } };

const population = generatePopulation({ seed: 41, people: 3, companies: 1 });
let op: GenericProvider;
let proxy: Awaited<ReturnType<typeof watchingProxy>>;
let parPath = '';
const clients: DigitalIdClient[] = [];
beforeAll(async () => {
  op = await startGenericProvider({ population });
  const meta = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  parPath = new URL(meta.pushed_authorization_request_endpoint!).pathname;
  proxy = await watchingProxy(() => parPath);
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await proxy?.close();
  await op?.close();
});

function client(stateStore: StateStore): DigitalIdClient {
  const c = op.clients.default;
  const made = new DigitalIdClient({
    provider: 'generic',
    issuer: op.issuer,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    redirectUri: REDIRECT,
    scopes: ['openid', 'profile'],
    proxy: proxy.url,
    stateStore,
    dangerouslyAllowInsecureHttp: true,
  });
  clients.push(made);
  return made;
}

describe('login start with PAR: the login is filed before the push', () => {
  it('a full store refuses the start before anything is pushed to the provider', async () => {
    const c = client(new MemoryStateStore({ maxEntries: 1 }));
    const first = await c.createLoginRequest();
    expect(new URL(first.url).searchParams.get('request_uri')).toMatch(/^urn:/);
    const pushed = proxy.pushes();
    expect(pushed).toBeGreaterThan(0);
    const err = await failure(() => c.createLoginRequest());
    expect(err.code).toBe('ERR_DIGITAL_ID_STATE_STORE_FULL');
    expect(proxy.pushes()).toBe(pushed);
  });

  it('a store that is down fails the start before anything is pushed to the provider', async () => {
    const store = new PostgresStateStore({
      connectionString: `postgres://nobody:nothing@127.0.0.1:${await closedPort()}/none`,
      poolSize: 1,
    });
    const c = client(store);
    await c.metadata();
    const pushed = proxy.pushes();
    const err = await failure(() => c.createLoginRequest());
    expect(err.code).toMatch(/^ERR_POSTGRES/);
    expect(proxy.pushes()).toBe(pushed);
    await store.close();
  });

  it('a push the provider refuses releases the login filed for it', async () => {
    const store = new MemoryStateStore({ maxEntries: 1 });
    const c = client(store);
    const err = await failure(() => c.createLoginRequest(REFUSED_PUSH));
    expect(err.code).toMatch(/^ERR_DIGITAL_ID_/);
    expect(store.size).toBe(0);
    await expect(c.createLoginRequest()).resolves.toMatchObject({ state: expect.any(String) });
  });

  it('a push cut by the network releases the login filed for it', async () => {
    const store = new MemoryStateStore({ maxEntries: 1 });
    const c = client(store);
    await c.metadata();
    proxy.cutPushes(true);
    try {
      const err = await failure(() => c.createLoginRequest());
      expect(err.code).toBe('ERR_NETWORK');
    } finally {
      proxy.cutPushes(false);
    }
    expect(store.size).toBe(0);
    await expect(c.createLoginRequest()).resolves.toMatchObject({ state: expect.any(String) });
  });
});

const postgres = requirePostgres({ why: 'a failed push releases the login filed in the shared store' });

postgres.describe('login start with PAR and the PostgreSQL store', () => {
  let url = '';
  beforeAll(async () => {
    url = (await testDatabase('digital_id_order')).url;
  });

  it('a push the provider refuses leaves no row behind; a full store pushes nothing', async () => {
    const store = new PostgresStateStore({ connectionString: url, migrate: true, maxPending: 1 });
    try {
      const c = client(store);
      const refused = await failure(() => c.createLoginRequest(REFUSED_PUSH));
      expect(refused.code).toMatch(/^ERR_DIGITAL_ID_/);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM thgov.digital_id_states');
        expect(rows[0].n).toBe(0);
      } finally {
        await admin.end();
      }
      await c.createLoginRequest();
      const pushed = proxy.pushes();
      expect((await failure(() => c.createLoginRequest())).code).toBe('ERR_DIGITAL_ID_STATE_STORE_FULL');
      expect(proxy.pushes()).toBe(pushed);
    } finally {
      await store.close();
    }
  });
});
