import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DgaProvider } from '../digital-id/dga-provider.js';
import { dgaHashSecret } from '../digital-id/dga-secret.js';
import type { SandboxOidcClient } from '../digital-id/people-source.js';
import { CscFailure } from './protocol.js';

/** Who calls, as the DGA-like provider's introspection says: subject, scopes, authorization details. */
export interface Caller {
  subject: string;
  scopes: Set<string>;
  details: unknown[];
  tokenHash: string;
  expiresAt: number;
}

/** The signing app's client at the DGA-like provider (scopes `service`, `credential`; RAR type `credential`). */
export const SIGNING_CLIENT: SandboxOidcClient = {
  clientId: 'thgov-sandbox-signing-app',
  clientSecret: 'sandbox-signing-app-secret-1',
  redirectUris: ['http://127.0.0.1:3000/sign/callback', 'http://localhost:3000/sign/callback'],
  postLogoutRedirectUris: [],
  scope: 'openid profile service credential',
};

/**
 * Registers the service at the DGA-like provider — its own introspecting client, and the signing app's
 * client — and returns the token check. `audience()` is the service URL, known once it listens.
 */
export function connectToProvider(
  dga: DgaProvider,
  audience: () => string,
): (req: IncomingMessage) => Promise<Caller> {
  const rs = { clientId: 'thgov-sandbox-csc-service', secret: randomBytes(24).toString('base64url') };
  dga.registerClient({
    client_id: rs.clientId,
    client_secret: dgaHashSecret(rs.secret),
    redirect_uris: ['http://127.0.0.1/unused'],
    grant_types: [],
    response_types: [],
  });
  dga.allowIntrospection(rs.clientId);
  dga.registerClient({
    client_id: SIGNING_CLIENT.clientId,
    client_secret: dgaHashSecret(SIGNING_CLIENT.clientSecret),
    redirect_uris: SIGNING_CLIENT.redirectUris,
    scope: SIGNING_CLIENT.scope,
    authorization_details_types: ['credential'],
  });
  return caller;

  /** Introspection at the DGA-like provider: the token's subject, scopes and authorization details. */
  async function caller(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer ([\x21-\x7e]{10,4096})$/.exec(header)?.[1];
    if (!token) throw new CscFailure(401, 'invalid_token', 'Missing or malformed bearer token');
    const res = await fetch(`${dga.issuer}/connect/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${rs.clientId}:${dgaHashSecret(rs.secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || body.active !== true || typeof body.sub !== 'string') {
      throw new CscFailure(401, 'invalid_token', 'The access token is not active');
    }
    // A token issued for another resource (the provider's userinfo, another service) is not ours to honour.
    const aud = Array.isArray(body.aud) ? body.aud : [body.aud];
    if (!aud.includes(audience()))
      throw new CscFailure(401, 'invalid_token', 'The access token is for another audience');
    return {
      subject: body.sub,
      scopes: new Set(String(body.scope ?? '').split(' ')),
      details: Array.isArray(body.authorization_details) ? body.authorization_details : [],
      tokenHash: createHash('sha256').update(token).digest('hex'),
      expiresAt: typeof body.exp === 'number' ? body.exp * 1000 : Date.now() + 60_000,
    };
  }
}
