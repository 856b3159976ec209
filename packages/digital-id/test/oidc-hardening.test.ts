import { describe, expect, it } from 'vitest';
import type { DigitalIdClient, DigitalIdClientOptions } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

/**
 * What an attacker (or a provider that is not what it should be) tries against the relying party: a login
 * CSRF through the shared state store, max_age and acr_values the client forgets to enforce, a refreshed
 * id_token for someone else, userinfo overriding the verified id_token, an azp naming another client, and
 * hostile logout and error_description input. Each against a real provider on 127.0.0.1.
 */

const quirks = useQuirkProvider();

const CITIZEN_A = '3100100000006';
const CITIZEN_B = '3100100000014';
const now = () => Math.floor(Date.now() / 1000);

const client = (overrides: Partial<DigitalIdClientOptions> = {}) =>
  quirkClient(quirks.op, quirks.clients, overrides);

async function start(c: DigitalIdClient, input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {}) {
  const req = await c.createLoginRequest(input);
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return { req, url: `${REDIRECT}?code=quirk-code-0123456789&state=${req.state}` };
}

async function login(c: DigitalIdClient, input: Parameters<DigitalIdClient['createLoginRequest']>[0] = {}) {
  const { req, url } = await start(c, input);
  return c.handleCallback(url, { expectedState: req.state });
}

/** Token responses with a refresh token; a refresh grant answers with an id_token carrying `refreshClaims`. */
function withRefresh(refreshClaims: Record<string, unknown>): void {
  quirks.op.token = (form) => ({
    status: 200,
    body: {
      access_token: `quirk-access-${Math.random().toString(36).slice(2)}`,
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: 'quirk-refresh-token-0123456789',
      id_token:
        form.get('grant_type') === 'refresh_token' ? quirks.op.idToken(refreshClaims) : quirks.op.idToken(),
    },
  });
}

describe('F1 login CSRF: the callback must be bound to the session', () => {
  it('refuses a callback without expectedState (state only in the shared store): ERR_DIGITAL_ID_STATE_MISMATCH', async () => {
    const c = client();
    // The attacker started this login and hands the victim its callback URL; the victim's session has no state.
    const { url } = await start(c);
    const noOptions = c.handleCallback as (u: string, o?: object) => Promise<unknown>;
    for (const options of [undefined, {}, { expectedState: undefined }, { expectedState: '' }]) {
      const err = await failure(() => noOptions.call(c, url, options));
      expect(err.code).toBe('ERR_DIGITAL_ID_STATE_MISMATCH');
      expect(err.hint).toMatch(/own session/);
    }
    // The refusal did not burn the state: with the session's state the same callback completes.
    const state = new URL(url).searchParams.get('state') ?? '';
    await expect(c.handleCallback(url, { expectedState: state })).resolves.toMatchObject({
      subject: 'user-1',
    });
  });
});

