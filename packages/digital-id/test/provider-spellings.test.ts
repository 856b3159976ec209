import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type DigitalIdClient, type DigitalIdClientOptions, dgaHashSecret } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, quirkKey, useQuirkProvider } from './quirk-provider.js';

/**
 * Spellings real providers send that a spec-perfect one does not: a citizen ID with dashes or spaces, an
 * `error_description` that is not a string, an OAuth error inside an HTTP 200, an error body labelled
 * text/plain, claims of the wrong JSON type, JWKS without `kid`. Each is accepted when it is safe and means
 * the same thing, or refused with a typed error that names it; never a crash, never a leaked code.
 */

const quirks = useQuirkProvider();

const client = (overrides: Partial<DigitalIdClientOptions> = {}) =>
  quirkClient(quirks.op, quirks.clients, overrides);
const CODE = 'quirk-code-0123456789';
/** A valid citizen ID (check digit right) in its three spellings. */
const CITIZEN_ID = '1234567890121';
const DASHED = '1-2345-67890-12-1';
const SPACED = '1 2345 67890 12 1';

async function login(c: DigitalIdClient) {
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=${CODE}&state=${req.state}`, { expectedState: req.state });
}

/** Everything a logger could print of an error. */
function everything(err: Error): string {
  return [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.stack)].join('\n');
}

describe('a citizen ID spelled with dashes or spaces (fault: kept as sent, and a false userinfo mismatch)', () => {
  it.each([DASHED, SPACED, CITIZEN_ID])('ThaID pid %s: citizenId is the 13 digits', async (pid) => {
    quirks.op.claims = { pid };
    const id = await login(client({ provider: 'thaid', issuer: quirks.op.issuer }));
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it('DGA userinfo citizen_id with dashes: citizenId is the 13 digits', async () => {
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', citizen_id: DASHED } });
    const id = await login(client({ provider: 'dga', issuer: quirks.op.issuer, claimsSource: 'userinfo' }));
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it.each([
    ['pid', DASHED, CITIZEN_ID],
    ['pid', CITIZEN_ID, SPACED],
    ['citizen_id', CITIZEN_ID, DASHED],
  ])('the same %s spelled %s in the id_token and %s in userinfo is the same person', async (claim, a, b) => {
    quirks.op.claims = { [claim]: a };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', [claim]: b } });
    const id = await login(client({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' }));
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it('another citizen ID in userinfo, however spelled, is still refused', async () => {
    quirks.op.claims = { pid: DASHED };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: '3-1017-00000-00-1' } });
    const err = await failure(() =>
      login(client({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' })),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
    expect(everything(err)).not.toContain(CITIZEN_ID);
  });
});

describe('an error_description that is not a string (fault: an untyped TypeError)', () => {
  it.each([
    ['an object', { message: `code ${CODE} was used` }],
    ['a number', 42],
    ['an array', ['bad', CODE]],
    ['null', null],
  ])(
    'error_description as %s: ERR_DIGITAL_ID_INVALID_GRANT, no code in clear',
    async (_label, description) => {
      quirks.op.token = () => ({
        status: 400,
        body: { error: 'invalid_grant', error_description: description },
      });
      const err = await failure(() => login(client()));
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
      expect(err.oauthError).toBe('invalid_grant');
      expect(err.statusCode).toBe(400);
      expect(everything(err)).not.toContain(CODE);
    },
  );

  it('on refresh too: an object error_description is a typed error', async () => {
    quirks.op.token = () => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: { reason: 'revoked' } },
    });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
  });
});

describe('an OAuth error inside an HTTP 200 (fault: reported as a bare invalid response)', () => {
  it('200 {error: invalid_grant} on the code exchange: ERR_DIGITAL_ID_INVALID_GRANT, code masked', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: { error: 'invalid_grant', error_description: `authorization code ${CODE} already used` },
    });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(err.oauthError).toBe('invalid_grant');
    expect(err.message).toMatch(/invalid_grant/);
    expect(everything(err)).not.toContain(CODE);
  });

  it('200 {error: invalid_client} on refresh: ERR_DIGITAL_ID_INVALID_CLIENT', async () => {
    quirks.op.token = () => ({ status: 200, body: { error: 'invalid_client' } });
    const err = await failure(() => client().refresh('quirk-refresh-token-0123456789'));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
  });

  it('a 200 without access_token and without error stays ERR_DIGITAL_ID_RESPONSE_INVALID', async () => {
    quirks.op.token = () => ({ status: 200, body: { token_type: 'Bearer' } });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.oauthError).toBeUndefined();
  });
});

describe('an OAuth error body labelled other than application/json (fault: its error code was lost)', () => {
  it.each(['text/plain', 'text/html; charset=UTF-8', 'application/octet-stream'])(
    '400 invalid_grant as %s: ERR_DIGITAL_ID_INVALID_GRANT',
    async (type) => {
      quirks.op.token = () => ({
        status: 400,
        type,
        body: { error: 'invalid_grant', error_description: `code ${CODE} expired` },
      });
      const err = await failure(() => login(client()));
      expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
      expect(err.statusCode).toBe(400);
      expect(everything(err)).not.toContain(CODE);
    },
  );

  it('a 400 HTML page stays ERR_DIGITAL_ID_RESPONSE_INVALID with its status', async () => {
    quirks.op.token = () => ({ status: 400, type: 'text/html', body: `<html>bad request ${CODE}</html>` });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(400);
  });

  it('a 200 token response labelled text/plain is still accepted (control)', async () => {
    quirks.op.token = () => ({
      status: 200,
      type: 'text/plain',
      body: { access_token: 'quirk-access-0123456789', token_type: 'Bearer', id_token: quirks.op.idToken() },
    });
    expect((await login(client())).subject).toBe('user-1');
  });
});

describe('id_token claims of the wrong JSON type (fault: reported as a bare invalid response)', () => {
  it.each([
    ['auth_time as a string', { auth_time: String(Math.floor(Date.now() / 1000)) }],
    ['sub as a number', { sub: 1234567890121 }],
    ['exp as a string', { exp: String(Math.floor(Date.now() / 1000) + 300) }],
  ])('%s: ERR_DIGITAL_ID_ID_TOKEN_INVALID, no citizen ID in clear', async (_label, claims) => {
    quirks.op.claims = claims;
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(everything(err)).not.toContain(CITIZEN_ID);
  });
});

describe('JWKS without kid', () => {
  it('one key without kid, id_token without kid: accepted', async () => {
    quirks.op.keys = [quirkKey('ES256', '')];
    expect((await login(client())).subject).toBe('user-1');
  });

  it('several keys without kid, id_token without kid: typed, says the kid is missing, not a bad signature', async () => {
    quirks.op.keys = [quirkKey('RS256', ''), quirkKey('RS256', '')];
    quirks.op.signWith = 1;
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/kid/);
    expect(err.retryable).toBe(false);
  });

  it('a kid the JWKS lacks: one JWKS refetch, then the same typed error (no refetch loop)', async () => {
    quirks.op.keys = [quirkKey('RS256', 'signing')];
    quirks.op.jwksKeys = () => [quirkKey('RS256', 'published')];
    const c = client();
    for (let i = 0; i < 4; i++) {
      const err = await failure(() => login(c));
      expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    }
    expect(quirks.op.seen.filter((s) => s.path === '/jwks').length).toBe(2);
  });

  it('an enc key and an EC key beside the RSA signing key with the same kid: the right key is chosen', async () => {
    const rsa = quirkKey('RS256', 'same');
    const ec = quirkKey('ES256', 'same');
    const enc = quirkKey('RS256', 'same');
    quirks.op.keys = [rsa];
    quirks.op.jwksKeys = () => [{ ...enc, jwk: { ...enc.jwk, use: 'enc', alg: 'RSA-OAEP' } }, ec, rsa];
    expect((await login(client())).subject).toBe('user-1');
  });

  it('a JWKS that answers 503 once: typed, start again (the callback is spent), the next login succeeds', async () => {
    let n = 0;
    quirks.op.jwksRaw = (res) => {
      n++;
      if (n === 1) res.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>');
      else
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: quirks.op.keys.map((k) => k.jwk) }));
    };
    const c = client();
    const err = await failure(() => login(c));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.statusCode).toBe(503);
    expect(err.retryable).toBe(false);
    expect(err.hint).toMatch(/start the login again/i);
    expect((await login(c)).subject).toBe('user-1');
  });
});

describe('token response spellings accepted as they mean the same', () => {
  it.each([
    ['expires_in as a string', { expires_in: '3600' }],
    ['token_type lowercase', { token_type: 'bearer' }],
    ['token_type uppercase', { token_type: 'BEARER' }],
    ['no scope, unknown fields', { scope: undefined, unknown_field: { nested: true } }],
  ])('%s', async (_label, extra) => {
    quirks.op.token = () => ({
      status: 200,
      body: {
        access_token: 'quirk-access-0123456789',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: quirks.op.idToken(),
        ...extra,
      },
    });
    const id = await login(client());
    expect(id.tokens.tokenType).toBe('bearer');
    expect(id.tokens.expiresAt).toBeInstanceOf(Date);
  });

  it('a refresh answer without id_token (allowed by OIDC Core §12.2)', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: {
        access_token: 'quirk-access-0123456789',
        token_type: 'Bearer',
        refresh_token: 'quirk-rt-0123456789',
      },
    });
    const t = await client().refresh('quirk-refresh-token-0123456789');
    expect(t.idToken).toBeUndefined();
    expect(t.refreshToken).toBe('quirk-rt-0123456789');
  });
});

describe('media types spelled in another case or with spaces (fault: refused as not JSON / not a JWT)', () => {
  it.each(['Application/JWT', 'application/jwt ; charset=utf-8', 'APPLICATION/JWT'])(
    'a signed userinfo as %s is validated as a JWT',
    async (type) => {
      quirks.op.userinfo = () => ({
        status: 200,
        type,
        body: quirks.op.jwt({
          sub: 'user-1',
          iss: quirks.op.issuer,
          aud: quirks.op.clientId,
          email: 'jwt@example.test',
        }),
      });
      const id = await login(client({ claimsSource: 'userinfo' }));
      expect(id.claims.email).toBe('jwt@example.test');
    },
  );

  it('an unsigned userinfo JWT labelled Application/JWT is still refused', async () => {
    const b = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    quirks.op.userinfo = () => ({
      status: 200,
      type: 'Application/JWT',
      body: `${b({ alg: 'none' })}.${b({ sub: 'user-1', email: 'forged@example.test' })}.`,
    });
    const err = await failure(() => login(client({ claimsSource: 'userinfo' })));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/userinfo/);
  });

  it('a 400 invalid_grant labelled "Application/JSON ; charset=UTF-8": ERR_DIGITAL_ID_INVALID_GRANT', async () => {
    quirks.op.token = () => ({
      status: 400,
      type: 'Application/JSON ; charset=UTF-8',
      body: { error: 'invalid_grant' },
    });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
  });
});

describe('an expires_in beyond any date (fault: expiresAt was an Invalid Date)', () => {
  it.each([1e13, '1e13', 1e20])('expires_in %s: no Invalid Date in the token set', async (expiresIn) => {
    quirks.op.token = () => ({
      status: 200,
      body: {
        access_token: 'quirk-access-0123456789',
        token_type: 'Bearer',
        expires_in: expiresIn,
        id_token: quirks.op.idToken(),
      },
    });
    const id = await login(client());
    const at = id.tokens.expiresAt;
    if (at !== undefined) expect(Number.isNaN(at.getTime())).toBe(false);
    expect(() => JSON.stringify(id.tokens)).not.toThrow();
  });
});

describe('claims nested beyond any real profile (fault: an identity JSON.stringify throws on)', () => {
  /** A validly signed id_token whose `deep` claim is an array nested `depth` levels (built as text). */
  function deepIdToken(depth: number): string {
    const now = Math.floor(Date.now() / 1000);
    const head = JSON.stringify({
      iss: quirks.op.issuer,
      aud: quirks.op.clientId,
      sub: 'user-1',
      iat: now,
      exp: now + 300,
      nonce: quirks.op.nonce,
    });
    return quirks.op.jwtText(`${head.slice(0, -1)},"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`);
  }

  it('an id_token claim nested 20 000 levels: ERR_DIGITAL_ID_ID_TOKEN_INVALID', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: { access_token: 'quirk-access-0123456789', token_type: 'Bearer', id_token: deepIdToken(20_000) },
    });
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/nested/);
  });

  it('a userinfo claim nested 20 000 levels: ERR_DIGITAL_ID_RESPONSE_INVALID', async () => {
    quirks.op.userinfo = () => ({
      status: 200,
      body: `{"sub":"user-1","deep":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`,
    });
    const err = await failure(() => login(client({ claimsSource: 'userinfo' })));
    expect(err.code).toBe('ERR_DIGITAL_ID_RESPONSE_INVALID');
    expect(err.message).toMatch(/nested/);
  });

  it('an address claim (two levels) and a 30-level claim are accepted (control)', async () => {
    quirks.op.token = () => ({
      status: 200,
      body: { access_token: 'quirk-access-0123456789', token_type: 'Bearer', id_token: deepIdToken(30) },
    });
    quirks.op.claims = { address: { formatted: '1 ถนน', country: 'TH' } };
    const id = await login(client());
    expect(() => JSON.stringify(id)).not.toThrow();
  });
});

