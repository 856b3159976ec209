/**
 * A provider rotates its signing keys: the next id_token names a kid the client's cached JWKS (kept up to five
 * minutes by the engine) does not have yet. The answer carrying it cannot be asked for again: the
 * authorization code is single-use, and a refresh answer's rotated refresh token replaces the one sent (the
 * provider refuses the old one from then on). jose's remote JWKS and openid-client v5 fetch the keys again
 * and verify the same token; failing it instead cost the citizen the login, and a refreshing session its
 * refresh token. Fault: the login (and the refresh) failed with "start the login again"; the keys were
 * fetched again only for the next attempt.
 */
import { describe, expect, it } from 'vitest';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, quirkKey, quirkLogin, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();
const client = () => quirkClient(quirks.op, quirks.clients);
const count = (path: string) => quirks.op.seen.filter((s) => s.path === path).length;

/** The provider, from the next token answer on, signs with a key it has just published. */
function rotate(): void {
  quirks.op.keys = [...quirks.op.keys, quirkKey('RS256', 'k-rotated')];
  quirks.op.signWith = quirks.op.keys.length - 1;
}

describe('an id_token signed with a key published after the JWKS was cached', () => {
  it('the same login succeeds: the keys are fetched once more, the code is sent once', async () => {
    const c = client();
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    rotate();
    const tokensBefore = count('/token');
    const jwksBefore = count('/jwks');
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    expect(count('/token') - tokensBefore).toBe(1);
    expect(count('/jwks') - jwksBefore).toBe(1);
    // The fresh keys stay cached: the login after it fetches nothing more.
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    expect(count('/jwks') - jwksBefore).toBe(1);
  });

  it('two logins that meet the new key at once both succeed', async () => {
    const c = client();
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    rotate();
    const logins = await Promise.all([c.createLoginRequest(), c.createLoginRequest()]);
    // Each code answers with the id_token of its own login (its nonce).
    const nonces = logins.map((l) => new URL(l.url).searchParams.get('nonce'));
    quirks.op.token = (form) => ({
      status: 200,
      body: {
        access_token: `quirk-access-${form.get('code')}-0123456789`,
        token_type: 'Bearer',
        expires_in: 300,
        id_token: quirks.op.idToken({ nonce: nonces[Number(form.get('code')?.slice(-1))] }),
      },
    });
    const people = await Promise.all(
      logins.map((l, i) =>
        c.handleCallback(`${REDIRECT}?code=quirk-code-${i}&state=${l.state}`, { expectedState: l.state }),
      ),
    );
    expect(people.map((p) => p.subject)).toEqual(['user-1', 'user-1']);
  });

  it('a refresh answer with a rotated refresh token: the new refresh token is returned, sent once', async () => {
    const c = client();
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    rotate();
    const sent: string[] = [];
    quirks.op.token = (form) => {
      sent.push(String(form.get('refresh_token')));
      return {
        status: 200,
        body: {
          access_token: 'quirk-access-after-rotation-0123456789',
          token_type: 'Bearer',
          expires_in: 300,
          refresh_token: 'quirk-rotated-refresh-0123456789',
          id_token: quirks.op.idToken({ nonce: undefined }),
        },
      };
    };
    const tokens = await c.refresh('quirk-refresh-before-0123456789');
    expect(tokens.refreshToken).toBe('quirk-rotated-refresh-0123456789');
    expect(sent).toEqual(['quirk-refresh-before-0123456789']);
  });

  it('a userinfo JWT signed with the new key: the same login succeeds, userinfo fetched once more', async () => {
    const c = quirkClient(quirks.op, quirks.clients, { claimsSource: 'userinfo' });
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    const fresh = quirkKey('RS256', 'k-userinfo');
    quirks.op.keys = [...quirks.op.keys, fresh];
    quirks.op.userinfo = () => ({
      status: 200,
      type: 'application/jwt',
      body: quirks.op.jwt(
        { sub: 'user-1', iss: quirks.op.issuer, aud: quirks.op.clientId, email: 'jwt@example.test' },
        fresh,
      ),
    });
    const userinfoBefore = count('/userinfo');
    const person = await quirkLogin(quirks.op, c);
    expect(person.claims.email).toBe('jwt@example.test');
    expect(count('/userinfo') - userinfoBefore).toBe(2);
  });

  it('a kid the fresh JWKS lacks too: typed, start again, the code sent once, the keys fetched once more', async () => {
    const c = client();
    expect((await quirkLogin(quirks.op, c)).subject).toBe('user-1');
    quirks.op.keys = [...quirks.op.keys, quirkKey('RS256', 'k-unpublished')];
    quirks.op.signWith = 1;
    quirks.op.jwksKeys = () => [quirks.op.keys[0]!];
    const tokensBefore = count('/token');
    const jwksBefore = count('/jwks');
    for (let i = 0; i < 3; i++) {
      const err = await failure(() => quirkLogin(quirks.op, c));
      expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
      // Not the same callback again (its login is spent): a new login, once the provider publishes the key.
      expect(err.retryable).toBe(false);
      expect(err.hint).toMatch(/start the login again/i);
      expect(err.hint).toMatch(/rotat/i);
    }
    expect(count('/token') - tokensBefore).toBe(3);
    expect(count('/jwks') - jwksBefore).toBe(1);
  });
});
