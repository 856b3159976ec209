import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { closedPort, connectProxy, cpuMsOf, prng } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Transport } from '../../src/index.js';
import { createEnvProxyDispatcher, NO_PROXY_LIMITS, parseNoProxy } from '../../src/no-proxy.js';

// Attack: a NO_PROXY (or a target) built to make every request slow or to crash the client. NO_PROXY is
// parsed once, into lookups whose cost per request does not grow with the list: a host name costs one map
// look-up per label, an IP one per prefix length listed. What is parsed is bounded (the whole value, and each
// entry), nothing is matched with a regular expression that can backtrack, and no entry throws.

const undici = createRequire(import.meta.url)('undici') as typeof import('undici');

/**
 * CPU milliseconds `run` takes: not wall time, which a loaded machine stretches. The limits below are tens of
 * times what the linear reads cost; the reads they guard against (a scan per request, a quadratic parse) cost
 * minutes.
 */
const timed = cpuMsOf;

/** 100,000 entries of every kind an agency writes. */
function hugeList(): string {
  const out: string[] = [];
  for (let i = 0; i < 25_000; i++) {
    const a = (i >> 8) & 255;
    const b = i & 255;
    out.push(`host${i}.agency${i % 97}.go.th`, `.dept${i}.example:${1 + (i % 65_000)}`, `10.${a}.${b}.0/24`);
    out.push(`fd${(i % 256).toString(16).padStart(2, '0')}:${i.toString(16)}::/48`);
  }
  return out.join(',');
}

const PROBES: Array<[string, number]> = [
  ['host24999.agency70.go.th', 443],
  ['x.y.z.nothere.example', 443],
  ['10.97.167.77', 443],
  ['11.0.0.1', 80],
  ['[fd10:10::1]', 443],
  ['[2001:db8::1]', 443],
  ['a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.go.th', 8443],
];

describe('a huge NO_PROXY', () => {
  it('100,000 entries: parsed once in bounded time, each request as fast as with a short list', () => {
    const value = hugeList();
    let list = parseNoProxy('');
    expect(timed(() => (list = parseNoProxy(value)))).toBeLessThan(3_000);
    expect(list.matches('host24999.agency70.go.th', 443)).toBe(true);
    expect(list.matches('a.dept77.example', 1 + 77)).toBe(true);
    expect(list.matches('a.dept77.example', 2 + 77)).toBe(false);
    expect(list.matches('10.97.167.77', 443)).toBe(true);
    expect(list.matches('[fd10:10::1]', 443)).toBe(true);
    expect(list.matches('11.0.0.1', 80)).toBe(false);
    const short = parseNoProxy('go.th,10.0.0.0/8,fd00::/8');
    const run = (l: typeof list) => () => {
      for (let i = 0; i < 20_000; i++) for (const [h, p] of PROBES) l.matches(h, p);
    };
    timed(run(short));
    const base = timed(run(short));
    const huge = timed(run(list));
    // 140,000 look-ups: milliseconds either way; a per-request scan of the list would take minutes.
    expect(huge).toBeLessThan(Math.max(10 * base, 1_000));
  });

  it('the dispatcher routes each request in bounded time with that list', async () => {
    const env = { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: hugeList() };
    const d = createEnvProxyDispatcher(undici, { agent: {}, requestTls: {} }, env);
    try {
      const origins = ['http://host5.agency5.go.th', 'http://10.0.5.9', 'http://api.example.com:8080'];
      expect(origins.map((o) => d.route(o))).toEqual(['direct', 'direct', 'http-proxy']);
      expect(
        timed(() => {
          for (const o of origins) for (let i = 0; i < 10_000; i++) d.route(o);
        }),
      ).toBeLessThan(2_000);
    } finally {
      await d.close();
    }
  });

  it('1 MB values shaped against a parser (one entry, separators, brackets, dots) parse fast and match nothing', () => {
    const MB = 1_000_000;
    const shapes = {
      name: 'a'.repeat(MB),
      labels: 'a.'.repeat(MB / 2),
      wildcards: '*.'.repeat(MB / 2),
      dots: '.'.repeat(MB),
      colons: ':'.repeat(MB),
      digits: '1'.repeat(MB),
      digitsAndDots: '1.'.repeat(MB / 2),
      brackets: '['.repeat(MB),
      bracketPairs: '[]'.repeat(MB / 2),
      slashes: '/'.repeat(MB),
      cidrs: '1.2.3.4/'.repeat(MB / 8),
      hextets: 'ffff:'.repeat(MB / 5),
      ports: 'a:1'.repeat(MB / 3),
      commas: ','.repeat(MB),
      spaces: ' \t\n'.repeat(MB / 3),
      starPort: '*:'.repeat(MB / 2),
      malformedEntries: '[::,1.2.3.4/33,a..b,*x,:,[]:1,'.repeat(MB / 30),
    };
    for (const [shape, value] of Object.entries(shapes)) {
      let list = parseNoProxy('');
      expect(
        timed(() => (list = parseNoProxy(value))),
        shape,
      ).toBeLessThan(1_000);
      const t = timed(() => {
        for (const [h, p] of PROBES) expect(list.matches(h, p), `${shape} ${h}`).toBe(false);
      });
      expect(t, shape).toBeLessThan(500);
    }
  });

  it('a value past the length limit is cut at a separator: no entry is matched from a truncated spelling', () => {
    const max = NO_PROXY_LIMITS.maxLength;
    const filler = 'x.go.th,'.repeat(Math.ceil(max / 8));
    const entry = 'intranet.example.go.th';
    // The limit falls inside `entry`: its cut form `intranet.example.go` must not become an entry.
    const value = `${filler.slice(0, max - 'intranet.example.go'.length - 1)},${entry},10.0.0.0/8`;
    let list = parseNoProxy('');
    expect(timed(() => (list = parseNoProxy(`${value},${'y.go.th,'.repeat(1_000_000)}`)))).toBeLessThan(
      3_000,
    );
    expect(list.matches('intranet.example.go', 443)).toBe(false);
    expect(list.matches('a.intranet.example.go', 443)).toBe(false);
    expect(list.matches('10.1.2.3', 443)).toBe(false);
    expect(list.matches('x.go.th', 443)).toBe(true);
  });

  it('an over-long target host is not matched and costs nothing', () => {
    const list = parseNoProxy('go.th,a.a.a.a.a');
    for (const host of [
      `${'a.'.repeat(500_000)}go.th`,
      `${'a'.repeat(1_000_000)}.go.th`,
      `[${'f:'.repeat(1000)}]`,
    ]) {
      expect(timed(() => expect(list.matches(host, 443)).toBe(false))).toBeLessThan(500);
    }
  });
});

