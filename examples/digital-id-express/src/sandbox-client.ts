import { DigitalIdClient } from '@thgov/digital-id';
import type { ThaidProvider } from '@thgov/sandbox';

/** The scopes the profile page shows. */
export const PROFILE_SCOPES = [
  'openid',
  'pid',
  'title',
  'given_name',
  'family_name',
  'title_en',
  'given_name_en',
  'family_name_en',
  'birthdate',
  'ial',
];

/** A DigitalIdClient for the app at `baseUrl`, logging in through the sandbox's ThaID-like provider. */
export function sandboxThaidClient(thaid: ThaidProvider, baseUrl: string): DigitalIdClient {
  const c = thaid.clients.default;
  return new DigitalIdClient({
    provider: 'thaid',
    issuer: thaid.issuer,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    apiKey: thaid.apiKey,
    redirectUri: `${baseUrl}/auth/callback`,
    postLogoutRedirectUri: `${baseUrl}/?signedOut`,
    scopes: PROFILE_SCOPES,
    // The sandbox runs on plain http on 127.0.0.1; never set this against a real provider.
    dangerouslyAllowInsecureHttp: true,
  });
}
