import { randomBytes, randomUUID } from 'node:crypto';
import { captureLogger, httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HttpError,
  REDACTED,
  redactText,
  registerSecret,
  secretRegistryStats,
  Transport,
  unregisterSecret,
  withSecrets,
} from '../../src/index.js';
import { renderings } from '../helpers/renderings.js';

/**
 * Secret eviction: the registry used to keep 1,024 values and drop the oldest first, so the consumer
 * secret registered at start-up fell out after enough logins, validates and caller-supplied tokens, and a
 * gateway page echoing it appeared in clear. Long-lived credentials must survive any number of short-lived
 * registrations and any uptime.
 */

const HOUR = 3_600_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanups.length) await cleanups.pop()?.();
});

/** A JWT-sized random token (about 800 characters of base64url in three parts). */
function jwtSized(): string {
  const part = (n: number) => randomBytes(n).toString('base64url');
  return `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${part(450)}.${part(256)}`;
}

function credential(): string {
  const value = `cs-${randomUUID()}`;
  registerSecret(value, { kind: 'credential' });
  cleanups.push(() => unregisterSecret(value));
  return value;
}

/** Days of traffic: every login and validate registers tokens, callers pass tokens to revoke/introspect. */
function longUptime(registrations: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  for (let i = 0; i < registrations; i++) {
    registerSecret(jwtSized(), { kind: 'token', ttlInMs: HOUR });
    if (i % 4 === 0) registerSecret(`caller-supplied-${i}-${randomUUID()}`, { kind: 'input' });
    // 10,000 registrations spread over a week: tokens expire many times over.
    if (i % 100 === 99) vi.setSystemTime(Date.now() + 2 * HOUR);
  }
  vi.useRealTimers();
}

async function gatewayEchoing(page: (url: string) => string): Promise<TestServer> {
  const s = await httpServer((req, res) => {
    res.statusCode = 401;
    res.setHeader('content-type', 'text/html');
    res.end(page(req.url ?? ''));
  });
  cleanups.push(() => s.close());
  return s;
}

describe('secret eviction', () => {
  it('a consumer secret registered at start-up is masked after 10,000 registrations and a week of uptime', async () => {
    const secret = credential();
    longUptime(10_000);
    // A gateway error page that echoes the request line and the secret in HTML, as misconfigured gateways do.
    const s = await gatewayEchoing(
      (url) =>
        `<html><title>Invalid consumer ${secret}</title><body><p>Request: ${url}</p>` +
        `<table><tr><td>ConsumerSecret=${secret}</td><td>${secret}</td></tr></table></body></html>`,
    );
    const { lines, logger } = captureLogger();
    const t = new Transport(
      { baseUrl: s.url, logger, logLevel: 'debug', retry: false },
      { name: '@thgov/test', version: '0.0.0' },
    );
    cleanups.push(() => t.close());
    const err = await t
      .request({
        method: 'GET',
        path: '/ws/auth/validate',
        query: { ConsumerSecret: secret, AgentID: 'batch-system' },
        // Platforms whose envelopes quote the page (X-Road `message`, SOAP faults) put it in the message.
        classify: (raw) => {
          const title = /<title>([^<]*)<\/title>/.exec(raw.text())?.[1] ?? '';
          return new HttpError('ERR_HTTP', `Gateway refused: ${title}`, raw.errorOptions());
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    logger.error('validate failed', { err, body: (err as HttpError).response?.body });
    const text = renderings(err, lines);
    expect(text).toContain(REDACTED);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(3, 20));
  });

  it('short-lived tokens expire by TTL, caller-supplied values are capped, the store stays bounded', () => {
    const secret = credential();
    const before = secretRegistryStats();
    longUptime(10_000);
    const after = secretRegistryStats();
    expect(after.credentials).toBe(before.credentials);
    // A week of one-hour tokens: only the last hours' worth can still be live.
    expect(after.tokens).toBeLessThan(1_000);
    expect(after.inputs).toBeLessThanOrEqual(after.maxInputs);
    expect(redactText(`echo ${secret}`)).toBe(`echo ${REDACTED}`);

    // An attacker feeding 16 KiB "tokens" to revoke()/introspect(): registered capped, still masked whole.
    for (let i = 0; i < 3_000; i++)
      registerSecret(randomBytes(12 * 1024).toString('base64url'), { kind: 'input' });
    const huge = randomBytes(12 * 1024).toString('base64url');
    registerSecret(huge, { kind: 'input' });
    const stats = secretRegistryStats();
    expect(stats.inputs).toBeLessThanOrEqual(stats.maxInputs);
    expect(stats.pooledChars).toBeLessThanOrEqual(stats.maxPooledChars);
    const out = redactText(`token=${huge}; next`);
    expect(out).not.toContain(huge.slice(0, 64));
    expect(out).not.toContain(huge.slice(-64));
    expect(out).toContain('; next');
    expect(redactText(`still ${secret}`)).toBe(`still ${REDACTED}`);
  });

  it('credentials are reference-counted: one client closing does not unmask another one’s secret', () => {
    const shared = `shared-secret-${randomUUID()}`;
    registerSecret(shared, { kind: 'credential' });
    registerSecret(shared, { kind: 'credential' });
    unregisterSecret(shared);
    expect(redactText(shared)).toBe(REDACTED);
    unregisterSecret(shared);
    expect(redactText(shared)).toBe(shared);
  });

  it('a value held for one operation keeps its token registration when released', async () => {
    const token = `refresh-${randomUUID()}`;
    registerSecret(token, { kind: 'token', ttlInMs: HOUR });
    await withSecrets([token], async () => expect(redactText(token)).toBe(REDACTED));
    expect(redactText(token)).toBe(REDACTED);
    const callerOnly = `caller-${randomUUID()}`;
    await withSecrets([callerOnly], async () => expect(redactText(callerOnly)).toBe(REDACTED));
    expect(redactText(callerOnly)).toBe(callerOnly);
    unregisterSecret(token);
    expect(redactText(token)).toBe(token);
  });

  it('a token is masked while its TTL runs and forgotten after it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = `access-${randomUUID()}`;
    registerSecret(token, { kind: 'token', ttlInMs: HOUR });
    expect(redactText(token)).toBe(REDACTED);
    vi.setSystemTime(Date.now() + 2 * HOUR);
    // Expired entries go on the next registration's sweep.
    for (let i = 0; i < 50; i++)
      registerSecret(`later-${i}-${randomUUID()}`, { kind: 'token', ttlInMs: HOUR });
    vi.setSystemTime(Date.now() + 60_000);
    registerSecret(`trigger-${randomUUID()}`, { kind: 'token', ttlInMs: HOUR });
    expect(redactText(token)).toBe(token);
  });
});
