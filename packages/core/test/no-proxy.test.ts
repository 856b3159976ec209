import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createEnvProxyDispatcher, isLoopbackHost, parseNoProxy, readProxyEnv } from '../src/no-proxy.js';

// NO_PROXY as agencies write it: host names, suffixes, ports, IPv4/IPv6 literals and CIDR ranges. Each row is
// [NO_PROXY, the target's host (as in a URL), port, whether it goes direct].
type Row = [noProxy: string, host: string, port: number, direct: boolean];

const undici = createRequire(import.meta.url)('undici') as typeof import('undici');

function check(rows: Row[]): void {
  const failures = rows.filter(
    ([list, host, port, direct]) => parseNoProxy(list).matches(host, port) !== direct,
  );
  expect(failures).toEqual([]);
}

describe('NO_PROXY host names', () => {
  it('an exact name and its subdomains, never a name that merely ends the same', () => {
    check([
      ['example.go.th', 'example.go.th', 443, true],
      ['example.go.th', 'a.example.go.th', 443, true],
      ['example.go.th', 'a.b.example.go.th', 80, true],
      ['go.th', 'api.egov.go.th', 443, true],
      ['go.th', 'notgo.th', 443, false],
      ['go.th', 'go.th.evil.example', 443, false],
      ['go.th', 'go.thx', 443, false],
      ['example.go.th', 'go.th', 443, false],
      ['example.go.th', 'xexample.go.th', 443, false],
      ['localhost.example', 'example', 443, false],
    ]);
  });

  it('leading dot and *. forms also match the name itself (as undici and curl 7.86+ do)', () => {
    check([
      ['.go.th', 'go.th', 443, true],
      ['.go.th', 'api.go.th', 443, true],
      ['*.go.th', 'go.th', 443, true],
      ['*.go.th', 'a.b.go.th', 443, true],
      ['*.go.th', 'notgo.th', 443, false],
      ['.go.th', 'notgo.th', 443, false],
    ]);
  });

  it('case-insensitive, trailing dots normalised on both sides', () => {
    check([
      ['EXAMPLE.Go.TH', 'example.go.th', 443, true],
      ['example.go.th', 'API.Example.GO.th', 443, true],
      ['example.go.th.', 'example.go.th', 443, true],
      ['example.go.th', 'example.go.th.', 443, true],
      ['.Example.Go.Th.', 'a.example.go.th.', 443, true],
    ]);
  });

  it('an internationalised name matches its punycode form (what a URL carries)', () => {
    const host = new URL('https://ตัวอย่าง.go.th/').hostname;
    expect(host.startsWith('xn--')).toBe(true);
    check([
      ['ตัวอย่าง.go.th', host, 443, true],
      ['.ตัวอย่าง.go.th', `api.${host}`, 443, true],
      ['ตัวอย่าง.go.th', 'example.go.th', 443, false],
    ]);
  });

  it('entries are split on commas and any white space, empty ones skipped', () => {
    const list = ' a.go.th,,b.go.th\tc.go.th\n10.0.0.0/8 ,  ';
    check([
      [list, 'a.go.th', 443, true],
      [list, 'b.go.th', 443, true],
      [list, 'c.go.th', 443, true],
      [list, '10.9.9.9', 443, true],
      [list, 'd.go.th', 443, false],
      ['', 'a.go.th', 443, false],
      [' , \t\n', 'a.go.th', 443, false],
    ]);
  });
});

describe('NO_PROXY ports', () => {
  it(':port restricts an entry to that port; the default port of the scheme counts', () => {
    check([
      ['*.internal:8443', 'a.internal', 8443, true],
      ['*.internal:8443', 'a.internal', 443, false],
      ['internal:8443', 'internal', 8443, true],
      ['example.go.th:443', 'example.go.th', 443, true],
      ['example.go.th:443', 'example.go.th', 80, false],
      ['example.go.th:80,example.go.th:8080', 'example.go.th', 8080, true],
      ['example.go.th:80,example.go.th:8080', 'example.go.th', 8081, false],
      ['example.go.th:80,example.go.th', 'example.go.th', 9999, true],
      ['10.1.2.3:8080', '10.1.2.3', 8080, true],
      ['10.1.2.3:8080', '10.1.2.3', 80, false],
      ['[2001:db8::1]:8443', '[2001:db8::1]', 8443, true],
      ['[2001:db8::1]:8443', '[2001:db8::1]', 443, false],
    ]);
  });
});