describe('discovery spellings (regression guards)', () => {
  const document = () =>
    JSON.stringify({
      issuer: quirks.op.issuer,
      authorization_endpoint: `${quirks.op.issuer}/auth`,
      token_endpoint: `${quirks.op.issuer}/token`,
      jwks_uri: `${quirks.op.issuer}/jwks`,
      response_types_supported: ['code'],
    });

  it.each([
    ['application/json; charset=UTF-8', ''],
    ['text/plain', ''],
    ['Application/JSON', ''],
    ['application/json', '\uFEFF'],
  ])('served as %s (prefix %j), without the optional lists: discovered', async (type, prefix) => {
    quirks.op.discoveryRaw = (res) => {
      res.writeHead(200, { 'content-type': type }).end(`${prefix}${document()}`);
    };
    const c = client({ discovery: 'required' });
    expect((await c.metadata()).discovered).toBe(true);
    expect((await login(c)).subject).toBe('user-1');
  });

  it.each([301, 302, 307, 308])(
    'a %i redirect: ERR_DIGITAL_ID_DISCOVERY with the status (not followed)',
    async (status) => {
      quirks.op.discoveryRaw = (res) => {
        res
          .writeHead(status, { location: `${quirks.op.issuer}/elsewhere/.well-known/openid-configuration` })
          .end();
      };
      const err = await failure(() => client({ discovery: 'required' }).metadata());
      expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
      expect(err.statusCode).toBe(status);
      expect(quirks.op.seen.some((s) => s.path.startsWith('/elsewhere'))).toBe(false);
    },
  );

  it('an issuer with a trailing slash in discovery and in the id_token: accepted', async () => {
    quirks.op.discovery = { issuer: `${quirks.op.issuer}/` };
    quirks.op.claims = { iss: `${quirks.op.issuer}/` };
    expect((await login(client())).subject).toBe('user-1');
  });

  it('discovery says "host/" but the id_token "host": ERR_DIGITAL_ID_ISSUER_MISMATCH (exact match kept)', async () => {
    quirks.op.discovery = { issuer: `${quirks.op.issuer}/` };
    const err = await failure(() => login(client()));
    expect(err.code).toBe('ERR_DIGITAL_ID_ISSUER_MISMATCH');
  });
});

