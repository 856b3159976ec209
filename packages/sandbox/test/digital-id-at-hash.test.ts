import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DgaProvider, startDgaProvider } from '../src/digital-id/dga-provider.js';
import { dgaHashSecret } from '../src/digital-id/dga-secret.js';
import { SandboxBrowser } from '../src/digital-id/sandbox-browser.js';
import { generatePopulation } from '../src/people.js';

/**
 * IdentityServer (DGA Digital ID) puts `at_hash` in the id_token of every token response that carries an
 * access token (code exchange and refresh alike); oidc-provider adds it only at the authorization endpoint.
 * Fault: the sandbox DGA left it out, so a relying party's at_hash check was never exercised against it.
 */

const population = generatePopulation({ seed: 9, people: 5, companies: 1 });
const REDIRECT = 'http://127.0.0.1:3000/auth/callback';

/** OIDC Core §3.1.3.6: the left half of the SHA-256 (RS256) of the access token, base64url. */
const atHash = (token: string) =>
  createHash('sha256').update(token, 'ascii').digest().subarray(0, 16).toString('base64url');

describe('DGA-like provider: at_hash in token-endpoint id_tokens', () => {
  let dga: DgaProvider;
  beforeAll(async () => {
    dga = await startDgaProvider({ population });
  });
  afterAll(() => dga.close());

  async function tokenCall(body: URLSearchParams): Promise<Record<string, string>> {
    const c = dga.clients.default;
    const res = await fetch(`${dga.issuer}/connect/token`, {
      method: 'POST',
      body,
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${dgaHashSecret(c.clientSecret)}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, string>;
  }

  it('the code exchange and the refresh: at_hash is the hash of the access token sent with it', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const u = new URL(`${dga.issuer}/connect/authorize`);
    u.search = new URLSearchParams({
      client_id: dga.clients.default.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile citizen_id offline_access',
      state: 'st-at-hash-1',
      nonce: 'n-at-hash-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const outcome = await new SandboxBrowser().login(u, { citizenId: population.people[0]!.citizenId });
    expect(outcome.kind).toBe('redirect');
    const code = new URL(outcome.kind === 'redirect' ? outcome.url : 'http://x/').searchParams.get('code');
    const tokens = await tokenCall(
      new URLSearchParams({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    );
    expect(decodeJwt(tokens.id_token!).at_hash).toBe(atHash(tokens.access_token!));
    expect(tokens.refresh_token).toBeTypeOf('string');

    const refreshed = await tokenCall(
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(decodeJwt(refreshed.id_token!).at_hash).toBe(atHash(refreshed.access_token!));
  });
});
