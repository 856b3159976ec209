import { describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { quirkClient, useQuirkProvider } from './quirk-provider.js';

/**
 * OIDC Core §2: `sub` "MUST NOT exceed 255 ASCII characters in length". Applications key accounts on it and
 * size the column so (`varchar(255)`): a longer one fails their insert after the login succeeded, or is cut by
 * a database that truncates, and two subjects sharing 255 characters then sign into one account. Decision:
 * refused as ERR_DIGITAL_ID_ID_TOKEN_INVALID (code exchange and refresh alike), without the sub in the error.
 * Fault (before): a 256-character or megabyte `sub` completed the login as `identity.subject`.
 */

const quirks = useQuirkProvider();

async function login(c: DigitalIdClient) {
  const req = await c.createLoginRequest();
  quirks.op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
  return c.handleCallback(`${REDIRECT}?code=quirk-code-0123456789&state=${req.state}`, {
    expectedState: req.state,
  });
}

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
