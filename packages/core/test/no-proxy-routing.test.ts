import type { LookupAddress } from 'node:dns';
import { createRequire } from 'node:module';
import { connectProxy, createTestCa, httpServer, httpsServer, type TestProxy } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, isTimeoutError, Transport } from '../src/index.js';
import { createEnvProxyDispatcher } from '../src/no-proxy.js';

// `proxy: 'env'` end to end, with a real CONNECT proxy and real servers, all on 127.0.0.1. Loopback always goes
// direct, so to see a NO_PROXY decision the target is addressed by a made-up name under `.test` that only the
// direct connection's DNS look-up (injected through undici's `connect.lookup`) maps to 127.0.0.1. A request that
// goes to the proxy instead is seen there as a CONNECT for that name, which the test proxy refuses (it tunnels to
// loopback only): the proxy seeing it, and the server not, is the proof.

const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
const PKG = { name: '@thgov/test', version: '1.0.0' };
const ENV_NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  for (const n of ENV_NAMES) setEnv(n, '');
});
function keep<T extends { close(): Promise<unknown> }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}
function setEnv(name: string, value: string): void {
  process.env[name] = value;
  process.env[name.toLowerCase()] = value;
}

/** A DNS look-up for the direct connections: `*.test` is 127.0.0.1; every name asked is recorded. */
function fakeDns() {
  const asked: string[] = [];
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    asked.push(hostname);
    if (!hostname.endsWith('.test')) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    } else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  return { asked, lookup };
}

type Inner = import('undici').Dispatcher & { closed: boolean; destroyed: boolean };
/** undici with Agent and ProxyAgent classes that record every instance built. */
function recordingUndici() {
  const made: Array<{ kind: 'Agent' | 'ProxyAgent'; d: Inner }> = [];
  class Agent extends undici.Agent {
    constructor(o?: import('undici').Agent.Options) {
      super(o);
      made.push({ kind: 'Agent', d: this as unknown as Inner });
    }
  }
  class ProxyAgent extends undici.ProxyAgent {
    constructor(o: import('undici').ProxyAgent.Options) {
      super(o);
      made.push({ kind: 'ProxyAgent', d: this as unknown as Inner });
    }
  }
  return { made, u: { Dispatcher: undici.Dispatcher, Agent, ProxyAgent } };
}

function envDispatcher(env: Record<string, string>, connect: Record<string, unknown> = {}) {
  const dns = fakeDns();
  const rec = recordingUndici();
  const d = keep(
    createEnvProxyDispatcher(
      rec.u,
      { agent: { connect: { timeout: 5_000, lookup: dns.lookup, ...connect } }, requestTls: connect },
      env,
    ),
  );
  return { d, dns, made: rec.made };
}

/** GET `url` with `d`: the body, or the error. */
async function get(d: import('undici').Dispatcher, url: string): Promise<string | Error> {
  const u = new URL(url);
  try {
    const res = await d.request({ origin: u.origin, path: u.pathname, method: 'GET' });
    return await res.body.text();
  } catch (err) {
    return err as Error;
  }
}

async function fixture() {
  const proxy = keep(await connectProxy());
  const s = keep(await httpServer((req, res) => res.end(`ok ${req.headers.host}`)));
  return { proxy, s };
}

describe("proxy: 'env' routes by NO_PROXY (real proxy, real server)", () => {
  it('a NO_PROXY name goes direct: the server answers, the proxy sees nothing', async () => {
    const { proxy, s } = await fixture();
    const { d, dns } = envDispatcher({ HTTP_PROXY: proxy.url, NO_PROXY: '.corp.test' });
    expect(await get(d, `http://svc.corp.test:${s.port}/a`)).toBe(`ok svc.corp.test:${s.port}`);
    expect(proxy.tunnels).toEqual([]);
    expect(dns.asked).toEqual(['svc.corp.test']);
  });

  it('a name NO_PROXY does not list goes to the proxy: it sees the CONNECT, the server nothing', async () => {
    const { proxy, s } = await fixture();
    const { d, dns } = envDispatcher({ HTTP_PROXY: proxy.url, NO_PROXY: '.corp.test,10.0.0.0/8' });
    const out = await get(d, `http://api.other.test:${s.port}/b`);
    expect(out).toBeInstanceOf(Error);
    expect(proxy.tunnels).toEqual([`api.other.test:${s.port}`]);
    expect(s.requests).toHaveLength(0);
    expect(dns.asked).toEqual([]);
  });

  it('a NO_PROXY port restricts the entry to that port', async () => {
    const { proxy, s } = await fixture();
    const listed = envDispatcher({ HTTP_PROXY: proxy.url, NO_PROXY: `*.corp.test:${s.port}` });
    expect(await get(listed.d, `http://svc.corp.test:${s.port}/`)).toBe(`ok svc.corp.test:${s.port}`);
    const other = envDispatcher({ HTTP_PROXY: proxy.url, NO_PROXY: `*.corp.test:${s.port + 1}` });
    expect(await get(other.d, `http://svc.corp.test:${s.port}/`)).toBeInstanceOf(Error);
    expect(proxy.tunnels).toEqual([`svc.corp.test:${s.port}`]);
    expect(s.requests).toHaveLength(1);
  });

  it('https: direct with the TLS options when listed, else through HTTPS_PROXY (not HTTP_PROXY)', async () => {
    const ca = await createTestCa({ commonName: 'Routing CA' });
    const cert = await ca.issue({ commonName: 'svc', usage: 'server', hosts: ['svc.corp.test'] });
    const s = keep(await httpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('tls ok')));
    const httpProxy = keep(await connectProxy());
    const httpsProxy = keep(await connectProxy());
    const env = { HTTP_PROXY: httpProxy.url, HTTPS_PROXY: httpsProxy.url, NO_PROXY: 'corp.test' };
    const { d } = envDispatcher(env, { ca: ca.cert });
    expect(await get(d, `https://svc.corp.test:${s.port}/`)).toBe('tls ok');
    expect(await get(d, `https://api.other.test:${s.port}/`)).toBeInstanceOf(Error);
    expect(httpsProxy.tunnels).toEqual([`api.other.test:${s.port}`]);
    expect(httpProxy.tunnels).toEqual([]);
  });

  it('https without HTTPS_PROXY goes through HTTP_PROXY, as undici does', async () => {
    const { proxy, s } = await fixture();
    const { d } = envDispatcher({ HTTP_PROXY: proxy.url });
    expect(await get(d, `https://api.other.test:${s.port}/`)).toBeInstanceOf(Error);
    expect(proxy.tunnels).toEqual([`api.other.test:${s.port}`]);
  });

  it('lower-case variables win over upper case, as in undici', async () => {
    const { proxy: upper, s } = await fixture();
    const lower = keep(await connectProxy());
    const { d } = envDispatcher({
      HTTP_PROXY: upper.url,
      http_proxy: lower.url,
      NO_PROXY: '.corp.test',
      no_proxy: '',
    });
    expect(await get(d, `http://svc.corp.test:${s.port}/`)).toBeInstanceOf(Error);
    expect(lower.tunnels).toEqual([`svc.corp.test:${s.port}`]);
    expect(upper.tunnels).toEqual([]);
  });
});

