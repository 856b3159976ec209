import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DgaProvider, startDgaProvider } from '../src/digital-id/dga-provider.js';
import { dgaHashSecret } from '../src/digital-id/dga-secret.js';
import { type GenericProvider, startGenericProvider } from '../src/digital-id/generic-provider.js';
import { escapeHtml } from '../src/digital-id/html.js';
import { SandboxBrowser } from '../src/digital-id/sandbox-browser.js';
import { startThaidProvider, type ThaidProvider } from '../src/digital-id/thaid-provider.js';
import { generatePopulation } from '../src/people.js';
import { startSandbox } from '../src/sandbox.js';

const population = generatePopulation({ seed: 7, people: 20, companies: 2 });
const citizen = population.people[3]!;
const REDIRECT = 'http://127.0.0.1:3000/auth/callback';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function discover(issuer: string): Promise<Record<string, string>> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string>;
}

function authUrl(
  endpoint: string,
  clientId: string,
  scope: string,
  challenge: string,
  extra: Record<string, string> = {},
): URL {
  const u = new URL(endpoint);
  u.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    state: 'st-123456',
    nonce: 'n-123456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return u;
}

describe('ThaID-like provider', () => {
  let thaid: ThaidProvider;
  beforeAll(async () => {
    thaid = await startThaidProvider({ population });
  });
  afterAll(() => thaid.close());

  it('advertises trailing-slash v2 endpoints and ES256', async () => {
    const meta = await discover(thaid.issuer);
    expect(meta.issuer).toBe(thaid.issuer);
    expect(meta.authorization_endpoint).toBe(`${thaid.issuer}/api/v2/oauth2/auth/`);
    expect(meta.token_endpoint).toBe(`${thaid.issuer}/api/v2/oauth2/token/`);
    expect(meta.jwks_uri).toBe(`${thaid.issuer}/api/v2/oauth2/jwks/`);
    expect(meta.introspection_endpoint).toBe(`${thaid.issuer}/api/v2/oauth2/introspect/`);
    expect(meta.revocation_endpoint).toBe(`${thaid.issuer}/api/v2/oauth2/revoke/`);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(thaid.clients.default.clientId.endsWith('=')).toBe(true);
  });

  it('logs a citizen in; profile claims in an ES256 id_token; sub = citizen ID; API key enforced', async () => {
    const meta = await discover(thaid.issuer);
    const { verifier, challenge } = pkce();
    const c = thaid.clients.default;
    const outcome = await new SandboxBrowser().login(
      authUrl(
        meta.authorization_endpoint!,
        c.clientId,
        'openid pid given_name family_name given_name_en birthdate',
        challenge,
      ),
      { citizenId: citizen.citizenId },
    );
    expect(outcome.kind).toBe('redirect');
    const cb = new URL(outcome.kind === 'redirect' ? outcome.url : '');
    expect(cb.origin + cb.pathname).toBe(REDIRECT);
    expect(cb.searchParams.get('state')).toBe('st-123456');
    expect(cb.searchParams.get('iss')).toBe(thaid.issuer);
    const code = cb.searchParams.get('code')!;
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    const noKey = await fetch(meta.token_endpoint!, { method: 'POST', body });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: string }).error).toBe('invalid_client');
    const res = await fetch(meta.token_endpoint!, {
      method: 'POST',
      body,
      headers: { 'x-imauth-apikey': thaid.apiKey },
    });
    const tokens = (await res.json()) as Record<string, string>;
    expect(res.status).toBe(200);
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    const claims = decodeJwt(tokens.id_token!);
    expect(claims.sub).toBe(citizen.citizenId);
    expect(claims.pid).toBe(citizen.citizenId);
    expect(claims.given_name).toBe(citizen.firstName.th);
    expect(claims.given_name_en).toBe(citizen.firstName.en);
    expect(claims.birthdate).toBe(citizen.birthDate);
    expect(claims.nonce).toBe('n-123456');
  });

  it('rejects a scope the client is not approved for with invalid_scope', async () => {
    const meta = await discover(thaid.issuer);
    const c = thaid.clients.restricted;
    const outcome = await new SandboxBrowser().login(
      authUrl(meta.authorization_endpoint!, c.clientId, 'openid pid address', pkce().challenge),
      { citizenId: citizen.citizenId },
    );
    expect(outcome.kind).toBe('redirect');
    const cb = new URL(outcome.kind === 'redirect' ? outcome.url : '');
    expect(cb.searchParams.get('error')).toBe('invalid_scope');
  });

  it('shows an error page (no redirect) for an unregistered redirect_uri', async () => {
    const meta = await discover(thaid.issuer);
    const u = authUrl(
      meta.authorization_endpoint!,
      thaid.clients.default.clientId,
      'openid pid',
      pkce().challenge,
    );
    u.searchParams.set('redirect_uri', 'http://127.0.0.1:3000/evil');
    const outcome = await new SandboxBrowser().login(u, { citizenId: citizen.citizenId });
    expect(outcome.kind).toBe('error-page');
    expect(outcome.kind === 'error-page' && outcome.error).toBe('invalid_redirect_uri');
  });
});

