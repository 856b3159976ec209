import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import type { Sandbox } from '@thgov/sandbox';
import { closedPort } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, ThgovConfig } from '../src/index.js';
import { parseConfig, runDoctor, sandboxConfig } from '../src/index.js';
import { doctorWorld, type Pki, thgov } from './doctor-helpers.js';

// Agency proxies as they are: one that wants credentials (407), one that refuses CONNECT to some ports, one
// that is down, one that accepts and never answers. Every server is on 127.0.0.1; nothing leaves the machine.

const USER = 'agency.user';
const PASSWORD = 'Pr0xy-P@ss:w0rd/9';

interface AuthProxy {
  url: string;
  /** The host:port of each CONNECT and the Proxy-Authorization it carried. */
  seen: Array<{ target: string; auth: string | undefined }>;
  close(): Promise<void>;
}

/**
 * A CONNECT proxy that wants Basic credentials (407 otherwise), refuses the ports in `refusePorts` (403) and
 * tunnels to 127.0.0.1 only.
 */
async function authProxy(refusePorts: number[] = []): Promise<AuthProxy> {
  const seen: AuthProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    seen.push({ target: req.url ?? '', auth });
    client.on('error', () => undefined);
    if (auth !== expected) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="agency proxy"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    // Names under .test are the proxy's own (it resolves them to 127.0.0.1); anything else would leave the machine.
    const [host = '', port] = (req.url ?? '').split(':');
    if ((host !== '127.0.0.1' && !host.endsWith('.test')) || refusePorts.includes(Number(port))) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A proxy that accepts the TCP connection and never answers CONNECT. */
async function mutedProxy(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.resume();
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const world = doctorWorld(11);
const closers = world.closers;
let sb: Sandbox;
let pki: Pki;
let dir: string;
beforeAll(() => {
  ({ sb, pki, dir } = world);
});

/** The sandbox's GDX section only, through `proxy` (a URL, or `env`), on `host` instead of 127.0.0.1. */
function gdxConfig(proxy: string, host = '127.0.0.1'): ThgovConfig {
  const c = sandboxConfig(sb, { trustAnchor: pki.caFile, auditLog: join(dir, 'audit.jsonl') });
  const exchange = c.exchange;
  if (!exchange) throw new Error('no GDX section');
  exchange.baseUrl = exchange.baseUrl.replace('127.0.0.1', host);
  return { exchange, transport: { proxy }, doctor: { checkTimeoutInMs: 5_000 } };
}

function check(report: DoctorReport, id: string) {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

/** The proxy URL with credentials, the password percent-encoded as an agency writes it in HTTPS_PROXY. */
function withCredentials(proxyUrl: string, password = PASSWORD): string {
  const u = new URL(proxyUrl);
  u.username = USER;
  u.password = encodeURIComponent(password);
  return u.href;
}

/**
 * The proxy variables for a child process, in lower case (which wins, as in curl), the upper-case ones set to a
 * proxy that does not exist so that using them would show. The configuration names no credentials: the schema
 * refuses them in transport.proxy, so the environment is where an authenticating proxy's password lives.
 */
function proxyEnv(proxyUrl: string): Record<string, string> {
  return {
    https_proxy: proxyUrl,
    http_proxy: proxyUrl,
    no_proxy: '',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
}

function secretsIn(c: ThgovConfig, password = PASSWORD): string[] {
  return [c.exchange?.consumerSecret, password, encodeURIComponent(password)].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/** Runs doctor as a process with `config` and the proxy environment; the report, the text and the JUnit file. */
async function doctorRun(name: string, config: ThgovConfig, env: Record<string, string>, json = true) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const junit = join(dir, `${name}.xml`);
  const r = await thgov(['doctor', '--config', file, ...(json ? ['--json'] : []), '--junit', junit], env);
  const xml = readFileSync(junit, 'utf8');
  return { ...r, xml, report: json ? (JSON.parse(r.stdout) as DoctorReport) : undefined };
}

// A platform name under .test: with proxy "env", loopback always goes direct, so the tunnel needs a name; the
// proxy maps it to 127.0.0.1 and nothing resolves it anywhere else.
const GDX_HOST = 'gdx.thgov-doctor.test';

describe('doctor behind a proxy that needs authentication', () => {
  let proxy: AuthProxy;
  beforeAll(async () => {
    proxy = await authProxy();
    closers.push(proxy.close);
  });

  it('no credentials: a 407 is reported as proxy authentication, naming the proxy, with the way to give them', async () => {
    const report = await runDoctor(parseConfig(gdxConfig(proxy.url), { env: {} }));
    const tcp = check(report, 'exchange.tcp');
    expect(tcp).toMatchObject({ status: 'fail', errorCode: 'ERR_PROXY_AUTH' });
    expect(tcp.message).toContain('HTTP 407');
    expect(tcp.message).toContain(`the proxy ${new URL(proxy.url).host}`);
    expect(tcp.message).toContain('Basic');
    expect(tcp.cause).toContain('needs credentials');
    expect(tcp.fix).toContain('http://user:password@');
    expect(tcp.fix).toContain('HTTPS_PROXY');
    expect(tcp.fix).not.toContain('not supported');
    expect(check(report, 'exchange.validate').status).toBe('skip');
    expect(report.ok).toBe(false);
  });

  it('wrong credentials in http_proxy: the 407 says they were refused; exit 1; the password is never printed', async () => {
    const wrong = 'not-the-Pr0xy-P@ss';
    const config = gdxConfig('env', GDX_HOST);
    const r = await doctorRun('wrong-proxy-password', config, proxyEnv(withCredentials(proxy.url, wrong)));
    expect(r.code).toBe(1);
    const tcp = check(r.report as DoctorReport, 'exchange.tcp');
    expect(tcp).toMatchObject({ status: 'fail', errorCode: 'ERR_PROXY_AUTH' });
    expect(tcp.cause).toContain('refused the user name and password');
    // The sandbox's GDX is plain http: the variable read (and named) is http_proxy, in the case it was set.
    expect(tcp.fix).toContain('in http_proxy');
    expect(r.xml).toContain('type="ERR_PROXY_AUTH"');
    for (const s of secretsIn(config, wrong))
      for (const t of [r.stdout, r.stderr, r.xml]) expect(t).not.toContain(s);
  });

  it('right credentials in http_proxy: every check passes through the tunnel; neither secret is printed', async () => {
    const config = gdxConfig('env', GDX_HOST);
    proxy.seen.length = 0;
    const r = await doctorRun('auth-proxy', config, proxyEnv(withCredentials(proxy.url)), false);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`via proxy ${new URL(proxy.url).host}`);
    expect(r.stdout).toMatch(/✓ GDX: token validate for the AgentID/);
    // Both doctor's own tunnels and the SDK's carried the credentials.
    expect(proxy.seen.length).toBeGreaterThan(2);
    expect(proxy.seen.every((s) => s.auth?.startsWith('Basic ') && s.target.startsWith(GDX_HOST))).toBe(true);
    for (const s of secretsIn(config))
      for (const t of [r.stdout, r.stderr, r.xml]) expect(t).not.toContain(s);
  });
});

describe('doctor behind a proxy that refuses, is down, or is silent', () => {
  it('a proxy that refuses CONNECT to the port: ERR_PROXY_CONNECT naming the proxy; exit 1 and a JUnit failure', async () => {
    const port = Number(new URL(sb.gdx.url).port);
    const proxy = await authProxy([port]);
    closers.push(proxy.close);
    const config = gdxConfig('env', GDX_HOST);
    const r = await doctorRun('refusing-proxy', config, proxyEnv(withCredentials(proxy.url)));
    expect(r.code).toBe(1);
    const tcp = check(r.report as DoctorReport, 'exchange.tcp');
    expect(tcp).toMatchObject({ status: 'fail', errorCode: 'ERR_PROXY_CONNECT' });
    expect(tcp.message).toContain(`the proxy ${new URL(proxy.url).host} refused CONNECT ${GDX_HOST}:${port}`);
    expect(tcp.message).toContain('HTTP 403');
    expect(tcp.fix).toContain('allow CONNECT');
    expect(tcp.fix).not.toContain('not supported');
    expect(r.xml).toMatch(/<failure message="[^"]*HTTP 403[^"]*" type="ERR_PROXY_CONNECT">/);
    // A skipped check says which prerequisite did not pass.
    expect(r.xml).toMatch(
      /<skipped message="skipped: &quot;GDX: TCP connect via proxy [^"]+&quot; did not pass"\/>/,
    );
    for (const s of secretsIn(config))
      for (const t of [r.stdout, r.stderr, r.xml]) expect(t).not.toContain(s);
  });

  it('a proxy that is down: the failure blames the proxy, not the platform, and points at the proxy setting', async () => {
    const port = await closedPort();
    const config = gdxConfig('env', GDX_HOST);
    const r = await doctorRun('proxy-down', config, proxyEnv(withCredentials(`http://127.0.0.1:${port}`)));
    expect(r.code).toBe(1);
    const tcp = check(r.report as DoctorReport, 'exchange.tcp');
    expect(tcp).toMatchObject({ status: 'fail', errorCode: 'ECONNREFUSED' });
    expect(tcp.message).toContain(`proxy 127.0.0.1:${port}`);
    expect(tcp.cause).toContain(`the proxy 127.0.0.1:${port}`);
    expect(tcp.cause).not.toContain('through the proxy');
    expect(tcp.fix).toContain('in http_proxy');
    for (const s of secretsIn(config))
      for (const t of [r.stdout, r.stderr, r.xml]) expect(t).not.toContain(s);
  });

  it('a proxy that accepts and never answers CONNECT: a bounded failure that names the proxy', async () => {
    const muted = await mutedProxy();
    closers.push(muted.close);
    const config = gdxConfig(muted.url);
    if (config.exchange) config.exchange.transport = { timeouts: { connectInMs: 300 } };
    const report = await runDoctor(parseConfig(config, { env: {} }));
    const tcp = check(report, 'exchange.tcp');
    expect(tcp).toMatchObject({ status: 'fail', errorCode: 'ETIMEDOUT' });
    expect(tcp.message).toContain('the proxy');
    expect(tcp.cause).toContain(`the proxy ${new URL(muted.url).host}`);
    expect(tcp.fix).not.toMatch(/or set transport\.proxy/);
  });

  it('a proxy whose name does not resolve: the DNS check names the proxy and points at the proxy setting', async () => {
    const config = gdxConfig('http://proxy.thgov-doctor.invalid:3128');
    const report = await runDoctor(parseConfig(config, { env: {} }));
    const dns = check(report, 'exchange.dns');
    expect(dns.status).toBe('fail');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(dns.errorCode);
    expect(dns.cause).toContain('the proxy proxy.thgov-doctor.invalid');
    expect(dns.fix).toContain('transport.proxy');
    expect(dns.fix).not.toContain('may only resolve through the proxy');
  });

  it('http_proxy without a scheme (as curl accepts): one clear failure naming the variable, no password', async () => {
    const config = gdxConfig('env', GDX_HOST);
    const noScheme = `${USER}:${encodeURIComponent(PASSWORD)}@proxy.thgov-doctor.test:3128`;
    const r = await doctorRun('proxy-no-scheme', config, proxyEnv(noScheme));
    expect(r.code).toBe(1);
    const report = r.report as DoctorReport;
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['exchange.config']);
    expect(failed[0]?.message).toMatch(/^http_proxy is not an http:\/\/ or https:\/\/ proxy URL/);
    expect(failed[0]?.fix).toContain('http://host:port');
    expect(failed[0]?.message).toContain('http://');
    for (const s of secretsIn(config))
      for (const t of [r.stdout, r.stderr, r.xml]) expect(t).not.toContain(s);
  });
});
