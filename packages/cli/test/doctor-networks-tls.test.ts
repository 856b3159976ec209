import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Sandbox } from '@thgov/sandbox';
import { certsOnlyPkcs7, closedPort, createSelfSigned, createTestCa, frontProxy } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, ThgovConfig } from '../src/index.js';
import { parseConfig, runDoctor, sandboxConfig } from '../src/index.js';
import { doctorWorld, type Pki, thgov } from './doctor-helpers.js';

// The networks agencies have, seen from the platform side: a TLS-intercepting proxy (a certificate this machine
// does not trust unless its CA is given), DNS that fails, a port that never answers, a captive portal answering
// HTML. Every server is on 127.0.0.1.

const world = doctorWorld(13);
const closers = world.closers;
let sb: Sandbox;
let pki: Pki;
let dir: string;
beforeAll(() => {
  ({ sb, pki, dir } = world);
});

/** The sandbox's GDX section at `baseUrl` (a direct connection), with `edit` applied. */
function gdxConfig(baseUrl: string, edit: (c: ThgovConfig) => void = () => {}): ThgovConfig {
  const c = sandboxConfig(sb, { trustAnchor: pki.caFile, auditLog: join(dir, 'audit.jsonl') });
  const exchange = c.exchange;
  if (!exchange) throw new Error('no GDX section');
  exchange.baseUrl = baseUrl;
  const out: ThgovConfig = { exchange, doctor: { checkTimeoutInMs: 5_000 } };
  edit(out);
  return out;
}

function check(report: DoctorReport, id: string) {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

/** Doctor as a process (`--json --junit`) on `config`; environment variables in `env`. */
async function doctorRun(name: string, config: ThgovConfig, env: Record<string, string> = {}) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const junit = join(dir, `${name}.xml`);
  const r = await thgov(['doctor', '--config', file, '--json', '--junit', junit], env);
  return { ...r, xml: readFileSync(junit, 'utf8'), report: JSON.parse(r.stdout) as DoctorReport };
}