describe('NO_PROXY wildcard', () => {
  it('* alone, or anywhere in the list, sends everything direct; *:port only that port', () => {
    check([
      ['*', 'api.example.com', 443, true],
      ['*', '8.8.8.8', 443, true],
      ['*', '[2001:db8::1]', 443, true],
      ['localhost,*', 'api.example.com', 443, true],
      ['*:8443', 'api.example.com', 8443, true],
      ['*:8443', 'api.example.com', 443, false],
    ]);
  });
});

describe('NO_PROXY IPv4', () => {
  it('literals match exactly, never as a name suffix', () => {
    check([
      ['10.1.2.3', '10.1.2.3', 443, true],
      ['10.1.2.3', '10.1.2.4', 443, false],
      ['.10.1.2.3', '10.1.2.3', 443, true],
      ['0.0.1', '10.0.0.1', 443, false],
      ['2.3', '10.1.2.3', 443, false],
      ['1.2.3', '10.1.2.3', 443, false],
    ]);
  });

  it('CIDR ranges', () => {
    check([
      ['10.0.0.0/8', '10.1.2.3', 443, true],
      ['10.0.0.0/8', '10.0.0.0', 443, true],
      ['10.0.0.0/8', '10.255.255.255', 443, true],
      ['10.0.0.0/8', '11.0.0.1', 443, false],
      ['10.0.0.0/8', '9.255.255.255', 443, false],
      ['192.168.0.0/16', '192.168.1.1', 80, true],
      ['192.168.0.0/16', '192.169.0.1', 80, false],
      ['172.16.0.0/12', '172.31.255.255', 443, true],
      ['172.16.0.0/12', '172.32.0.0', 443, false],
      ['172.16.0.0/12', '172.15.255.255', 443, false],
      ['100.64.0.0/10', '100.127.1.1', 443, true],
      ['100.64.0.0/10', '100.128.0.1', 443, false],
      ['10.1.2.3/32', '10.1.2.3', 443, true],
      ['10.1.2.3/32', '10.1.2.4', 443, false],
      ['10.1.2.3/31', '10.1.2.2', 443, true],
      ['0.0.0.0/0', '203.0.113.9', 443, true],
      ['0.0.0.0/0', 'example.com', 443, false],
      // Host bits set: the range they fall in (as Go's ParseCIDR does).
      ['10.1.2.3/8', '10.200.0.1', 443, true],
      ['10.0.0.0/8', 'ten.example', 443, false],
    ]);
  });

  it('a URL spells IPv4 in other forms; the URL has already made them dotted quads', () => {
    for (const spelled of [
      'http://0x0a.1.2.3/',
      'http://167838211/',
      'http://10.1.515/',
      'http://10.1.2.3./',
    ]) {
      const host = new URL(spelled).hostname;
      expect(parseNoProxy('10.0.0.0/8').matches(host, 80), spelled).toBe(true);
    }
  });
});

describe('NO_PROXY IPv6', () => {
  it('literals, bracketed or not, in any spelling', () => {
    check([
      ['2001:db8::1', '[2001:db8::1]', 443, true],
      ['2001:db8::1', '2001:db8::1', 443, true],
      ['[2001:db8::1]', '[2001:db8::1]', 443, true],
      ['2001:DB8:0:0:0:0:0:1', '[2001:db8::1]', 443, true],
      ['2001:db8::1', '[2001:0db8:0000::0001]', 443, true],
      ['2001:db8::1', '[2001:db8::2]', 443, false],
      ['::ffff:10.1.2.3', '[::ffff:a01:203]', 443, true],
    ]);
  });

  it('CIDR ranges', () => {
    check([
      ['fd00::/8', '[fd12:3456::1]', 443, true],
      ['fd00::/8', 'fd00::', 443, true],
      ['fd00::/8', '[fe80::1]', 443, false],
      ['fd00::/8', '[fc00::1]', 443, false],
      ['2001:db8::/32', '[2001:db8:ffff::1]', 443, true],
      ['2001:db8::/32', '[2001:db9::1]', 443, false],
      ['[2001:db8::]/32', '[2001:db8::5]', 443, true],
      ['2001:db8::1/128', '[2001:db8::1]', 443, true],
      ['2001:db8::1/128', '[2001:db8::2]', 443, false],
      ['::/0', '[2001:db8::1]', 443, true],
      ['::/0', '10.1.2.3', 443, false],
      ['fd00::/8', '10.1.2.3', 443, false],
    ]);
  });

  it('an IPv4-mapped IPv6 target matches an IPv4 range; a mapped range matches an IPv4 target', () => {
    const mapped = new URL('http://[::ffff:10.1.2.3]/').hostname;
    check([
      ['10.0.0.0/8', mapped, 443, true],
      ['10.0.0.0/8', '::ffff:10.1.2.3', 443, true],
      ['10.0.0.0/8', '[::ffff:11.1.2.3]', 443, false],
      ['10.1.2.3', mapped, 443, true],
      ['::ffff:10.0.0.0/104', '10.7.7.7', 443, true],
      ['::ffff:10.0.0.0/104', '11.7.7.7', 443, false],
      // Not mapped: ::a01:203 (IPv4-compatible, deprecated) is not 10.1.2.3.
      ['10.0.0.0/8', '[::a01:203]', 443, false],
    ]);
  });
});