describe('DGA-like provider', () => {
  let dga: DgaProvider;
  beforeAll(async () => {
    dga = await startDgaProvider({ population });
  });
  afterAll(() => dga.close());

  it('sends an unregistered redirect_uri or an unknown client to its error page, as IdentityServer does', async () => {
    const meta = await discover(dga.issuer);
    const c = dga.clients.default;
    const wrongRedirect = authUrl(
      meta.authorization_endpoint!,
      c.clientId,
      'openid profile',
      pkce().challenge,
    );
    wrongRedirect.searchParams.set('redirect_uri', 'http://127.0.0.1:3000/evil');
    const unknownClient = authUrl(meta.authorization_endpoint!, 'no-such-client', 'openid', pkce().challenge);
    for (const [u, error] of [
      [wrongRedirect, 'invalid_redirect_uri'],
      [unknownClient, 'invalid_client'],
    ] as const) {
      // The authorization request's own answer is a redirect to /home/error?errorId=…, never to the app.
      const first = await fetch(u, { redirect: 'manual' });
      expect(first.status).toBe(302);
      const to = new URL(first.headers.get('location') ?? '', u);
      expect(to.origin).toBe(new URL(dga.issuer).origin);
      expect(to.pathname).toBe('/home/error');
      expect(to.searchParams.get('errorId')).toMatch(/^[\w-]{16,}$/);
      const outcome = await new SandboxBrowser().login(u, { citizenId: citizen.citizenId });
      expect(outcome).toMatchObject({ kind: 'error-page', status: 200, error });
    }
    // An errorId the provider never issued shows the page without any detail.
    const unknown = await fetch(`${dga.issuer}/home/error?errorId=forged`);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).not.toContain('id="error"');
  });

  it('hashes the secret in seven md5 rounds', () => {
    let h = 'abc';
    for (let i = 0; i < 7; i++) h = createHash('md5').update(`${h}EGA`).digest('hex');
    expect(dgaHashSecret('abc')).toBe(h);
    expect(dgaHashSecret('abc')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('logs in with IdentityServer paths, RS256, claims only from userinfo, hashed secret, _url logout', async () => {
    const meta = await discover(dga.issuer);
    expect(meta.authorization_endpoint).toBe(`${dga.issuer}/connect/authorize`);
    expect(meta.end_session_endpoint).toBe(`${dga.issuer}/connect/endsession`);
    const c = dga.clients.default;
    const browser = new SandboxBrowser();
    const { verifier, challenge } = pkce();
    const outcome = await browser.login(
      authUrl(meta.authorization_endpoint!, c.clientId, 'openid profile citizen_id', challenge),
      {
        citizenId: citizen.citizenId,
      },
    );
    const cb = new URL(outcome.kind === 'redirect' ? outcome.url : 'http://x/');
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: cb.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    const raw = await fetch(meta.token_endpoint!, {
      method: 'POST',
      body,
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
      },
    });
    expect(raw.status).toBe(401);
    const hashed = dgaHashSecret(c.clientSecret);
    const res = await fetch(meta.token_endpoint!, {
      method: 'POST',
      body,
      headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${hashed}`).toString('base64')}` },
    });
    // Client authentication fails before the code is looked up, so the same code still works here.
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Record<string, string>;
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const idClaims = decodeJwt(tokens.id_token!);
    expect(idClaims.citizen_id).toBeUndefined();
    expect(idClaims.sub).not.toBe(citizen.citizenId);
    const ui = (await (
      await fetch(meta.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json()) as Record<string, unknown>;
    expect(ui.sub).toBe(idClaims.sub);
    expect(ui.citizen_id).toBe(citizen.citizenId);
    expect(ui.given_name).toBe(citizen.firstName.th);

    const logout = new URL(meta.end_session_endpoint!);
    logout.search = new URLSearchParams({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_url: 'http://127.0.0.1:3000/',
      state: 'bye',
    }).toString();
    const out = await browser.logout(logout);
    expect(out).toEqual({ kind: 'redirect', url: 'http://127.0.0.1:3000/?state=bye' });
  });
});

describe('generic provider', () => {
  let generic: GenericProvider;
  beforeAll(async () => {
    generic = await startGenericProvider({ population });
  });
  afterAll(() => generic.close());

  it('advertises PAR and DPoP', async () => {
    const meta = (await discover(generic.issuer)) as Record<string, unknown>;
    expect(meta.pushed_authorization_request_endpoint).toBeTypeOf('string');
    expect(meta.dpop_signing_alg_values_supported).toBeInstanceOf(Array);
  });

  it('accepts a client registered at run time', async () => {
    generic.registerClient({
      client_id: 'late-client',
      client_secret: 'late-client-secret-1',
      redirect_uris: ['http://127.0.0.1:4999/cb'],
    });
    const meta = await discover(generic.issuer);
    const u = new URL(meta.authorization_endpoint!);
    u.search = new URLSearchParams({
      client_id: 'late-client',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:4999/cb',
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }).toString();
    const outcome = await new SandboxBrowser().login(u, { citizenId: citizen.citizenId });
    expect(outcome.kind === 'redirect' && new URL(outcome.url).searchParams.has('code')).toBe(true);
  });

  it('lets the citizen cancel: access_denied', async () => {
    const meta = await discover(generic.issuer);
    const c = generic.clients.default;
    const outcome = await new SandboxBrowser().login(
      authUrl(meta.authorization_endpoint!, c.clientId, 'openid', pkce().challenge),
      {
        citizenId: citizen.citizenId,
        cancel: true,
      },
    );
    expect(outcome.kind === 'redirect' && new URL(outcome.url).searchParams.get('error')).toBe(
      'access_denied',
    );
  });
});

describe('login page under hostile input', () => {
  let thaid: ThaidProvider;
  beforeAll(async () => {
    thaid = await startThaidProvider({ population });
  });
  afterAll(() => thaid.close());

  async function interactionPath(): Promise<{ path: string; cookie: string }> {
    const meta = await discover(thaid.issuer);
    const res = await fetch(
      authUrl(meta.authorization_endpoint!, thaid.clients.default.clientId, 'openid', pkce().challenge),
      {
        redirect: 'manual',
      },
    );
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { path: res.headers.get('location')!, cookie };
  }

  it('an unknown or expired login session: 400, no crash', async () => {
    const res = await fetch(`${thaid.url}/interaction/abcdefABCDEF123456`);
    expect(res.status).toBe(400);
  });

  it('an unknown citizen ID: 400 with the picker again', async () => {
    const { path, cookie } = await interactionPath();
    const res = await fetch(`${thaid.url}${path}/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'citizenId=1234567890123',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('id="login-error"');
  });

  it('an oversized form: 413', async () => {
    const { path, cookie } = await interactionPath();
    const res = await fetch(`${thaid.url}${path}/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `citizenId=${'1'.repeat(100_000)}`,
    });
    expect(res.status).toBe(413);
  });

  it('escapes HTML in values shown on its pages', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
  });

  it('serves the login page with a strict CSP and no script', async () => {
    const meta = await discover(thaid.issuer);
    const u = authUrl(
      meta.authorization_endpoint!,
      thaid.clients.default.clientId,
      'openid',
      pkce().challenge,
    );
    const res = await fetch(u, { redirect: 'manual' });
    const page = await fetch(`${thaid.url}${res.headers.get('location')}`, {
      headers: {
        cookie: res.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).not.toContain('<script');
  });
});

describe('startSandbox wiring', () => {
  it('starts both providers on the sandbox population and closes them', async () => {
    const sandbox = await startSandbox({ seed: 5, population: { people: 12, companies: 1 } });
    let thaidIssuer = '';
    try {
      thaidIssuer = sandbox.thaid.issuer;
      expect((await discover(sandbox.dga.issuer)).token_endpoint).toBe(`${sandbox.dga.issuer}/connect/token`);
      const meta = await discover(sandbox.thaid.issuer);
      const person = sandbox.population.people[0]!;
      const outcome = await new SandboxBrowser().login(
        authUrl(
          meta.authorization_endpoint!,
          sandbox.thaid.clients.default.clientId,
          'openid pid',
          pkce().challenge,
        ),
        { citizenId: person.citizenId },
      );
      expect(outcome.kind === 'redirect' && new URL(outcome.url).searchParams.has('code')).toBe(true);
    } finally {
      await sandbox.close();
    }
    await expect(fetch(`${thaidIssuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
