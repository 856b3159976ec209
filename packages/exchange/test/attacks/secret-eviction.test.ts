import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { REDACTED, redactText, registerSecret } from '@thgov/core';
import { captureLogger } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExchangeClient, isGdxError } from '../../src/index.js';
import { rejection } from '../helpers.js';

/**
 * Secret eviction, end to end: the consumer secret an ExchangeClient registers at start-up must still be
 * masked after a long uptime of logins, validates and caller-supplied tokens, when a misconfigured
 * gateway's error page echoes the request (`ConsumerSecret=…`) and the secret itself.
 */

const HOUR = 3_600_000;
let server: Server;
let url = '';

beforeAll(async () => {
  // A reverse proxy's error page that echoes the request line, and the secret it could not match.
  server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    res.writeHead(401, { 'content-type': 'text/html' });
    res.end(
      `<html><body><h1>401 Unauthorized</h1><p>GET ${req.url}</p>` +
        `<p>no consumer with secret <b>${query.get('ConsumerSecret')}</b></p></body></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(consumerSecret: string, logger?: ReturnType<typeof captureLogger>['logger']): ExchangeClient {
  return new ExchangeClient({
    baseUrl: url,
    consumerKey: `consumer-key-${randomUUID()}`,
    consumerSecret,
    agentId: 'batch-system',
    retry: false,
    ...(logger ? { logger, logLevel: 'debug' as const } : {}),
  });
}

/** A week of traffic: tokens from logins and validates, tokens callers pass to revoke/introspect. */
function longUptime(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (let i = 0; i < 10_000; i++) {
      registerSecret(randomBytes(600).toString('base64url'), { kind: 'token', ttlInMs: HOUR });
      if (i % 5 === 0) registerSecret(randomBytes(40).toString('hex'), { kind: 'input' });
      if (i % 100 === 99) vi.setSystemTime(Date.now() + 2 * HOUR);
    }
  } finally {
    vi.useRealTimers();
  }
}

describe('secret eviction', () => {
  it('the consumer secret is masked in a gateway page echoing it after 10,000 registrations', async () => {
    const secret = `S3cret-${randomUUID()}`;
    const { lines, logger } = captureLogger();
    const c = client(secret, logger);
    try {
      longUptime();
      const err = await rejection(c.call({ path: '/ws/dopa/linkage/v1/link' }, { requestId: 'rid-evict' }));
      expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
      logger.error('gdx call failed', {
        err,
        page: (err as { response?: { body?: string } }).response?.body,
      });
      const text = [
        err.message,
        String(err.stack),
        JSON.stringify(err),
        inspect(err, { depth: 10 }),
        ...lines,
      ].join('\n');
      expect(text).toContain(REDACTED);
      expect(text).toContain('no consumer with secret');
      for (const needle of [secret, encodeURIComponent(secret), secret.slice(0, 16)])
        expect(text).not.toContain(needle);
    } finally {
      await c.close();
    }
  });

  it('two clients with one secret: closing one keeps it masked, closing both releases it', async () => {
    const secret = `Shared-${randomUUID()}`;
    const a = client(secret);
    const b = client(secret);
    await a.close();
    const err = await rejection(b.call({ path: '/ws/x' }));
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(redactText(secret)).toBe(REDACTED);
    await b.close();
    expect(redactText(secret)).toBe(secret);
  });
});
