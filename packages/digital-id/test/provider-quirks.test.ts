import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { redactText } from '@thgov/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigitalIdClient, DigitalIdClientOptions } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, quirkKey, useQuirkProvider } from './quirk-provider.js';

/**
 * What real providers (and the gateways in front of them) do that a spec-perfect provider does not: echo
 * the Basic header, omit algorithm metadata, answer 502 HTML, blip at discovery, send huge bodies, rotate
 * keys, run their clock ahead. Each case is a real provider on 127.0.0.1 and a typed error asserted.
 */

const quirks = useQuirkProvider();
afterEach(() => {
  vi.restoreAllMocks();
});

const client = (overrides: Partial<DigitalIdClientOptions> = {}) =>
  quirkClient(quirks.op, quirks.clients, overrides);

async function login(c: DigitalIdClient, extra = '') {
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}${extra}`, {
    expectedState: req.state,
  });
}

/** Everything a logger could print of an error: message, JSON, inspect, stack, the cause's own text. */
function everything(err: Error): string {
  const cause = err.cause as Error | undefined;
  return [
    err.message,
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String(err.stack),
    String(cause?.message),
    String(cause?.stack),
    JSON.stringify(cause),
  ].join('\n');
}

/** RFC 6749 §2.3.1 form encoding as openid-client applies it to Basic credentials. */
function formUrlEncode(v: string): string {
  return encodeURIComponent(v).replace(/[-_.!~*'()]|%20/g, (s) =>
    s === '%20' ? '+' : `%${s.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const now = () => Math.floor(Date.now() / 1000);

describe('a provider that echoes the client credentials (fault: the wire spellings leaked)', () => {
  const secrets = [
    'quirk-secret-with-dashes-XYZ',
    'k8_Zq.Lm~29vTx',
    'S3cr3t+/=:%&probe',
    'a-b_c.d~e+f/g=h:i%j&k-0123',
  ];

  it.each(secrets)('client_secret_basic, echoed Authorization header: %s is masked', async (secret) => {
    let wire = '';
    quirks.op.token = (_form, headers) => {
      wire = String(headers.authorization).slice('Basic '.length);
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: `Client authentication failed. Authorization: ${headers.authorization}`,
        },
      };
    };
    const c = client({ clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic' });
    const err = await failure(() => login(c));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
    expect(Buffer.from(wire, 'base64').toString()).toBe(
      `${formUrlEncode(quirks.op.clientId)}:${formUrlEncode(secret)}`,
    );
    const text = everything(err);
    expect(text).toContain('[REDACTED]');
    for (const spelling of [wire, wire.slice(24), formUrlEncode(secret), secret]) {
      expect(text).not.toContain(spelling);
    }
  });

  it.each(secrets)('client_secret_post, echoed form body: %s is masked', async (secret) => {
    let raw = '';
    quirks.op.token = (form) => {
      raw = form.toString();
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: `bad client: ${raw} (${formUrlEncode(form.get('client_secret') ?? '')})`,
        },
      };
    };
    const c = client({ clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_post' });
    const err = await failure(() => login(c));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
    const sent = new URLSearchParams(raw).get('client_secret');
    expect(sent).toBe(secret);
    const onWire = raw.split('client_secret=')[1]?.split('&')[0] ?? '';
    const text = everything(err);
    for (const spelling of [onWire, formUrlEncode(secret), secret]) {
      expect(text).not.toContain(spelling);
    }
  });

  it('the extra spellings are released by close()', async () => {
    const secret = 'released-on_close.secret~XY';
    const c = client({ clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic' });
    const wire = Buffer.from(`${formUrlEncode(quirks.op.clientId)}:${formUrlEncode(secret)}`).toString(
      'base64',
    );
    expect(redactText(`x ${wire} ${formUrlEncode(secret)}`)).not.toContain(formUrlEncode(secret));
    await c.close();
    expect(redactText(`x ${wire} ${formUrlEncode(secret)}`)).toBe(`x ${wire} ${formUrlEncode(secret)}`);
  });
});

describe('discovery without id_token_signing_alg_values_supported (fault: RS256 assumed)', () => {
  it.each(['ES256', 'PS256', 'EdDSA', 'RS256'] as const)('accepts a %s id_token', async (alg) => {
    quirks.op.keys = [quirkKey(alg)];
    quirks.op.discovery = { id_token_signing_alg_values_supported: undefined };
    const id = await login(client({ provider: 'thaid', issuer: quirks.op.issuer }));
    expect(id.subject).toBe('user-1');
  });

  it.each([
    ['none', (input: string) => `${input}.`, { alg: 'none', typ: 'JWT' }],
    [
      'HS256',
      (input: string) => `${input}.${createHmac('sha256', 'guessable').update(input).digest('base64url')}`,
      { alg: 'HS256', typ: 'JWT', kid: 'k1' },
    ],
  ] as const)('still refuses alg %s: ERR_DIGITAL_ID_ID_TOKEN_INVALID', async (_alg, sign, header) => {
    quirks.op.discovery = { id_token_signing_alg_values_supported: undefined };
    quirks.op.token = () => {
      const claims = {
        iss: quirks.op.issuer,
        aud: quirks.op.clientId,
        sub: 'user-1',
        iat: now(),
        exp: now() + 300,
        nonce: quirks.op.nonce,
      };
      const b = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const idToken = sign(`${b(header)}.${b(claims)}`);
      return {
        status: 200,
        body: { access_token: 'quirk-at-1234567890', token_type: 'Bearer', id_token: idToken },
      };
    };
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('accepts an ES256 userinfo JWT when userinfo_signing_alg_values_supported is missing', async () => {
    quirks.op.keys = [quirkKey('ES256')];
    quirks.op.discovery = {
      id_token_signing_alg_values_supported: undefined,
      userinfo_signing_alg_values_supported: undefined,
    };
    quirks.op.userinfo = () => ({
      status: 200,
      type: 'application/jwt',
      body: quirks.op.jwt({
        sub: 'user-1',
        iss: quirks.op.issuer,
        aud: quirks.op.clientId,
        email: 'jwt@example.test',
      }),
    });
    const id = await login(client({ claimsSource: 'userinfo' }));
    expect(id.subject).toBe('user-1');
    expect(id.claims.email).toBe('jwt@example.test');
  });

  it('a userinfo JWT signed by a foreign key is refused with a userinfo (not id_token) message', async () => {
    const foreign = quirkKey('RS256', 'k1');
    quirks.op.userinfo = () => ({
      status: 200,
      type: 'application/jwt',
      body: quirks.op.jwt({ sub: 'user-1', iss: quirks.op.issuer, aud: quirks.op.clientId }, foreign),
    });
    const err = await failure(() => login(client({ claimsSource: 'userinfo' })));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/userinfo/);
    expect(err.message).not.toMatch(/id_token/);
  });
});

describe('gateway answers at the token endpoint (fault: no status, not retryable)', () => {
  it('502 HTML on the code exchange: statusCode 502, not retryable (the login is spent): start again', async () => {
    quirks.op.token = () => ({
      status: 502,
      type: 'text/html',
      body: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
    });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(502);
    // The callback consumed the login state: repeating it cannot succeed (see attacks/callback-token-failure).
    expect(err.retryable).toBe(false);
    expect(err.hint).toMatch(/start the login again/i);
    expect(err.message).toMatch(/502/);
  });

  it('503 with Retry-After on refresh: retryAfterInMs', async () => {
    quirks.op.token = () => ({
      status: 503,
      type: 'text/html',
      headers: { 'retry-after': '30' },
      body: '<html>Service Unavailable</html>',
    });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterInMs).toBe(30_000);
  });

  it.each([
    [504, 'text/plain', 'upstream request timeout', true],
    [429, 'text/plain', 'slow down', true],
    [408, 'text/plain', 'request timeout', true],
    [500, 'text/html', '<html>oops</html>', false],
    [400, 'text/html', '<html>bad</html>', false],
  ] as const)('%i %s on refresh: statusCode kept, retryable %s', async (status, type, body, retryable) => {
    quirks.op.token = () => ({ status, type, body });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(status);
    expect(err.retryable).toBe(retryable);
  });

  it('a JSON body on 503 (temporarily_unavailable): statusCode and Retry-After kept, retryable', async () => {
    quirks.op.token = () => ({
      status: 503,
      headers: { 'retry-after': '5' },
      body: { error: 'temporarily_unavailable' },
    });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterInMs).toBe(5_000);
  });

  it('an OAuth error on 429 keeps its OAuth code, and is retryable with Retry-After', async () => {
    quirks.op.token = () => ({ status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow_down' } });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_PROVIDER_ERROR');
    expect(err.oauthError).toBe('slow_down');
    expect(err.statusCode).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterInMs).toBe(7_000);
  });
});

describe('gateway answers at discovery', () => {
  it('discovery: required and a 503 with Retry-After: ERR_DIGITAL_ID_DISCOVERY, retryable, status kept', async () => {
    quirks.op.discoveryRaw = (res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '12' }).end('<html>busy</html>');
    };
    const err = await failure(() => client({ discovery: 'required' }).metadata());
    expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
    expect(err.statusCode).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterInMs).toBe(12_000);
  });
});