describe('NO_PROXY malformed entries are ignored, the rest still applies', () => {
  const bad = [
    '10.0.0.0/33',
    '10.0.0.0/',
    '/8',
    '10.0.0/8',
    '10.0.0.0/8/8',
    '10.0.0.0/-1',
    '10.0.0.0/0x8',
    '256.0.0.1',
    '010.0.0.1',
    '10.0.0.0/8:443',
    'fd00::/129',
    '[fd00::',
    'fd00::]',
    '[fd00::]x',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    'host:99999',
    'host:0',
    'host:',
    ':80',
    'host:80:80',
    '*foo.go.th',
    'foo*.go.th',
    'a..go.th',
    '.',
    '*.',
    '**',
    'http://example.go.th',
    'exa mple',
    'user@host',
    'a/b',
    '[]',
    '[]:80',
    `${'a'.repeat(64)}.go.th`,
    `${'a.'.repeat(200)}go.th`,
  ];

  it('parsing never throws and a malformed entry matches nothing', () => {
    for (const entry of bad) {
      const list = parseNoProxy(entry);
      for (const host of ['10.1.2.3', '[fd00::1]', 'host', 'foo.go.th', 'a.go.th', 'example.go.th', 'x']) {
        expect(list.matches(host, 80), `${entry} vs ${host}`).toBe(false);
      }
    }
  });

  it('good entries around malformed ones still match', () => {
    const list = parseNoProxy([...bad, 'good.go.th', '172.16.0.0/12'].join(','));
    expect(list.matches('api.good.go.th', 443)).toBe(true);
    expect(list.matches('172.20.0.1', 443)).toBe(true);
    expect(list.matches('10.1.2.3', 443)).toBe(false);
  });

  it('odd targets never throw and never match', () => {
    const list = parseNoProxy('go.th,10.0.0.0/8,fd00::/8');
    for (const host of ['', '.', '[', ']', '[]', '[zz::1]', '::::', '10.0.0.0.0', 'go.th..', '%', '\u0000']) {
      expect(list.matches(host, 443), JSON.stringify(host)).toBe(false);
    }
  });
});

describe('loopback', () => {
  it('localhost, *.localhost, 127.0.0.0/8, ::1 and mapped 127.x are loopback; look-alikes are not', () => {
    const yes = ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', '127.0.0.1', '127.255.1.2'];
    yes.push('[::1]', '::1', '[0:0:0:0:0:0:0:1]', new URL('http://[::ffff:127.0.0.1]/').hostname);
    const no = ['localhost.invalid', 'localhostx', 'mylocalhost', '127.0.0.1.nip.io', '128.0.0.1', '[::2]'];
    no.push('10.0.0.1', '[::]', '0.0.0.0', 'example.go.th');
    expect(yes.filter((h) => !isLoopbackHost(h))).toEqual([]);
    expect(no.filter((h) => isLoopbackHost(h))).toEqual([]);
  });
});