describe('F2 max_age through extraParameters', () => {
  it('enforces max_age sent as an extra parameter: an old auth_time is refused', async () => {
    quirks.op.claims = { auth_time: now() - 3600 };
    const err = await failure(() => login(client(), { extraParameters: { max_age: '60' } }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('refuses a max_age that is not a number of seconds', async () => {
    const err = await failure(() => client().createLoginRequest({ extraParameters: { max_age: '1e3' } }));
    expect(err.code).toBe('ERR_INVALID_ARG');
  });
});

describe('F3 acr_values', () => {
  it('refuses an id_token whose acr is not one requested: ERR_DIGITAL_ID_ID_TOKEN_INVALID', async () => {
    quirks.op.claims = { acr: 'urn:ial:1' };
    const err = await failure(() => login(client(), { acrValues: 'urn:ial:3 urn:ial:2' }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/acr/);
  });

  it('refuses an id_token without acr when acr_values was requested (also as an extra parameter)', async () => {
    expect((await failure(() => login(client(), { acrValues: 'urn:ial:3' }))).code).toBe(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
    );
    const extra = { extraParameters: { acr_values: 'urn:ial:3' } };
    expect((await failure(() => login(client(), extra))).code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('accepts a requested acr and exposes it on the identity', async () => {
    quirks.op.claims = { acr: 'urn:ial:2' };
    const identity = await login(client(), { acrValues: 'urn:ial:3 urn:ial:2' });
    expect(identity.acr).toBe('urn:ial:2');
  });
});

describe('F4 refresh keeps the original login (OIDC Core §12.2)', () => {
  it.each([
    ['another sub', { sub: 'someone-else' }, 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['a changed auth_time', { auth_time: 12345 }, 'ERR_DIGITAL_ID_ID_TOKEN_INVALID'],
    ['another nonce', { nonce: 'not-the-login-nonce' }, 'ERR_DIGITAL_ID_NONCE_MISMATCH'],
    ['an azp for another client', { azp: 'other-client' }, 'ERR_DIGITAL_ID_AUDIENCE_MISMATCH'],
  ])('refuses a refreshed id_token with %s when the original is given', async (_label, claims, code) => {
    quirks.op.claims = { auth_time: now() - 60 };
    withRefresh(claims);
    const c = client();
    const identity = await login(c);
    const rt = identity.tokens.refreshToken ?? '';
    const err = await failure(() => c.refresh(rt, { originalIdToken: identity.tokens.idToken }));
    expect(err.code).toBe(code);
    // The claims (identity.claims) do as well as the id_token itself.
    expect((await failure(() => c.refresh(rt, { originalIdToken: identity.claims }))).code).toBe(code);
  });

  it('accepts a refreshed id_token for the same login', async () => {
    quirks.op.claims = { auth_time: now() - 60 };
    withRefresh({});
    const c = client();
    const identity = await login(c);
    const tokens = await c.refresh(identity.tokens.refreshToken ?? '', {
      originalIdToken: identity.tokens.idToken,
    });
    expect(tokens.idToken).toBeDefined();
  });

  it('refuses an azp for another client even without the original: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    withRefresh({ azp: 'other-client' });
    const c = client();
    const identity = await login(c);
    const err = await failure(() => c.refresh(identity.tokens.refreshToken ?? ''));
    expect(err.code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });
});

describe('F5 userinfo never overrides the verified id_token', () => {
  it('keeps the id_token protocol claims over userinfo ones', async () => {
    quirks.op.claims = { acr: 'urn:ial:2', auth_time: now() - 30 };
    quirks.op.userinfo = () => ({
      status: 200,
      body: {
        sub: 'user-1',
        iss: 'https://evil.example',
        aud: 'other-client',
        azp: 'other-client',
        acr: 'urn:ial:3',
        auth_time: 1,
        nonce: 'x',
        email: 'someone@example.test',
      },
    });
    const identity = await login(client({ claimsSource: 'both' }));
    expect(identity.claims.iss).toBe(quirks.op.issuer);
    expect(identity.claims.aud).toBe(quirks.op.clientId);
    expect(identity.claims.azp).toBeUndefined();
    expect(identity.claims.acr).toBe('urn:ial:2');
    expect(identity.claims.auth_time).not.toBe(1);
    expect(identity.claims.nonce).toBe(quirks.op.nonce);
    expect(identity.claims.email).toBe('someone@example.test');
  });

  it.each([
    ['pid', 'pid'],
    ['citizen_id', 'citizen_id'],
    ['pid', 'citizen_id'],
  ])(
    'refuses an id_token %s that differs from the userinfo %s: ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH',
    async (inToken, inUserinfo) => {
      quirks.op.claims = { [inToken]: CITIZEN_A };
      quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', [inUserinfo]: CITIZEN_B } });
      const err = await failure(() => login(client({ claimsSource: 'both' })));
      expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
      const text = `${err.message} ${err.hint} ${JSON.stringify(err)}`;
      expect(text).not.toContain(CITIZEN_A);
      expect(text).not.toContain(CITIZEN_B);
    },
  );

  it('accepts the same citizen ID in both', async () => {
    quirks.op.claims = { pid: CITIZEN_A };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: CITIZEN_A } });
    expect((await login(client({ claimsSource: 'both' }))).citizenId).toBe(CITIZEN_A);
  });
});

describe('F6 azp', () => {
  it('refuses a single-audience id_token whose azp names another client: ERR_DIGITAL_ID_AUDIENCE_MISMATCH', async () => {
    quirks.op.claims = { azp: 'other-client' };
    expect((await failure(() => login(client()))).code).toBe('ERR_DIGITAL_ID_AUDIENCE_MISMATCH');
  });
});

describe('F7 hostile logout and error input', () => {
  it.each(['javascript:alert(1)', '//evil.example', 'data:text/html,x', '/relative'])(
    'refuses postLogoutRedirectUri %s: ERR_INVALID_ARG',
    async (uri) => {
      quirks.op.discovery = { end_session_endpoint: `${quirks.op.issuer}/logout` };
      const err = await failure(() => client().logoutUrl({ postLogoutRedirectUri: uri }));
      expect(err.code).toBe('ERR_INVALID_ARG');
    },
  );

  it('accepts an absolute https postLogoutRedirectUri', async () => {
    quirks.op.discovery = { end_session_endpoint: `${quirks.op.issuer}/logout` };
    const url = await client().logoutUrl({ postLogoutRedirectUri: 'https://agency.example/bye' });
    expect(new URL(url).searchParams.get('post_logout_redirect_uri')).toBe('https://agency.example/bye');
  });

  it('strips CR/LF and other characters outside RFC 6749 from error_description, and caps it', async () => {
    const c = client();
    const { req } = await start(c);
    const description = `x\r\nFAKE LOG LINE level=info\t"quoted"\\${'y'.repeat(15_000)}`;
    const url = `${REDIRECT}?error=access_denied&error_description=${encodeURIComponent(description)}&state=${req.state}`;
    const err = await failure(() => c.handleCallback(url, { expectedState: req.state }));
    expect(err.code).toBe('ERR_DIGITAL_ID_ACCESS_DENIED');
    expect(err.message).not.toMatch(/[\r\n\t"\\]/);
    expect(err.message).toContain('x  FAKE LOG LINE');
    expect(err.message.length).toBeLessThan(600);
  });
});