describe('a discovery blip (fault: the static fallback was kept forever)', () => {
  it('retries discovery after the back-off and then uses the discovered endpoints', async () => {
    quirks.op.discoveryRaw = (res) => {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>blip</html>');
    };
    const c = client({ provider: 'thaid', issuer: quirks.op.issuer });
    const first = await c.metadata();
    expect(first.discovered).toBe(false);
    expect(first.tokenEndpoint).toBe(`${quirks.op.issuer}/api/v2/oauth2/token/`);
    quirks.op.discoveryRaw = undefined;
    const soon = await c.metadata();
    expect(soon.discovered).toBe(false); // within the back-off: no discovery storm
    const later = Date.now() + 61_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    const after = await c.metadata();
    expect(after.discovered).toBe(true);
    expect(after.tokenEndpoint).toBe(`${quirks.op.issuer}/token`);
    vi.restoreAllMocks();
    const id = await login(c);
    expect(id.subject).toBe('user-1');
    expect(quirks.op.seen.filter((s) => s.method === 'POST').at(-1)?.path).toBe('/token');
  });

  it('discovery: static never retries discovery', async () => {
    const c = client({ provider: 'thaid', issuer: quirks.op.issuer, discovery: 'static' });
    expect((await c.metadata()).discovered).toBe(false);
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000);
    const before = quirks.op.seen.length;
    expect((await c.metadata()).discovered).toBe(false);
    expect(quirks.op.seen.slice(before).some((s) => s.path.startsWith('/.well-known'))).toBe(false);
  });
});

