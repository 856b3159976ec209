// Attack: a JWT (an id_token, an access token) echoed in free text by a server, once its registration has run out
// (a token is kept for its TTL, in a bounded pool that evicts under load) or when the SDK never registered it: an
// OIDC provider's "Invalid id_token_hint eyJ…" page, a gateway's "token eyJ… expired". The registry no longer knows
// it, no sensitive name precedes it, so it was quoted in clear into the error and the logs: a bearer credential,
// and a payload that is only base64url-encoded JSON holding the citizen ID (`pid`, `sub`) and the person's names.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it, vi } from 'vitest';
import {
  completeThaiId,
  HttpError,
  REDACTED,
  redactPreview,
  redactText,
  registerSecret,
} from '../../src/index.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const CITIZEN = completeThaiId('110370012345');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An ES256 id_token as a digital-ID provider issues it: the payload carries pid, sub and the names. */
function idToken(): string {
  const header = b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
  const payload = b64({
    iss: 'https://imauth.bora.dopa.go.th',
    sub: CITIZEN,
    pid: CITIZEN,
    name: 'สมชาย ใจดี',
  });
  return `${header}.${payload}.${Buffer.alloc(64, 7).toString('base64url')}`;
}

describe('a JWT echoed in free text is masked whether or not it is registered', () => {
  it('an expired id_token quoted in an error page reaches neither the error nor the logs', async () => {
    const token = idToken();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      registerSecret(token, { kind: 'token', ttlInMs: 60_000 });
      vi.setSystemTime(Date.now() + 3_600_000);
      // A later registration sweeps the expired one.
      registerSecret(`sweep-${Math.random()}-0123456789`, { kind: 'input' });
    } finally {
      vi.useRealTimers();
    }
    const s = await serve((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html');
      res.end(
        `<html><body><p>Invalid id_token_hint</p><p>${token}</p><pre>token ${token} expired</pre></body></html>`,
      );
    });
    const lines: string[] = [];
    const log = (...a: unknown[]) => lines.push(JSON.stringify(a));
    const t = transport({
      baseUrl: s.url,
      retry: false,
      logLevel: 'debug',
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const err = await t
      .request({
        method: 'GET',
        path: '/logout',
        classify: (raw) =>
          new HttpError('ERR_HTTP', `Logout refused: ${raw.text().slice(0, 400)}`, raw.errorOptions()),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    t.logger.error('logout failed', { err });
    const all = `${JSON.stringify(err)}\n${(err as Error).message}\n${lines.join('\n')}`;
    expect(all).toContain('Invalid id_token_hint');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(all).not.toContain(payload);
    expect(all).not.toContain(signature);
    expect(all).not.toContain(`${header}.`);
  });

  it.each([
    ['prose', (j: string) => `the token ${j} has expired`],
    ['a JSON field of no sensitive name', (j: string) => `{"detail":"${j}"}`],
    ['an HTML element', (j: string) => `<td>${j}</td>`],
    ['a path segment', (j: string) => `https://idp.example/session/${j}/end`],
    ['after a Bearer scheme in prose', (j: string) => `sent Bearer ${j} twice`],
  ])('in %s', (_where, place) => {
    const token = idToken();
    const out = redactText(place(token));
    expect(out).toContain(REDACTED);
    expect(out).not.toContain(token.split('.')[1] as string);
  });

  it('a long one that straddles the end of an error preview is masked, not shown up to the cut', () => {
    const header = b64({ alg: 'ES256', typ: 'JWT' });
    const payload = b64({ pid: CITIZEN, note: 'x'.repeat(3000), name: 'สมชาย' });
    const text = `${'.'.repeat(1900)} ${header}.${payload}.c2lnbmF0dXJl`;
    const preview = redactPreview(text, 2048);
    expect(preview).not.toContain(payload.slice(0, 40));
    expect(preview).toContain(REDACTED);
  });

  it('leaves text that only looks like one alone: a detached JWS header, a base64 word, an "eyJ" in prose', () => {
    for (const text of [
      'eyJhbGciOiJFUzI1NiJ9..c2lnbmF0dXJl',
      'see eyJ in docs',
      'version 1.2.3 of eyJhbGci',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });

  it('a long run of "eyJ" and dots ends (no quadratic scan)', () => {
    const script = `
      const { redactText } = await import('./src/redact.ts');
      const text = 'eyJ'.repeat(200_000) + '.' + 'eyJa.'.repeat(100_000) + ' eyJ' + 'A'.repeat(300_000) + '.eyJ';
      console.log(JSON.stringify(redactText(text).length));
    `;
    const out = runScriptInChild(script, { cwd: join(import.meta.dirname, '..', '..') });
    expect(out, 'redaction did not end within the time limit').toBeDefined();
  });
});
