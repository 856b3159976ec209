import { describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure } from './helpers.js';
import { quirkClient, quirkLogin, useQuirkProvider } from './quirk-provider.js';

/**
 * OIDC Core §2: `sub` is a locally unique identifier of the end-user, never reassigned. An empty (or blank)
 * one identifies nobody: an application keying accounts on `identity.subject` would sign every such login
 * into one shared account. Fault: an id_token with `sub: ""` completed the login with `subject: ""`.
 */

const quirks = useQuirkProvider();

const login = (c: DigitalIdClient) => quirkLogin(quirks.op, c);

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

/**
 * OIDC Core §2: `sub` "MUST NOT exceed 255 ASCII characters in length". Applications key accounts on it and
 * size the column so (`varchar(255)`): a longer one fails their insert after the login succeeded, or is cut by
 * a database that truncates, and two subjects sharing 255 characters then sign into one account. Decision:
 * refused as ERR_DIGITAL_ID_ID_TOKEN_INVALID (code exchange and refresh alike), without the sub in the error.
 * Fault (before): a 256-character or megabyte `sub` completed the login as `identity.subject`.
 */
describe('an id_token whose sub is longer than OIDC allows', () => {
  it.each([
    ['256 ASCII characters', `u${'9'.repeat(255)}`],
    ['a long run of non-ASCII characters', 'ก'.repeat(300)],
    ['100 KB', 'z'.repeat(100_000)],
  ])('sub of %s: ERR_DIGITAL_ID_ID_TOKEN_INVALID, the sub not in the error', async (_label, sub) => {
    quirks.op.claims = { sub };
    const err = await failure(() => login(quirkClient(quirks.op, quirks.clients)));
    expect(err.code).toBe('ERR_DIGITAL_ID_ID_TOKEN_INVALID');
    expect(err.message).toMatch(/sub/);
    expect(JSON.stringify(err)).not.toContain(sub.slice(0, 40));
  });

  it('a refreshed id_token with a 256-character sub: refused too', async () => {
    quirks.op.claims = { sub: 'r'.repeat(256) };
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

  it('a sub of exactly 255 characters is accepted (control)', async () => {
    const sub = `s${'0'.repeat(254)}`;
    quirks.op.claims = { sub };
    expect((await login(quirkClient(quirks.op, quirks.clients))).subject).toBe(sub);
  });
});