describe('response size limit (fault: a provider body was read whole)', () => {
  const MiB = 1024 * 1024;

  function hugeDiscovery(declareLength: boolean): { written: () => number } {
    let written = 0;
    quirks.op.discoveryRaw = async (res) => {
      const head = JSON.stringify({
        issuer: quirks.op.issuer,
        authorization_endpoint: `${quirks.op.issuer}/auth`,
        token_endpoint: `${quirks.op.issuer}/token`,
        jwks_uri: `${quirks.op.issuer}/jwks`,
        response_types_supported: ['code'],
      }).slice(0, -1);
      const total = 64 * MiB;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(declareLength ? { 'content-length': String(total) } : {}),
      });
      res.write(`${head},"pad":"`);
      const chunk = Buffer.alloc(64 * 1024, 120);
      while (written < total - 2 * chunk.length && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) {
          await new Promise((r) => {
            res.once('drain', r);
            res.once('close', r);
          });
        }
      }
      if (!res.destroyed) res.end('"}');
    };
    return { written: () => written };
  }

  it.each([
    ['a declared Content-Length', true],
    ['a chunked stream', false],
  ])('a 64 MiB discovery document with %s fails before it is buffered', async (_label, declared) => {
    const huge = hugeDiscovery(declared);
    const err = await failure(() => client({ discovery: 'required' }).metadata());
    expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
    expect((err.cause as { code?: string }).code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect((err.cause as Error).message).toMatch(/larger than/);
    expect(huge.written()).toBeLessThan(16 * MiB);
  });

  it('an oversized token response fails with ERR_DIGITAL_ID_RESPONSE_INVALID', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: { access_token: 'x'.repeat(3 * MiB), token_type: 'Bearer', id_token: quirks.op.idToken() },
    });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.message).toMatch(/larger than/);
  });

  it('maxResponseBytes is configurable', async () => {
    quirks.op.discovery = { padding: 'p'.repeat(20_000) };
    expect((await client({ discovery: 'required' }).metadata()).discovered).toBe(true);
    const err = await failure(() => client({ discovery: 'required', maxResponseBytes: 8_192 }).metadata());
    expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
  });
});