/** Every secret of a GDX configuration. */
function secretsOf(c: ThgovConfig): string[] {
  return [c.exchange?.consumerKey, c.exchange?.consumerSecret].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

function expectNoSecret(texts: string[], secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
}

describe('doctor behind a TLS-intercepting proxy', () => {
  it('a self-signed certificate: the TLS check fails as untrusted and names both documented ways to trust a CA', async () => {
    const stranger = await createSelfSigned({ commonName: 'Intercepting Proxy', usage: 'server' });
    const front = await frontProxy(sb.gdx.url, { tls: { key: stranger.key, cert: stranger.cert } });
    closers.push(front.close);
    const config = gdxConfig(front.url);
    const r = await doctorRun('self-signed', config);
    expect(r.code).toBe(1);
    const tls = check(r.report, 'exchange.tls');
    expect(tls).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    expect(tls.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(tls.cause).toContain('TLS-inspecting proxy');
    expect(tls.fix).toContain('transport.tls.caFile');
    expect(tls.fix).toContain('NODE_EXTRA_CA_CERTS');
    expect(tls.fix).not.toContain('Tell the platform operator');
    // The SDK call over the same connection fails too: a TLS error, not a generic network one.
    expect(check(r.report, 'exchange.validate')).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    expect(r.xml).toMatch(/<failure message="server certificate not trusted: [^"]*" type="ERR_TLS">/);
    expectNoSecret([r.stdout, r.stderr, r.xml], secretsOf(config));
  });

  it('the CA given through NODE_EXTRA_CA_CERTS (no caFile): the TLS check and the SDK calls all pass', async () => {
    const front = await frontProxy(sb.gdx.url, { tls: { key: pki.serverKey, cert: pki.serverCert } });
    closers.push(front.close);
    const config = gdxConfig(front.url);
    const without = await doctorRun('extra-ca-missing', config);
    expect(without.code).toBe(1);
    expect(check(without.report, 'exchange.tls').message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const r = await doctorRun('extra-ca', config, { NODE_EXTRA_CA_CERTS: pki.caFile });
    expect(r.code, r.stdout).toBe(0);
    expect(check(r.report, 'exchange.tls')).toMatchObject({ status: 'pass' });
    expect(check(r.report, 'exchange.tls').message).toContain('Doctor Test CA');
    expect(check(r.report, 'exchange.validate').status).toBe('pass');
  });

  it('a caFile in the configuration and the proxy CA in NODE_EXTRA_CA_CERTS: the fix says the variable is not used', async () => {
    // Node reads NODE_EXTRA_CA_CERTS into its default trust store only; a configured caFile replaces that store
    // (for the clients as for doctor), so the proxy's CA must go into caFile too.
    const proxyCa = await createTestCa({ commonName: 'Intercepting Proxy CA', validForDays: 30 });
    const leaf = await proxyCa.issue({ commonName: 'intercepted', usage: 'server', validForDays: 10 });
    const proxyCaFile = join(dir, 'proxy-ca.pem');
    writeFileSync(proxyCaFile, proxyCa.cert);
    const front = await frontProxy(sb.gdx.url, { tls: { key: leaf.key, cert: leaf.cert } });
    closers.push(front.close);
    const config = gdxConfig(front.url, (c) => {
      c.transport = { tls: { caFile: pki.caFile } };
    });
    const r = await doctorRun('extra-ca-ignored', config, { NODE_EXTRA_CA_CERTS: proxyCaFile });
    expect(r.code).toBe(1);
    const tls = check(r.report, 'exchange.tls');
    expect(tls).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    expect(tls.fix).toContain('NODE_EXTRA_CA_CERTS is not used for this connection');
    expect(tls.fix).toContain('transport.tls.caFile');
    // The SDK's call agrees: doctor does not pass what the client fails.
    expect(check(r.report, 'exchange.validate')).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    // Both CAs in caFile: trusted.
    const both = gdxConfig(front.url, (c) => {
      c.transport = { tls: { caFile: [pki.caFile, proxyCaFile] } };
    });
    const ok = await doctorRun('extra-ca-in-cafile', both);
    expect(ok.code, ok.stdout).toBe(0);
  });

  it('the proxy CA as a DER .cer (a Windows export) in caFile is trusted; a .p7b bundle is a configuration error', async () => {
    // Node reads only PEM in `ca` and skips anything else without a word: before, the DER file left the proxy
    // untrusted with a "self-signed certificate" TLS error, and the bundle did too.
    const proxyCa = await createTestCa({ commonName: 'Windows Proxy CA', validForDays: 30 });
    const leaf = await proxyCa.issue({ commonName: 'intercepted', usage: 'server', validForDays: 10 });
    const der = new X509Certificate(proxyCa.cert).raw;
    const derFile = join(dir, 'proxy-ca.cer');
    writeFileSync(derFile, der);
    const front = await frontProxy(sb.gdx.url, { tls: { key: leaf.key, cert: leaf.cert } });
    closers.push(front.close);
    const config = gdxConfig(front.url, (c) => {
      c.transport = { tls: { caFile: [pki.caFile, derFile] } };
    });
    const r = await doctorRun('der-ca', config);
    expect(r.code, r.stdout).toBe(0);
    expect(check(r.report, 'exchange.tls').message).toContain('Windows Proxy CA');
    expect(check(r.report, 'exchange.validate').status).toBe('pass');

    // A certificates-only PKCS#7, what Windows and CA portals export as .p7b.
    const p7bFile = join(dir, 'proxy-ca.p7b');
    writeFileSync(p7bFile, certsOnlyPkcs7([der]));
    const p7bConfig = join(dir, 'p7b.json');
    const withP7b = gdxConfig(front.url, (c) => {
      c.transport = { tls: { caFile: p7bFile } };
    });
    writeFileSync(p7bConfig, JSON.stringify(withP7b));
    const bad = await thgov(['doctor', '--config', p7bConfig, '--json']);
    expect(bad.code).not.toBe(0);
    const out = `${bad.stdout}${bad.stderr}`;
    expect(out).toContain('ERR_CLI_CONFIG_FILE');
    expect(out).toContain('transport.tls.caFile');
    expect(out).toContain(p7bFile);
    expect(out).toContain('openssl pkcs7 -print_certs'); // tool-tests: ignore "openssl" (fix text; none runs)
  });
});

describe('doctor where names do not resolve and ports do not answer', () => {
  it('a name that does not resolve: DNS fails with the reason, every later check is skipped saying why; exit 1', async () => {
    const config = gdxConfig('https://gdx.thgov-doctor.invalid');
    const r = await doctorRun('dns', config);
    expect(r.code).toBe(1);
    const dns = check(r.report, 'exchange.dns');
    expect(dns.status).toBe('fail');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(dns.errorCode);
    expect(dns.cause).toContain('gdx.thgov-doctor.invalid does not resolve');
    for (const id of [
      'exchange.tcp',
      'exchange.tls',
      'exchange.clock',
      'exchange.validate',
      'exchange.read',
    ]) {
      expect(check(r.report, id), id).toMatchObject({ status: 'skip' });
    }
    expect(check(r.report, 'exchange.tcp').message).toBe('skipped: "GDX: DNS" did not pass');
    expect(r.xml).toContain('<skipped message="skipped: &quot;GDX: DNS&quot; did not pass"/>');
    expect(r.xml).toMatch(/failures="1"[^>]*skipped="5"/);
    expectNoSecret([r.stdout, r.stderr, r.xml], secretsOf(config));
  });

  it('an https port that accepts and never answers: the TLS check ends at the connect time-out, naming the handshake', async () => {
    const open = new Set<Socket>();
    const silent = createTcpServer((s) => {
      open.add(s);
      s.resume();
      s.on('error', () => undefined);
      s.on('close', () => open.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise((r) => {
          for (const s of open) s.destroy();
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    const config = gdxConfig(`https://localhost:${port}`, (c) => {
      if (c.exchange) c.exchange.transport = { timeouts: { connectInMs: 300 } };
      c.doctor = { checkTimeoutInMs: 2_000 };
    });
    const report = await runDoctor(parseConfig(config, { env: {} }));
    expect(check(report, 'exchange.tcp').status).toBe('pass');
    const tls = check(report, 'exchange.tls');
    expect(tls).toMatchObject({ status: 'fail', errorCode: 'ETIMEDOUT' });
    expect(tls.message).toContain('TLS handshake did not finish in 300 ms');
    expect(report.ok).toBe(false);
  });
});

describe('doctor against a captive portal (HTML instead of the API)', () => {
  let portal: Server;
  let url = '';
  beforeAll(async () => {
    portal = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Network login</title></head><body>Sign in</body></html>');
    });
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
    closers.push(() => new Promise((r) => portal.close(() => r())));
  });

  it('GDX validate says an HTML page answered (portal, proxy page or wrong URL), not "no token under load"', async () => {
    const config = gdxConfig(url);
    const report = await runDoctor(parseConfig(config, { env: {} }));
    const validate = check(report, 'exchange.validate');
    expect(validate).toMatchObject({ status: 'fail', errorCode: 'ERR_RESPONSE_PARSE' });
    expect(validate.message).toContain('HTML page');
    expect(validate.message).toContain('Network login');
    expect(validate.cause).toContain('captive portal');
    expect(validate.cause).not.toContain('under load');
    expect(validate.fix).toContain('exchange.baseUrl');
    expectNoSecret([JSON.stringify(report)], secretsOf(config));
  });

  it('digital ID: discovery warns about the HTML page, client authentication fails saying so; no secret printed', async () => {
    const secret = 'portal-client-secret-1';
    const config: ThgovConfig = {
      digitalId: {
        thaid: {
          issuer: url,
          clientId: 'agency-client',
          clientSecret: secret,
          redirectUri: 'http://127.0.0.1:3000/cb',
          allowInsecureHttp: true,
        },
      },
      doctor: { checkTimeoutInMs: 5_000 },
    };
    const report = await runDoctor(parseConfig(config, { env: {} }));
    const discovery = check(report, 'digitalId.thaid.discovery');
    expect(discovery.status).toBe('warn');
    expect(discovery.message).toContain('an HTML page answered');
    expect(discovery.cause).toContain('captive portal');
    const auth = check(report, 'digitalId.thaid.clientAuth');
    expect(auth).toMatchObject({ status: 'fail', errorCode: 'ERR_RESPONSE_PARSE' });
    expect(auth.message).toContain('"Network login"');
    expect(report.ok).toBe(false);
    expectNoSecret([JSON.stringify(report)], [secret]);
  });
});

describe('secrets in failure paths', () => {
  it('a PostgreSQL store that is down: the password is in no output, JUnit or cause', async () => {
    const port = await closedPort();
    const password = 'Pg-S3cret-doctor-77';
    const { audit } = sandboxConfig(sb, { trustAnchor: pki.caFile, auditLog: join(dir, 'audit.jsonl') });
    if (!audit) throw new Error('no audit section');
    audit.path = undefined;
    audit.postgres = { url: `postgres://thgov:${password}@127.0.0.1:${port}/thgov` };
    const config: ThgovConfig = { audit, doctor: { checkTimeoutInMs: 5_000 } };
    const r = await doctorRun('pg-down', config);
    expect(r.code, r.stderr).toBe(1);
    const reachable = check(r.report, 'audit.store.reachable');
    expect(reachable.status).toBe('fail');
    expect(reachable.message).toContain(`127.0.0.1:${port}`);
    const secrets = [password, audit.hmacSecret, audit.chainKey.secret];
    expectNoSecret([r.stdout, r.stderr, r.xml], secrets);
  });
});
