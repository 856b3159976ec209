import { createHash } from 'node:crypto';
import { generatePopulation, SandboxBrowser, startDgaProvider } from '@thgov/sandbox';
import { describe, expect, it } from 'vitest';
import { failure, loginAs, sandboxClient } from './helpers.js';
import { type QuirkAlg, quirkClient, quirkKey, quirkLogin, useQuirkProvider } from './quirk-provider.js';

/**
 * OIDC Core §3.1.3.8 / §3.2.2.9: an id_token that carries `at_hash` binds the access token issued with it;
 * a mismatch means the access token is not the one the signed id_token was issued with (a substituted or
 * mixed-up token response). Fault: any `at_hash` was accepted (openid-client v6 does not check it; v5 did).
 */

const quirks = useQuirkProvider();

const ACCESS_TOKEN = 'quirk-access-token-at-hash-0123456789';

/** The left half of the access token's hash, as OIDC Core defines at_hash for the id_token's algorithm. */
function atHash(token: string, hash: 'sha256' | 'sha512'): string {
  const digest = createHash(hash).update(token, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The token endpoint answers ACCESS_TOKEN with an id_token carrying `at_hash`. */
function answerWith(at_hash: unknown, extra: Record<string, unknown> = {}) {
  quirks.op.token = () => ({
    status: 200,
    body: {
      access_token: ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: 300,
      id_token: quirks.op.idToken({ at_hash }),
      ...extra,
    },
  });
}

const login = () => quirkLogin(quirks.op, quirkClient(quirks.op, quirks.clients));

describe('at_hash in the id_token', () => {
  it.each<[QuirkAlg, 'sha256' | 'sha512']>([
    ['RS256', 'sha256'],
    ['PS256', 'sha256'],
    ['ES256', 'sha256'],
    ['EdDSA', 'sha512'],
  ])('the at_hash of the access token, %s: accepted (control)', async (alg, hash) => {
    quirks.op.keys = [quirkKey(alg, 'k1')];
    answerWith(atHash(ACCESS_TOKEN, hash));
    const id = await login();
    expect(id.tokens.accessToken).toBe(ACCESS_TOKEN);
  });

  it('the at_hash of another access token: ERR_DIGITAL_ID_ID_TOKEN_INVALID, no token in the error', async () => {
    answerWith(atHash('another-access-token', 'sha256'));
    const err = await failure(() => login());
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/at_hash/);
    expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain(ACCESS_TOKEN);
  });

  it('the at_hash computed with the wrong hash for the algorithm (SHA-256 for EdDSA): refused', async () => {
    quirks.op.keys = [quirkKey('EdDSA', 'k1')];
    answerWith(atHash(ACCESS_TOKEN, 'sha256'));
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it.each([
    ['a number', 12345],
    ['an empty string', ''],
    ['the whole hash', createHash('sha256').update(ACCESS_TOKEN).digest('base64url')],
  ])('an at_hash that is %s: refused', async (_label, value) => {
    answerWith(value);
    expect((await failure(() => login())).code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a refreshed id_token whose at_hash is not the new access token: refused', async () => {
    answerWith(atHash('another-access-token', 'sha256'), { refresh_token: 'quirk-refresh-0123456789' });
    const err = await failure(() =>
      quirkClient(quirks.op, quirks.clients).refresh('quirk-refresh-0123456789'),
    );
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a refreshed id_token with the right at_hash: accepted (control)', async () => {
    answerWith(atHash(ACCESS_TOKEN, 'sha256'));
    const tokens = await quirkClient(quirks.op, quirks.clients).refresh('quirk-refresh-0123456789');
    expect(tokens.accessToken).toBe(ACCESS_TOKEN);
  });
});

describe('at_hash from the sandbox DGA (IdentityServer sends it at the token endpoint)', () => {
  it('a login and a refresh carry at_hash, which the check accepts', async () => {
    const population = generatePopulation({ seed: 7, people: 3, companies: 1 });
    const dga = await startDgaProvider({ population });
    const c = sandboxClient(dga);
    try {
      const citizen = population.people[0]!;
      const { callbackUrl, state } = await loginAs(c, new SandboxBrowser(), citizen.citizenId, {
        scopes: ['openid', 'profile', 'citizen_id', 'offline_access'],
      });
      const id = await c.handleCallback(callbackUrl, { expectedState: state });
      expect(typeof id.claims.at_hash).toBe('string');
      expect(id.citizenId).toBe(citizen.citizenId);
      const refreshed = await c.refresh(id.tokens.refreshToken!, { originalIdToken: id.tokens.idToken! });
      expect(refreshed.accessToken).not.toBe(id.tokens.accessToken);
    } finally {
      await c.close();
      await dga.close();
    }
  });
});