describe('RFC 9207 on error responses (fault: an error without iss was mapped as genuine)', () => {
  async function errorCallback(extra: string) {
    quirks.op.discovery = { authorization_response_iss_parameter_supported: true };
    const c = client();
    const req = await c.createLoginRequest();
    return c.handleCallback(`${REDIRECT}?state=${req.state}${extra}`, { expectedState: req.state });
  }

  it.each([
    ['access_denied without iss', '&error=access_denied&error_description=cancelled'],
    ['invalid_scope without iss', '&error=invalid_scope'],
    [
      'access_denied from a foreign iss',
      `&error=access_denied&iss=${encodeURIComponent('https://evil.example')}`,
    ],
  ])('%s: ERR_DIGITAL_ID_ISSUER_MISMATCH', async (_label, extra) => {
    const err = await failure(() => errorCallback(extra));
    expect(err.code).toBe('ERR_DIGITAL_ID_ISSUER_MISMATCH');
  });

  it('an error with the right iss is still mapped (control)', async () => {
    const err = await failure(() =>
      errorCallback(`&error=access_denied&iss=${encodeURIComponent(quirks.op.issuer)}`),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_ACCESS_DENIED');
  });

  it('without the metadata flag an error without iss is mapped as before', async () => {
    const c = client();
    const req = await c.createLoginRequest();
    const err = await failure(() =>
      c.handleCallback(`${REDIRECT}?state=${req.state}&error=access_denied`, { expectedState: req.state }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_ACCESS_DENIED');
  });
});

describe('iat in the future (fault: accepted whatever its distance)', () => {
  it.each([
    ['10 minutes', 600],
    ['24 hours', 86_400],
  ])('iat %s ahead: ERR_DIGITAL_ID_CLOCK_SKEW', async (_label, ahead) => {
    quirks.op.claims = { iat: now() + ahead, exp: now() + ahead + 300 };
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_CLOCK_SKEW');
    expect(err.message).toMatch(/iat/);
    expect(err.hint).toMatch(/clockToleranceInMs/);
  });

  it('iat ahead in a refreshed id_token: ERR_DIGITAL_ID_CLOCK_SKEW', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: {
        access_token: 'quirk-refreshed-access-0123456789',
        token_type: 'Bearer',
        id_token: quirks.op.idToken({ iat: now() + 600, exp: now() + 900, nonce: undefined }),
      },
    });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_CLOCK_SKEW');
  });

  it('iat ahead within the tolerance is accepted', async () => {
    quirks.op.claims = { iat: now() + 10 };
    expect((await login(client())).subject).toBe('user-1');
    quirks.op.claims = { iat: now() + 90 };
    expect((await login(client({ clockToleranceInMs: 120_000 }))).subject).toBe('user-1');
  });
});

describe('signing key rotation (fault: an unknown kid failed as a bad signature for 60 s)', () => {
  it('an id_token with a new kid: the same login refetches the JWKS and succeeds (key-rotation-in-call.test.ts)', async () => {
    const k1 = quirkKey('RS256', 'k1');
    const k2 = quirkKey('RS256', 'k2');
    quirks.op.keys = [k1];
    const c = client();
    expect((await login(c)).subject).toBe('user-1');
    quirks.op.keys = [k1, k2];
    quirks.op.signWith = 1;
    expect((await login(c)).subject).toBe('user-1');
    expect(quirks.op.seen.filter((s) => s.path === '/jwks').length).toBeGreaterThanOrEqual(2);
  });

  it('a signature by a foreign key with a known kid stays non-retryable', async () => {
    const c = client();
    expect((await login(c)).subject).toBe('user-1');
    quirks.op.keys = [{ ...quirkKey('RS256', 'k1'), jwk: quirks.op.keys[0]!.jwk }];
    const err = await failure(() => login(c));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.retryable).toBe(false);
  });
});

describe('a userinfo 401 without a WWW-Authenticate challenge (gateways that drop the header)', () => {
  for (const [label, answer] of [
    ['an empty body', { status: 401, body: '', type: 'text/plain' }],
    ['a JSON OAuth error body', { status: 401, body: { error: 'invalid_token' } }],
    ['an HTML page', { status: 401, body: '<html><body>Unauthorized</body></html>', type: 'text/html' }],
  ] as const) {
    it(`${label}: ERR_DIGITAL_ID_INVALID_TOKEN, the access token refused`, async () => {
      quirks.op.userinfo = () => answer;
      const err = await failure(() => login(client({ claimsSource: 'userinfo' })));
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_TOKEN');
      expect(err.message).toMatch(/401/);
    });
  }
});
