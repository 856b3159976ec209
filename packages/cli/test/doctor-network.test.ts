import { connectProxy } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProxy } from '../src/doctor/network.js';
import { parseConfig, runDoctor } from '../src/index.js';

describe('resolveProxy', () => {
  const target = new URL('https://api.egov.go.th/ws/auth/validate');
  it('takes an explicit URL as is and nothing when unset', () => {
    expect(resolveProxy('http://proxy:3128', target)?.host).toBe('proxy:3128');
    expect(resolveProxy(undefined, target)).toBeUndefined();
  });

  it('env: HTTPS_PROXY for https, HTTP_PROXY for http, minus NO_PROXY (suffixes, ports, *)', () => {
    const env = {
      HTTPS_PROXY: 'http://sp:1',
      HTTP_PROXY: 'http://hp:2',
      NO_PROXY: 'internal.go.th, .local:8080',
    };
    expect(resolveProxy('env', target, env)?.host).toBe('sp:1');
    expect(resolveProxy('env', new URL('http://api.egov.go.th'), env)?.host).toBe('hp:2');
    expect(resolveProxy('env', new URL('https://ecms.internal.go.th'), env)).toBeUndefined();
    expect(resolveProxy('env', new URL('http://node.local:8080'), env)).toBeUndefined();
    expect(resolveProxy('env', new URL('http://node.local:9090'), env)?.host).toBe('hp:2');
    expect(resolveProxy('env', target, { ...env, NO_PROXY: '*' })).toBeUndefined();
    expect(resolveProxy('env', target, {})).toBeUndefined();
  });

  it('env: the same route as the client takes (CIDR ranges, lower case first, loopback direct)', () => {
    const env = {
      HTTPS_PROXY: 'http://upper:1',
      https_proxy: 'http://lower:2',
      NO_PROXY: 'ignored.go.th',
      no_proxy: '10.0.0.0/8, fd00::/8, .internal.go.th',
    };
    expect(resolveProxy('env', new URL('https://10.20.30.40/gdx'), env)).toBeUndefined();
    expect(resolveProxy('env', new URL('https://[fd12::1]:8443/'), env)).toBeUndefined();
    expect(resolveProxy('env', new URL('https://11.0.0.1/'), env)?.host).toBe('lower:2');
    expect(resolveProxy('env', new URL('https://ignored.go.th/'), env)?.host).toBe('lower:2');
    expect(resolveProxy('env', new URL('https://127.0.0.1:9443/'), env)).toBeUndefined();
    expect(resolveProxy('env', new URL('https://localhost/'), env)).toBeUndefined();
  });
});

describe('doctor through a proxy that refuses the tunnel (in-process)', () => {
  let proxy: Awaited<ReturnType<typeof connectProxy>>;
  beforeAll(async () => {
    proxy = await connectProxy();
  });
  afterAll(() => proxy.close());

  it('TCP fails with ERR_PROXY_CONNECT and a fix about the allow-list; later checks are skipped', async () => {
    const config = parseConfig(
      {
        exchange: {
          baseUrl: 'https://gdx.blocked.example',
          consumerKey: 'k',
          consumerSecret: 'proxy-test-secret-1',
          agentId: 'thgov-doctor-test',
        },
        transport: { proxy: proxy.url },
      },
      { env: {} },
    );
    const report = await runDoctor(config);
    expect(proxy.tunnels).toContain('gdx.blocked.example:443');
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['exchange.dns']?.message).toContain('the proxy resolves gdx.blocked.example');
    expect(byId['exchange.tcp']).toMatchObject({ status: 'fail', errorCode: 'ERR_PROXY_CONNECT' });
    expect(byId['exchange.tcp']?.message).toContain('HTTP 403');
    expect(byId['exchange.tcp']?.fix).toContain('allow CONNECT');
    expect(byId['exchange.validate']?.status).toBe('skip');
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).not.toContain('proxy-test-secret-1');
  });
});