describe('random NO_PROXY values and targets', () => {
  it('never throw at parse or request time (seeded)', () => {
    const rnd = prng(20_240_601);
    const alphabet = 'af09.:/[]*,% \t-_xX\u0e01';
    const pick = (n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const hosts = ['go.th', '10.1.2.3', '[fd00::1]', '[::ffff:a01:203]', 'localhost', '', '[', 'a..b'];
    for (let i = 0; i < 3_000; i++) {
      const list = parseNoProxy(pick(1 + Math.floor(rnd() * 60)));
      for (const h of [...hosts, pick(Math.floor(rnd() * 20))]) {
        expect(typeof list.matches(h, Math.floor(rnd() * 70_000))).toBe('boolean');
      }
    }
  });

  it('routes any origin string without throwing; a bad origin is left to undici to reject', async () => {
    const d = createEnvProxyDispatcher(undici, { agent: {}, requestTls: {} }, { NO_PROXY: '[,],::,/,*.' });
    try {
      for (const o of ['', 'not a url', 'http://', 'http://[::1', 'mailto:x@y', 'http://a b']) {
        expect(['direct', 'http-proxy', 'https-proxy']).toContain(d.route(o));
      }
      await expect(d.request({ origin: 'not a url', path: '/', method: 'GET' })).rejects.toThrow();
    } finally {
      await d.close();
    }
  });
});

describe('proxy credentials never reach an error', () => {
  const SECRET = 'S3cr3t-Pa55';
  afterEach(() => {
    for (const n of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
      process.env[n] = '';
      process.env[n.toLowerCase()] = '';
    }
  });

  async function failure(proxyUrl: string): Promise<unknown> {
    process.env.https_proxy = proxyUrl;
    process.env.HTTPS_PROXY = proxyUrl;
    const t = new Transport(
      { baseUrl: 'https://api.example.invalid', proxy: 'env', retry: false },
      { name: '@thgov/test', version: '1.0.0' },
    );
    try {
      return await t.request({ method: 'GET', path: '/' }).then(
        () => undefined,
        (e: unknown) => e,
      );
    } finally {
      await t.close();
    }
  }

  function expectNoSecret(err: unknown): void {
    expect(err).toBeInstanceOf(Error);
    const seen = [String(err), (err as Error).stack ?? '', JSON.stringify(err), inspect(err, { depth: 10 })];
    for (const text of seen) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('agency-user:');
    }
  }

  it('a proxy that refuses the tunnel', async () => {
    const proxy = await connectProxy();
    try {
      const err = await failure(proxy.url.replace('http://', `http://agency-user:${SECRET}@`));
      expect(proxy.tunnels).toEqual(['api.example.invalid:443']);
      expect(err).toMatchObject({ code: 'ERR_NETWORK' });
      expectNoSecret(err);
    } finally {
      await proxy.close();
    }
  });

  it('a proxy that is down', async () => {
    const err = await failure(`http://agency-user:${SECRET}@127.0.0.1:${await closedPort()}`);
    expect(err).toMatchObject({ code: 'ERR_NETWORK' });
    expectNoSecret(err);
  });
  it('a proxy variable that is not a URL: a typed error naming the variable, not its value', () => {
    for (const [name, value] of [
      ['HTTPS_PROXY', `http://agency-user:${SECRET}@[proxy.agency.go.th:3128`],
      ['HTTP_PROXY', `agency-user:${SECRET}@proxy`],
    ] as const) {
      const err = (() => {
        try {
          createEnvProxyDispatcher(undici, { agent: {}, requestTls: {} }, { [name]: value });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect((err as Error).message).toContain(name);
      expectNoSecret(err);
    }
  });
});
