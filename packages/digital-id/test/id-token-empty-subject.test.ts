import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { type QuirkProvider, quirkClient, startQuirkProvider } from './quirk-provider.js';

/**
 * OIDC Core §2: `sub` is a locally unique identifier of the end-user, never reassigned. An empty (or blank)
 * one identifies nobody: an application keying accounts on `identity.subject` would sign every such login
 * into one shared account. Fault: an id_token with `sub: ""` completed the login with `subject: ""`.
 */

let op: QuirkProvider;
const clients: DigitalIdClient[] = [];
beforeAll(async () => {
  op = await startQuirkProvider();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  op.claims = {};
  op.userinfo = undefined;
});
afterAll(async () => {
  await op.close();
});

async function login(c: DigitalIdClient) {
  const req = await c.createLoginRequest();
  op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
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
    op.claims = { sub };
    const err = await failure(() => login(quirkClient(op, clients)));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/sub/);
  });

  it('sub empty in both the id_token and userinfo (DGA, claims from userinfo): refused', async () => {
    op.claims = { sub: '' };
    op.userinfo = () => ({ status: 200, body: { sub: '', citizen_id: '1234567890121' } });
    const c = quirkClient(op, clients, { provider: 'dga', issuer: op.issuer, claimsSource: 'userinfo' });
    expect((await failure(() => login(c))).code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a refreshed id_token with an empty sub: refused, even without originalIdToken', async () => {
    op.claims = { sub: '' };
    op.token = () => ({
      status: 200,
      body: { access_token: 'quirk-access-0123456789', token_type: 'Bearer', id_token: op.idToken() },
    });
    const err = await failure(() => quirkClient(op, clients).refresh('quirk-refresh-0123456789'));
    op.token = undefined;
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
  });

  it('a one-character sub is an identifier like any other (control)', async () => {
    op.claims = { sub: '7' };
    expect((await login(quirkClient(op, clients))).subject).toBe('7');
  });
});
