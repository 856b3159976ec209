import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EcmsNetwork, type Sandbox, startEcmsNetwork, startGdxGateway } from '@thgov/sandbox';
import { closedPort, connectProxy, frontProxy, requireTool } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSandboxCertificate } from '../src/doctor/sandbox-trust.js';
import type { DoctorReport, ThgovConfig } from '../src/index.js';
import { sandboxConfig } from '../src/index.js';
import { doctorWorld, type Pki, type Run, thgov } from './doctor-helpers.js';

const world = doctorWorld(7);
const closers = world.closers;
let sb: Sandbox;
let pki: Pki;
let dir: string;
beforeAll(() => {
  ({ sb, pki, dir } = world);
});

/** A configuration for the running sandbox, changed by `edit`, written to a file. */
function configFile(name: string, edit: (c: ThgovConfig) => void = () => {}): string {
  const c = sandboxConfig(sb, { trustAnchor: pki.caFile, auditLog: join(dir, 'audit.jsonl') });
  edit(c);
  const file = join(dir, `${name}.json`);
  // Private, as `thgov sandbox --config-out` writes it: it holds the sandbox's secrets in clear.
  writeFileSync(file, JSON.stringify(c, null, 2), { mode: 0o600 });
  return file;
}

/** Every secret in a configuration: none may appear in any output. */
function secretsOf(file: string): string[] {
  const c = JSON.parse(readFileSync(file, 'utf8')) as ThgovConfig;
  const out = [
    c.exchange?.consumerKey,
    c.exchange?.consumerSecret,
    c.digitalId?.thaid?.clientSecret,
    c.digitalId?.thaid?.apiKey,
    c.digitalId?.dga?.clientSecret,
    c.audit?.hmacSecret,
    c.catalog?.apiToken,
  ];
  return out.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function expectNoSecret(texts: string[], secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
}

function reportOf(r: Run): DoctorReport {
  return JSON.parse(r.stdout) as DoctorReport;
}

function check(report: DoctorReport, id: string) {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}

const xmllint = requireTool('xmllint', {
  why: 'a second opinion that the JUnit reports are well-formed XML',
});
/** The JUnit reports the runs below wrote; xmllint checks them at the end of the file. */
const junitReports: string[] = [];

describe('thgov doctor against a healthy sandbox (as a process)', () => {
  it('--json: exit 0, the documented schema, every platform checked; --junit is valid XML; no secret anywhere', async () => {
    const file = configFile('healthy');
    const junit = join(dir, 'healthy.xml');
    const r = await thgov(['doctor', '--config', file, '--json', '--junit', junit]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(report).toMatchObject({
      version: 1,
      tool: 'thgov doctor',
      ok: true,
      platforms: ['exchange', 'digitalId', 'ecms', 'catalog', 'transcript'],
    });
    expect(Object.keys(report).sort()).toEqual([
      'checks',
      'durationInMs',
      'ok',
      'platforms',
      'startedAt',
      'summary',
      'tool',
      'version',
    ]);
    expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
    const s = report.summary;
    expect(s.failed).toBe(0);
    expect(s.total).toBe(report.checks.length);
    expect(s.passed + s.warned + s.failed + s.skipped).toBe(s.total);
    for (const c of report.checks) {
      expect(c).toMatchObject({
        id: expect.any(String),
        platform: expect.any(String),
        title: expect.any(String),
        message: expect.any(String),
      });
      expect(['pass', 'warn', 'skip']).toContain(c.status);
      expect(c.durationInMs).toBeGreaterThanOrEqual(0);
    }
    for (const id of [
      'exchange.dns',
      'exchange.tcp',
      'exchange.clock',
      'exchange.validate',
      'exchange.read',
      'digitalId.thaid.discovery',
      'digitalId.thaid.issuer',
      'digitalId.thaid.jwks',
      'digitalId.thaid.redirect',
      'digitalId.thaid.clientAuth',
      'digitalId.dga.clientAuth',
      'ecms.timeCheck',
      'ecms.organizations',
      'ecms.codeLists',
      'catalog.status',
      'catalog.token',
      'catalog.schema',
      'transcript.trustAnchor.0',
    ]) {
      expect(check(report, id).status, id).toBe('pass');
    }
    // The sandbox speaks plain http on loopback: TLS is skipped, not failed.
    expect(check(report, 'exchange.tls').status).toBe('skip');
    junitReports.push(junit);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="thgov doctor" tests="\d+" failures="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(report.checks.length);
    expectNoSecret([r.stdout, r.stderr, xml], secretsOf(file));
  });

  it('human output: a ✓ line with timing per check and an OK summary', async () => {
    const file = configFile('healthy-human');
    const r = await thgov(['doctor', '--config', file, '--only', 'exchange,transcript']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ GDX: token validate for the AgentID \(\d+ ms\)/);
    expect(r.stdout).toMatch(/✓ transcript: trust anchor transcript\.trustAnchors\[0\]/);
    expect(r.stdout).not.toContain('Digital ID');
    expect(r.stdout).toMatch(/^OK: \d+ passed, 0 warnings, 0 failed/m);
    expectNoSecret([r.stdout, r.stderr], secretsOf(file));
  });
});

describe('thgov doctor warnings', () => {
  it('an AgentID without a DOPA session is a warning with a fix: exit 0, and exit 1 with --strict', async () => {
    const person = sb.population.people[10];
    if (!person || sb.gdx.officers.includes(person.citizenId))
      throw new Error('need a citizen who is not an officer');
    const file = configFile('no-session', (c) => {
      if (c.exchange) c.exchange.agentId = person.citizenId;
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange']);
    expect(r.code).toBe(0);
    const read = check(reportOf(r), 'exchange.read');
    expect(read).toMatchObject({ status: 'warn', data: { state: 'AgentNotAvailable' } });
    expect(read.fix).toContain('GovAMI');
    // The AgentID is a citizen ID: personal data, masked in every output.
    expect(r.stdout).not.toContain(person.citizenId);
    const strict = await thgov(['doctor', '--config', file, '--strict', '--only', 'exchange']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/! GDX: a permitted read/);
  });
});

describe('thgov doctor against a broken platform (as a process)', () => {
  it('wrong secrets: GDX validate, ThaID and DGA client authentication fail with cause and fix; the wrong secrets are never printed', async () => {
    const file = configFile('wrong-secrets', (c) => {
      if (c.exchange) c.exchange.consumerSecret = 'wrong-gdx-secret-0f3a9c';
      if (c.digitalId?.thaid) c.digitalId.thaid.clientSecret = 'wrong-thaid-secret-77ab';
      if (c.digitalId?.dga) c.digitalId.dga.clientSecret = 'wrong-dga-secret-9c1e';
    });
    const junit = join(dir, 'wrong.xml');
    const r = await thgov([
      'doctor',
      '--config',
      file,
      '--json',
      '--junit',
      junit,
      '--only',
      'exchange,digitalId',
    ]);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(report.ok).toBe(false);
    expect(check(report, 'exchange.validate')).toMatchObject({ status: 'fail', errorCode: 'ERR_GDX_AUTH' });
    expect(check(report, 'exchange.validate').fix).toContain('exchange.consumerSecret');
    expect(check(report, 'exchange.tcp').status).toBe('pass');
    expect(check(report, 'digitalId.thaid.clientAuth')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_DIGITAL_ID_INVALID_CLIENT',
    });
    expect(check(report, 'digitalId.dga.clientAuth')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_DIGITAL_ID_INVALID_CLIENT',
    });
    // Discovery and the login start do not involve the secret.
    expect(check(report, 'digitalId.thaid.redirect').status).toBe('pass');
    junitReports.push(junit);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure message="[^"]*" type="ERR_GDX_AUTH">/);
    const human = await thgov(['doctor', '--config', file, '--only', 'exchange,digitalId']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ GDX: token validate for the AgentID/);
    expect(human.stdout).toMatch(/cause: GDX refused the credentials/);
    expect(human.stdout).toMatch(/^FAILED: /m);
    expectNoSecret([r.stdout, r.stderr, xml, human.stdout, human.stderr], secretsOf(file));
  });

  it('a consumer without the right to DOPA data: validate passes, the read fails with ERR_GDX_FORBIDDEN', async () => {
    const gdx = await startGdxGateway({
      population: sb.population,
      seed: 7,
      consumers: [{ name: 'dbd-only', services: ['dbd/'] }],
    });
    closers.push(() => gdx.close());
    const consumer = gdx.consumers[0];
    if (!consumer) throw new Error('no consumer');
    const file = configFile('no-right', (c) => {
      c.exchange = {
        baseUrl: gdx.url,
        consumerKey: consumer.consumerKey,
        consumerSecret: consumer.consumerSecret,
        agentId: gdx.officers[0] ?? '',
      };
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange']);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(check(report, 'exchange.validate').status).toBe('pass');
    const read = check(report, 'exchange.read');
    expect(read).toMatchObject({ status: 'fail', errorCode: 'ERR_GDX_FORBIDDEN' });
    expect(read.fix).toContain('Request access to the service');
    expectNoSecret([r.stdout, r.stderr], secretsOf(file));
  });

  it('digital ID: an unregistered redirect URI and an unapproved scope are caught before any login', async () => {
    const file = configFile('redirect', (c) => {
      if (c.digitalId?.dga) c.digitalId.dga.redirectUri = 'http://127.0.0.1:3999/not/registered';
      if (c.digitalId?.thaid) c.digitalId.thaid.scopes = ['pid', 'no_such_scope'];
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'digitalId']);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(check(report, 'digitalId.dga.redirect')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_DIGITAL_ID_REDIRECT_MISMATCH',
    });
    expect(check(report, 'digitalId.thaid.redirect')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_DIGITAL_ID_INVALID_SCOPE',
    });
    expect(check(report, 'digitalId.thaid.redirect').message).toContain('no_such_scope');
  });

  it('digital ID: DGA (IdentityServer) answers an unknown client ID with a redirect to its error page: caught', async () => {
    const file = configFile('unknown-client', (c) => {
      if (c.digitalId?.dga) c.digitalId.dga.clientId = 'not-a-registered-client';
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'digitalId']);
    expect(r.code).toBe(1);
    const redirect = check(reportOf(r), 'digitalId.dga.redirect');
    expect(redirect).toMatchObject({ status: 'fail', errorCode: 'ERR_DIGITAL_ID_INVALID_CLIENT' });
    expect(redirect.message).toContain('/home/error');
  });

  it('e-CMS: an organisation that is not in the directory, and a node URL that is not the registered one', async () => {
    const other = sb.ecms.nodes[1];
    if (!other) throw new Error('the sandbox has a second e-CMS node');
    const missing = configFile('ecms-missing', (c) => {
      if (c.ecms) c.ecms.organizationId = '9999999999';
    });
    const r1 = reportOf(await thgov(['doctor', '--config', missing, '--json', '--only', 'ecms']));
    expect(check(r1, 'ecms.organizations')).toMatchObject({ status: 'fail' });
    expect(check(r1, 'ecms.organizations').fix).toContain('ecms.organizationId');
    const wrongNode = configFile('ecms-node', (c) => {
      if (c.ecms) c.ecms.nodeUrl = other.url;
    });
    const r2 = reportOf(await thgov(['doctor', '--config', wrongNode, '--json', '--only', 'ecms']));
    expect(r2.ok).toBe(false);
    expect(check(r2, 'ecms.organizations').message).toContain(`the directory lists ${sb.ecms.nodes[0]?.url}`);
    expect(check(r2, 'ecms.codeLists').status).toBe('pass');
  });

  it('expired certificates: the agency client certificate and a platform server certificate, over real TLS', async () => {
    const gdxTls = await frontProxy(sb.gdx.url, { tls: { key: pki.serverKey, cert: pki.serverCert } });
    closers.push(gdxTls.close);
    const node = sb.ecms.nodes[0];
    if (!node) throw new Error('no e-CMS node');
    const ecmsTls = await frontProxy(new URL(node.url).origin, {
      tls: { key: pki.expiredServerKey, cert: pki.expiredServerCert },
    });
    closers.push(ecmsTls.close);
    const file = configFile('expired', (c) => {
      if (c.exchange) {
        c.exchange.baseUrl = gdxTls.url;
        c.exchange.transport = {
          tls: { caFile: pki.caFile, certFile: pki.expiredClientCertFile, keyFile: pki.expiredClientKeyFile },
        };
      }
      if (c.ecms) {
        c.ecms.nodeUrl = `${ecmsTls.url}${new URL(node.url).pathname}`;
        c.ecms.transport = { tls: { caFile: pki.caFile } };
      }
    });
    const junit = join(dir, 'expired.xml');
    const r = await thgov([
      'doctor',
      '--config',
      file,
      '--json',
      '--junit',
      junit,
      '--only',
      'exchange,ecms',
    ]);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    const tls = check(report, 'exchange.tls');
    expect(tls.status).toBe('pass');
    expect(tls.data?.daysLeft).toBeGreaterThan(300);
    expect(tls.message).toContain('Doctor Test CA');
    // Over https through the CA from the configuration, the GDX checks themselves pass.
    expect(check(report, 'exchange.validate').status).toBe('pass');
    const own = check(report, 'exchange.clientCertificate');
    expect(own).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    expect(own.message).toContain('expired on 2024-03-01');
    expect(own.fix).toContain('exchange.transport.tls.certFile');
    const server = check(report, 'ecms.tls');
    expect(server).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS' });
    expect(server.message).toContain('CERT_HAS_EXPIRED');
    junitReports.push(junit);
  });

  it('a certificate for another host name is reported as a host name mismatch, by name and by IP address', async () => {
    const other = await frontProxy(sb.gdx.url, { tls: { key: pki.otherHostKey, cert: pki.otherHostCert } });
    closers.push(other.close);
    for (const base of [other.url, other.url.replace('localhost', '127.0.0.1')]) {
      const file = configFile('other-host', (c) => {
        if (c.exchange) {
          c.exchange.baseUrl = base;
          c.exchange.transport = { tls: { caFile: pki.caFile } };
        }
      });
      const r = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange']);
      expect(r.code).toBe(1);
      const tls = check(reportOf(r), 'exchange.tls');
      expect(tls, base).toMatchObject({ status: 'fail', errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(tls.message).toMatch(/^host name mismatch: /);
      expect(tls.cause).toContain('another host name');
      expect(tls.cause).not.toContain('does not lead to a CA');
      expect(tls.fix).toContain('exchange.transport.tls.servername');
    }
    // The same certificate with the name it was issued for (servername): the chain and the name are fine.
    const file = configFile('other-host-servername', (c) => {
      if (c.exchange) {
        c.exchange.baseUrl = other.url;
        c.exchange.transport = { tls: { caFile: pki.caFile, servername: 'elsewhere.example' } };
      }
    });
    const ok = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange']);
    expect(check(reportOf(ok), 'exchange.tls').status).toBe('pass');
  }, 120_000); // hang guard: three doctor processes on a loaded machine

  it('skewed clock: a platform whose Date is 10 minutes ahead, and an e-CMS node whose time check is off', async () => {
    const skewed = await frontProxy(sb.gdx.url, { dateOffsetInMs: 10 * 60_000 });
    closers.push(skewed.close);
    const net: EcmsNetwork = await startEcmsNetwork({ seed: 7, clockSkewInMs: -5 * 60_000 });
    closers.push(() => net.close());
    const node = net.nodes[0];
    if (!node) throw new Error('no e-CMS node');
    const file = configFile('skew', (c) => {
      if (c.exchange) c.exchange.baseUrl = skewed.url;
      c.ecms = { nodeUrl: node.url, organizationId: node.organizationId };
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange,ecms']);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    const clock = check(report, 'exchange.clock');
    expect(clock).toMatchObject({ status: 'fail', errorCode: 'ERR_CLOCK_SKEW' });
    expect(Math.abs(Number(clock.data?.skewInMs) - 600_000)).toBeLessThan(5_000);
    expect(clock.fix).toContain('NTP');
    expect(check(report, 'exchange.validate').status).toBe('pass');
    const time = check(report, 'ecms.timeCheck');
    expect(time).toMatchObject({ status: 'fail', errorCode: 'ERR_CLOCK_SKEW' });
    expect(Number(time.data?.skewInMs)).toBeLessThan(-290_000);
  });

  it('unreachable host: TCP fails with the reason, later checks are skipped, exit 1', async () => {
    const port = await closedPort();
    const file = configFile('unreachable', (c) => {
      if (c.exchange) c.exchange.baseUrl = `http://127.0.0.1:${port}`;
      if (c.digitalId?.thaid) c.digitalId.thaid.issuer = `http://127.0.0.1:${port}`;
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'exchange,digitalId']);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(check(report, 'exchange.tcp')).toMatchObject({ status: 'fail', errorCode: 'ECONNREFUSED' });
    expect(check(report, 'exchange.tcp').cause).toContain('Nothing accepts connections');
    for (const id of [
      'exchange.tls',
      'exchange.clock',
      'exchange.validate',
      'exchange.read',
      'digitalId.thaid.discovery',
    ]) {
      expect(check(report, id).status, id).toBe('skip');
    }
    expect(check(report, 'digitalId.dga.clientAuth').status).toBe('pass');
  });

  it('a client certificate file that does not exist: one failed configuration check, the other platforms still run', async () => {
    const file = configFile('missing-file', (c) => {
      if (c.ecms)
        c.ecms.transport = {
          tls: { certFile: join(dir, 'no-such-cert.pem'), keyFile: join(dir, 'no-such-key.pem') },
        };
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--only', 'ecms,transcript']);
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(check(report, 'ecms.config')).toMatchObject({ status: 'fail', errorCode: 'ERR_CLI_CONFIG_FILE' });
    expect(check(report, 'ecms.config').message).toContain('ecms.transport.tls.certFile');
    expect(check(report, 'transcript.trustAnchor.0').status).toBe('pass');
  });

  it('transcript: a trust anchor that is not a CA certificate, and one that is not a certificate at all', async () => {
    const leaf = join(dir, 'leaf.pem');
    writeFileSync(leaf, pki.serverCert);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const file = configFile('anchors', (c) => {
      c.transcript = { trustAnchors: [pki.caFile, leaf, junk] };
    });
    const r = reportOf(await thgov(['doctor', '--config', file, '--json', '--only', 'transcript']));
    expect(r.checks.map((c) => c.status)).toEqual(['pass', 'fail', 'fail']);
    expect(check(r, 'transcript.trustAnchor.1').message).toContain('is not a CA certificate');
    expect(check(r, 'transcript.trustAnchor.2').message).toContain('is not a certificate');
  });
});

describe('thgov doctor and the sandbox test root', () => {
  it("warns (and fails under --strict) when a configuration for the real platforms trusts the sandbox's root", async () => {
    const root = join(dir, 'thgov-sandbox-root.pem');
    writeFileSync(root, sb.pki.rootPem);
    expect(isSandboxCertificate(new X509Certificate(sb.pki.rootPem))).toBe(true);
    const production = join(dir, 'production.json');
    writeFileSync(
      production,
      JSON.stringify({
        exchange: {
          baseUrl: 'https://api.egov.go.th',
          consumerKey: 'key-1234',
          consumerSecret: 'secret-1234',
          agentId: 'sys',
        },
        transcript: { trustAnchors: [pki.caFile, root] },
      }),
    );
    const r = await thgov(['doctor', '--config', production, '--json', '--only', 'transcript']);
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(check(report, 'transcript.trustAnchor.0').status).toBe('pass');
    const warned = check(report, 'transcript.trustAnchor.1');
    expect(warned).toMatchObject({ status: 'warn', data: { sandboxRoot: true } });
    expect(warned.message).toContain('thgov sandbox test root');
    expect(warned.fix).toContain('transcript.trustAnchors[1]');
    const strict = await thgov(['doctor', '--config', production, '--strict', '--only', 'transcript']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/! transcript: trust anchor transcript\.trustAnchors\[1\]/);
    // A transcript-only file with no platform URL is not a sandbox configuration either.
    const verifierOnly = join(dir, 'verifier.json');
    writeFileSync(verifierOnly, JSON.stringify({ transcript: { trustAnchors: [root] } }));
    expect((await thgov(['doctor', '--config', verifierOnly, '--strict'])).code).toBe(1);
  });

  it('stays quiet for the sandbox configuration itself (every URL on this machine)', async () => {
    const file = configFile('sandbox-root', (c) => {
      const root = join(dir, 'sandbox-own-root.pem');
      writeFileSync(root, sb.pki.rootPem);
      c.transcript = { trustAnchors: [root] };
    });
    const r = await thgov(['doctor', '--config', file, '--json', '--strict', '--only', 'transcript']);
    expect(check(reportOf(r), 'transcript.trustAnchor.0').status).toBe('pass');
    expect(r.code).toBe(0);
  });
});

describe('thgov doctor through a real CONNECT proxy (as a process)', () => {
  it('reaches every platform through the tunnel and passes', async () => {
    const proxy = await connectProxy();
    closers.push(proxy.close);
    const file = configFile('proxy', (c) => {
      c.transport = { proxy: proxy.url };
    });
    const r = await thgov(['doctor', '--config', file, '--json']);
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(check(report, 'exchange.tcp').title).toContain(`via proxy 127.0.0.1:${new URL(proxy.url).port}`);
    const ports = [sb.gdx.url, sb.thaid.issuer, sb.dga.issuer, sb.ecms.nodes[0]?.url ?? ''].map(
      (u) => `127.0.0.1:${new URL(u).port}`,
    );
    for (const p of ports) expect(proxy.tunnels, p).toContain(p);
    // Both the low-level checks and the SDK clients went through it: more tunnels than platforms.
    expect(proxy.tunnels.length).toBeGreaterThan(ports.length * 2);
    expectNoSecret([r.stdout, r.stderr, proxy.tunnels.join('\n')], secretsOf(file));
  });
});

xmllint.it('every JUnit report doctor wrote above is well-formed for xmllint', () => {
  expect(junitReports).toHaveLength(3);
  for (const file of junitReports) execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
});