describe('DGA: hashed secret, a client_id ending in "=", the logout parameter (regression guards)', () => {
  const clientId = 'dga-consumer-key==';
  const raw = 'dga-raw-consumer-secret';

  it('Basic carries form(client_id):md5x7(secret); an echoed header is masked', async () => {
    let authorization = '';
    quirks.op.token = (_form, headers) => {
      authorization = String(headers.authorization);
      return { status: 401, body: { error: 'invalid_client', error_description: `bad ${authorization}` } };
    };
    const c = client({ provider: 'dga', issuer: quirks.op.issuer, clientId, clientSecret: raw });
    const err = await failure(() => login(c));
    expect(err.code).toBe('ERR_DIGITAL_ID_INVALID_CLIENT');
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString();
    expect(decoded).toBe(`dga%2Dconsumer%2Dkey%3D%3D:${dgaHashSecret(raw)}`);
    const text = everything(err);
    for (const secret of [raw, dgaHashSecret(raw), authorization.slice('Basic '.length)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('the end-session URL uses post_logout_redirect_url and keeps the endpoint query', async () => {
    quirks.op.discovery = { end_session_endpoint: `${quirks.op.issuer}/connect/endsession?ui_locales=th` };
    const url = new URL(
      await client({ provider: 'dga', issuer: quirks.op.issuer, clientId, clientSecret: raw }).logoutUrl({
        postLogoutRedirectUri: 'https://eservice.example.go.th/bye',
        state: 'after-logout',
      }),
    );
    expect(url.searchParams.get('post_logout_redirect_url')).toBe('https://eservice.example.go.th/bye');
    expect(url.searchParams.has('post_logout_redirect_uri')).toBe(false);
    expect(url.searchParams.get('ui_locales')).toBe('th');
    expect(url.searchParams.get('client_id')).toBe(clientId);
    expect(url.searchParams.get('state')).toBe('after-logout');
  });
});