describe("proxy: 'env' through createDispatcher (process environment)", () => {
  it('loopback targets never reach the proxy, even with an empty NO_PROXY', async () => {
    const { proxy, s } = await fixture();
    setEnv('HTTP_PROXY', proxy.url);
    setEnv('HTTPS_PROXY', proxy.url);
    setEnv('NO_PROXY', '');
    const d = keep(createDispatcher({ proxy: 'env' }));
    expect(await get(d, `http://127.0.0.1:${s.port}/a`)).toBe(`ok 127.0.0.1:${s.port}`);
    expect(await get(d, `http://localhost:${s.port}/b`)).toBe(`ok localhost:${s.port}`);
    expect(proxy.tunnels).toEqual([]);
    expect(s.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('a Transport on a sandbox at 127.0.0.1 stays direct under a corporate proxy', async () => {
    const { proxy, s } = await fixture();
    setEnv('HTTPS_PROXY', proxy.url);
    setEnv('HTTP_PROXY', proxy.url);
    setEnv('NO_PROXY', '.go.th');
    const t = keep(new Transport({ baseUrl: s.url, proxy: 'env', retry: false }, PKG));
    await t.request({ method: 'GET', path: '/sandbox', responseType: 'text' });
    expect(proxy.tunnels).toEqual([]);
    expect(s.requests.map((r) => r.url)).toEqual(['/sandbox']);
  });

  it('the response guard still applies: a trickling body fails on throughput', async () => {
    const { proxy } = await fixture();
    setEnv('HTTP_PROXY', proxy.url);
    const s = keep(
      await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 100);
        res.on('close', () => clearInterval(timer));
      }),
    );
    const guard = { minBytes: 64, windowInMs: 400 };
    const t = keep(
      new Transport({ baseUrl: s.url, proxy: 'env', retry: false, timeouts: { bodyThroughput: guard } }, PKG),
    );
    const err = await t
      .request({ method: 'GET', path: '/slow', responseType: 'text' })
      .catch((e: unknown) => e);
    expect(isTimeoutError(err), String(err)).toBe(true);
    expect(err).toMatchObject({ phase: 'throughput' });
  });
});

describe("proxy: 'env' closes what it opened", () => {
  async function withAllAgents(): Promise<ReturnType<typeof envDispatcher> & { proxy: TestProxy }> {
    const { proxy, s } = await fixture();
    const other = keep(await connectProxy());
    const r = envDispatcher({ HTTP_PROXY: proxy.url, HTTPS_PROXY: other.url, NO_PROXY: '.corp.test' });
    expect(await get(r.d, `http://svc.corp.test:${s.port}/`)).toBe(`ok svc.corp.test:${s.port}`);
    await get(r.d, `http://api.other.test:${s.port}/`);
    expect(r.made.map((m) => m.kind).sort()).toEqual(['Agent', 'ProxyAgent', 'ProxyAgent']);
    return { ...r, proxy };
  }

  it('close() closes the direct agent and both proxy agents', async () => {
    const { d, made } = await withAllAgents();
    await d.close();
    expect(made.filter((m) => !m.d.closed)).toEqual([]);
    await expect(d.request({ origin: 'http://svc.corp.test', path: '/', method: 'GET' })).rejects.toThrow();
  });

  it('destroy() destroys them all', async () => {
    const { d, made } = await withAllAgents();
    await d.destroy();
    expect(made.filter((m) => !m.d.destroyed)).toEqual([]);
  });

  it('with one proxy for both schemes, there is one proxy agent, closed once', async () => {
    const { proxy } = await fixture();
    const { d, made } = envDispatcher({ HTTP_PROXY: proxy.url });
    expect(made.map((m) => m.kind).sort()).toEqual(['Agent', 'ProxyAgent']);
    await d.close();
    expect(made.filter((m) => !m.d.closed)).toEqual([]);
  });
});
