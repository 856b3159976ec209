/**
 * RFC 9449 §5: a provider binds the refresh token of a public client to the DPoP key of the code exchange; a
 * refresh is accepted only with a proof by that same key. The client rebuilt its engine, and with it drew a
 * new DPoP key pair, whenever it fetched the provider's keys again (signing key rotation) or retried a failed
 * discovery. Fault: after the provider rotated its signing keys, every refresh token the client held was
 * refused (invalid_grant): every session ended at once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { quirkClient, quirkKey, quirkLogin, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

/** The public key of a DPoP proof (its header's jwk), as the provider binds tokens to it. */
function proofKey(headers: IncomingHttpHeaders): string {
  const proof = String(headers.dpop ?? '');
  const header = JSON.parse(Buffer.from(proof.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    jwk?: Record<string, unknown>;
  };
  return JSON.stringify(header.jwk ?? null);
}

/**
 * A provider that advertises DPoP, issues DPoP-bound tokens and refuses a refresh whose proof is by another
 * key than the one the refresh token was bound to.
 */
function bindRefreshTokensToDpopKey(): { refused: string[] } {
  quirks.op.discovery = {
    dpop_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
  };
  const boundTo = new Map<string, string>();
  const refused: string[] = [];
  let issued = 0;
  quirks.op.token = (form, headers) => {
    const key = proofKey(headers);
    if (form.get('grant_type') === 'refresh_token') {
      const rt = String(form.get('refresh_token'));
      if (boundTo.get(rt) !== key) {
        refused.push(rt);
        return { status: 400, body: { error: 'invalid_grant', error_description: 'DPoP key mismatch' } };
      }
    }
    const refreshToken = `quirk-dpop-refresh-${++issued}-0123456789`;
    boundTo.set(refreshToken, key);
    return {
      status: 200,
      body: {
        access_token: `quirk-dpop-access-${issued}-0123456789`,
        token_type: 'DPoP',
        expires_in: 300,
        refresh_token: refreshToken,
        id_token: quirks.op.idToken(form.get('grant_type') === 'refresh_token' ? { nonce: undefined } : {}),
      },
    };
  };
  return { refused };
}

describe('a public client with DPoP-bound refresh tokens', () => {
  it('refreshes a session from before the provider rotated its signing keys', async () => {
    const { refused } = bindRefreshTokensToDpopKey();
    const c = quirkClient(quirks.op, quirks.clients, { tokenEndpointAuthMethod: 'none' });
    expect((await c.metadata()).dpop).toBe(true);
    const before = await quirkLogin(quirks.op, c);
    // The provider rotates its signing key: the next login's id_token names a kid the cached JWKS lacks, and
    // the client fetches the keys again.
    quirks.op.keys = [...quirks.op.keys, quirkKey('RS256', 'k-rotated')];
    quirks.op.signWith = 1;
    await quirkLogin(quirks.op, c).catch(() => undefined);
    expect(quirks.op.seen.filter((s) => s.path === '/jwks').length).toBe(2);
    const refreshed = await c.refresh(before.tokens.refreshToken as string);
    expect(refreshed.refreshToken).toMatch(/^quirk-dpop-refresh-/);
    expect(refused).toEqual([]);
  });

  it('a refresh with a refresh token bound to another key is refused by the provider (control)', async () => {
    const { refused } = bindRefreshTokensToDpopKey();
    const a = quirkClient(quirks.op, quirks.clients, { tokenEndpointAuthMethod: 'none' });
    const b = quirkClient(quirks.op, quirks.clients, { tokenEndpointAuthMethod: 'none' });
    const login = await quirkLogin(quirks.op, a);
    const err = await b.refresh(login.tokens.refreshToken as string).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ERR_DIGITAL_ID_INVALID_GRANT');
    expect(refused).toEqual([login.tokens.refreshToken]);
  });
});