describe('proxy environment variables', () => {
  it('lower case wins over upper case, as in undici and curl, even when empty', () => {
    expect(readProxyEnv({ HTTP_PROXY: 'http://up:1', http_proxy: 'http://low:2' }).httpProxy).toBe(
      'http://low:2',
    );
    expect(readProxyEnv({ HTTPS_PROXY: 'http://up:1', https_proxy: 'http://low:2' }).httpsProxy).toBe(
      'http://low:2',
    );
    expect(readProxyEnv({ NO_PROXY: 'up.go.th', no_proxy: 'low.go.th' }).noProxy).toBe('low.go.th');
    expect(readProxyEnv({ HTTP_PROXY: 'http://up:1', http_proxy: '' }).httpProxy).toBeUndefined();
    expect(readProxyEnv({ NO_PROXY: 'up.go.th', no_proxy: '' }).noProxy).toBe('');
    expect(readProxyEnv({ HTTP_PROXY: 'http://up:1' }).httpProxy).toBe('http://up:1');
    expect(readProxyEnv({})).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: '' });
  });
});

describe('routing decision', () => {
  const env = { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:10' };

  async function routes(e: Record<string, string>, origins: string[]): Promise<string[]> {
    const d = createEnvProxyDispatcher(undici, { agent: {}, requestTls: {} }, e);
    try {
      return origins.map((o) => d.route(o));
    } finally {
      await d.close();
    }
  }

  it('NO_PROXY matches go direct; the rest through the proxy for their scheme', async () => {
    const e = {
      ...env,
      NO_PROXY: 'localhost,127.0.0.1,.go.th,10.0.0.0/8,192.168.0.0/16,[::1],*.internal:8443',
    };
    expect(
      await routes(e, [
        'https://api.egov.go.th',
        'http://10.1.2.3:8080',
        'https://192.168.10.20',
        'https://svc.internal:8443',
        'https://svc.internal',
        'http://11.0.0.1',
        'https://11.0.0.1',
        'https://notgo.th',
        'http://[::ffff:10.1.2.3]:80',
      ]),
    ).toEqual([
      'direct',
      'direct',
      'direct',
      'direct',
      'https-proxy',
      'http-proxy',
      'https-proxy',
      'https-proxy',
      'direct',
    ]);
  });

  it('the port a URL leaves out is the scheme default', async () => {
    const e = { ...env, NO_PROXY: 'a.go.th:443,b.go.th:80' };
    expect(
      await routes(e, ['https://a.go.th', 'http://a.go.th', 'http://b.go.th/', 'https://b.go.th']),
    ).toEqual(['direct', 'http-proxy', 'direct', 'https-proxy']);
  });

  it('loopback is always direct, whatever NO_PROXY says (tests and sandboxes never reach a proxy)', async () => {
    const origins = [
      'http://127.0.0.1:3000',
      'https://127.1.2.3',
      'http://localhost:8080',
      'https://LOCALHOST.',
      'http://sandbox.localhost:4000',
      'http://[::1]:8080',
      'http://[::ffff:127.0.0.1]',
    ];
    for (const NO_PROXY of ['', 'example.go.th', '10.0.0.0/8']) {
      expect(await routes({ ...env, NO_PROXY }, origins)).toEqual(origins.map(() => 'direct'));
    }
    expect(await routes(env, ['http://localhost.invalid', 'http://127.0.0.1.nip.io'])).toEqual([
      'http-proxy',
      'http-proxy',
    ]);
  });

  it('https falls back to the HTTP proxy; http never uses the HTTPS proxy (as undici)', async () => {
    expect(
      await routes({ HTTP_PROXY: 'http://127.0.0.1:9' }, ['https://a.example', 'http://a.example']),
    ).toEqual(['http-proxy', 'http-proxy']);
    expect(
      await routes({ HTTPS_PROXY: 'http://127.0.0.1:9' }, ['https://a.example', 'http://a.example']),
    ).toEqual(['https-proxy', 'direct']);
    expect(await routes({}, ['https://a.example', 'http://a.example'])).toEqual(['direct', 'direct']);
  });

  it('the environment is read once, when the dispatcher is built', async () => {
    const e: Record<string, string> = { ...env, NO_PROXY: '' };
    const d = createEnvProxyDispatcher(undici, { agent: {}, requestTls: {} }, e);
    e.NO_PROXY = '*';
    e.HTTP_PROXY = '';
    expect(d.route('http://a.example')).toBe('http-proxy');
    await d.close();
  });
});
