import { describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

/**
 * OIDC Core §2: `sub` is a locally unique identifier of the end-user, never reassigned. An empty (or blank)
 * one identifies nobody: an application keying accounts on `identity.subject` would sign every such login
 * into one shared account. Fault: an id_token with `sub: ""` completed the login with `subject: ""`.
 */

const quirks = useQuirkProvider();

async function login(c: DigitalIdClient) {
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

describe('an id_token whose sub identifies nobody', () => {
  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['a tab and a newline', '\t\n'],
  ])('sub %s: ERR_DIGITAL_ID_ID_TOKEN_INVALID', async (_label, sub) => {
    quirks.op.claims = { sub };
    const err = await failure(() => login(quirkClient(quirks.op, quirks.clients)));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/sub/);
  });

  it('sub empty in both the id_token and userinfo (DGA, claims from userinfo): refused', async () => {
    quirks.op.claims = { sub: '' };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: '', citizen_id: '1234567890121' } });
    const c = quirkClient(quirks.op, quirks.clients, {
      provider: 'dga',
      issuer: quirks.op.issuer,
      claimsSource: 'userinfo',
    });
    expect((await failure(() => login(c))).code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a refreshed id_token with an empty sub: refused, even without originalIdToken', async () => {
    quirks.op.claims = { sub: '' };
    quirks.op.token = () => ({
      status: 200,
      body: { access_token: 'quirk-access-0123456789', token_type: 'Bearer', id_token: quirks.op.idToken() },
    });
    const err = await failure(() =>
      quirkClient(quirks.op, quirks.clients).refresh('quirk-refresh-0123456789'),
    );
    quirks.op.token = undefined;
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a one-character sub is an identifier like any other (control)', async () => {
    quirks.op.claims = { sub: '7' };
    expect((await login(quirkClient(quirks.op, quirks.clients))).subject).toBe('7');
  });
});
