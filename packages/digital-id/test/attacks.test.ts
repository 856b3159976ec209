import { describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import type { CraftedScenario } from './crafted-provider.js';
import { craftedCallback, failure, REDIRECT, useCraftedProvider } from './helpers.js';

const crafted = useCraftedProvider();
const makeClient = crafted.client;

/** Starts a login, lets the crafted provider "approve" it, and hands the callback to the client. */
function callbackWith(client: DigitalIdClient, scenario: CraftedScenario) {
  return craftedCallback(client, crafted.provider(), scenario);
}

describe('id_token attacks the client must refuse', () => {
  it('accepts the well-formed response (control case)', async () => {
    const id = await callbackWith(makeClient(), {});
    expect(id.subject).toBe('user-1');
  });

  it.each<[string, string, CraftedScenario]>([
    ['alg none', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID', { signing: 'none' }],
    ['HS256 keyed with the public key', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID', { signing: 'hs256-public-key' }],
    ['signature by another key', 'ERR_DIGITAL_ID_ID_TOKEN_INVALID', { signing: 'other-key' }],
    [
      'expired id_token',
      'ERR_DIGITAL_ID_ID_TOKEN_EXPIRED',
      { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } },
    ],
    ['nonce mismatch', 'ERR_DIGITAL_ID_NONCE_MISMATCH', { claims: { nonce: 'someone-elses-nonce' } }],
    ['missing nonce (no opt-in)', 'ERR_DIGITAL_ID_NONCE_MISMATCH', { claims: { nonce: undefined } }],
    ['audience mismatch', 'ERR_DIGITAL_ID_AUDIENCE_MISMATCH', { claims: { aud: 'another-client' } }],
    [
      'issuer mismatch in the id_token',
      'ERR_DIGITAL_ID_ISSUER_MISMATCH',
      { claims: { iss: 'https://evil.example' } },
    ],
    [
      'redirect_uri refused at the token endpoint',
      'ERR_DIGITAL_ID_REDIRECT_MISMATCH',
      {
        tokenResponse: {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'redirect_uri mismatch' },
        },
      },
    ],
    [
      'invalid_client at the token endpoint',
      'ERR_DIGITAL_ID_INVALID_CLIENT',
      { tokenResponse: { status: 401, body: { error: 'invalid_client' } } },
    ],
    [
      'a token response that is not an object',
      'ERR_DIGITAL_ID_RESPONSE_INVALID',
      { tokenResponse: { status: 200, body: ['x'] } },
    ],
    [
      'a token response without access_token',
      'ERR_DIGITAL_ID_RESPONSE_INVALID',
      { tokenResponse: { status: 200, body: { token_type: 'Bearer' } } },
    ],
  ])('%s → %s', async (_label, code, scenario) => {
    const err = await failure(() => callbackWith(makeClient(), scenario));
    expect(err.code).toBe(code);
  });

  it('refuses a userinfo response for another subject: ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH', async () => {
    const err = await failure(() =>
      callbackWith(makeClient({ claimsSource: 'both' }), { userinfoSub: 'user-2' }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
  });

  it('merges userinfo claims when the subject matches', async () => {
    const id = await callbackWith(makeClient({ claimsSource: 'both' }), {});
    expect(id.claims.email).toBe('someone@example.test');
  });
});

describe('client authentication per endpoint (ThaID preset)', () => {
  it('posts the secret at the token endpoint and uses Basic (client_id:secret as written) for introspect and revoke', async () => {
    const thaidLike = makeClient({
      provider: 'thaid',
      clientId: 'dGhhaWQtY2xpZW50==',
      claimsSource: 'id_token',
    });
    crafted.provider().clientId = 'dGhhaWQtY2xpZW50==';
    try {
      await callbackWith(thaidLike, {});
      expect(crafted.provider().seen.token?.authorization).toBeUndefined();
      expect(new URLSearchParams(crafted.provider().seen.token?.body).get('client_id')).toBe(
        'dGhhaWQtY2xpZW50==',
      );

      const result = await thaidLike.introspect('some-access-token-1');
      expect(result).toMatchObject({ active: true, subject: 'user-1', clientId: 'dGhhaWQtY2xpZW50==' });
      expect(result.expiresAt?.toISOString()).toBe('2100-01-01T00:00:00.000Z');
      const basic = crafted.provider().seen.introspect?.authorization ?? '';
      expect(basic.startsWith('Basic ')).toBe(true);
      const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString().split(':');
      // As ETDA's samples send it: RFC 6749 §2.3.1 form-encoding would turn the trailing "=" into %3D, which
      // ThaID does not decode (why the token call posts, and why Basic here writes the credentials as they are).
      expect(id).toBe('dGhhaWQtY2xpZW50==');
      expect(secret).toBe(crafted.provider().clientSecret);
      expect(new URLSearchParams(crafted.provider().seen.introspect?.body).get('token')).toBe(
        'some-access-token-1',
      );

      await thaidLike.revoke('some-refresh-token-1', { tokenTypeHint: 'refresh_token' });
      expect(crafted.provider().seen.revoke?.authorization?.startsWith('Basic ')).toBe(true);
      expect(new URLSearchParams(crafted.provider().seen.revoke?.body).get('token_type_hint')).toBe(
        'refresh_token',
      );
    } finally {
      crafted.provider().clientId = 'crafted-client';
    }
  });
});

describe('dangerouslyAllowMissingNonce', () => {
  it('accepts an id_token without nonce only with the opt-in', async () => {
    const id = await callbackWith(makeClient({ dangerouslyAllowMissingNonce: true }), {
      claims: { nonce: undefined },
    });
    expect(id.subject).toBe('user-1');
  });

  it('still refuses a nonce that is present and wrong', async () => {
    const err = await failure(() =>
      callbackWith(makeClient({ dangerouslyAllowMissingNonce: true }), { claims: { nonce: 'wrong' } }),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_NONCE_MISMATCH');
  });
});

describe('timeouts and aborts', () => {
  it('a token endpoint that does not answer in headersInMs: ERR_TIMEOUT', async () => {
    const err = await failure(() =>
      callbackWith(makeClient({ timeouts: { headersInMs: 200 } }), { tokenDelayInMs: 2000 }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
  });

  it('the operation timeoutInMs: ERR_TIMEOUT', async () => {
    const client = makeClient();
    const req = await client.createLoginRequest();
    crafted.provider().nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
    crafted.provider().scenario = { tokenDelayInMs: 2000 };
    const err = await failure(() =>
      client.handleCallback(`${REDIRECT}?code=c&state=${req.state}`, {
        expectedState: req.state,
        timeoutInMs: 150,
      }),
    );
    expect(err.code).toBe('ERR_TIMEOUT');
  });

  it("the caller's abortSignal: ERR_ABORTED", async () => {
    const client = makeClient();
    const req = await client.createLoginRequest();
    crafted.provider().scenario = { tokenDelayInMs: 2000 };
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user went away')), 100);
    const err = await failure(() =>
      client.handleCallback(`${REDIRECT}?code=c&state=${req.state}`, {
        expectedState: req.state,
        abortSignal: ac.signal,
      }),
    );
    expect(err.code).toBe('ERR_ABORTED');
  });

  it('an unreachable provider: ERR_NETWORK (retryable)', async () => {
    const dead = makeClient({ issuer: 'http://127.0.0.1:9' });
    const err = await failure(() => dead.createLoginRequest());
    expect(err.code).toBe('ERR_NETWORK');
    expect((err as { retryable?: boolean }).retryable).toBe(true);
  });

  it('a generic issuer without discovery document: ERR_DIGITAL_ID_DISCOVERY', async () => {
    const missing = makeClient({ issuer: `${crafted.provider().issuer}/no-such-tenant` });
    const err = await failure(() => missing.createLoginRequest());
    expect(err.code).toBe('ERR_DIGITAL_ID_DISCOVERY');
    expect(err.hint).toMatch(/openid-configuration/);
  });
});
