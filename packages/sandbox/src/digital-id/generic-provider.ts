import type { Population, SandboxPerson } from '../people.js';
import { type PeopleSource, type RunningOidcProvider, startOidcServer } from './oidc-server.js';
import {
  DEFAULT_POST_LOGOUT_URIS,
  DEFAULT_REDIRECT_URIS,
  resolvePeople,
  type SandboxOidcClient,
  serverOptions,
} from './people-source.js';

/** Options of `startGenericProvider`: the people, seed, port, redirect URIs, PAR and DPoP. */
export interface GenericProviderOptions {
  population?: PeopleSource | Population;
  seed?: number;
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** Advertise and accept pushed authorization requests (RFC 9126). Default true. */
  par?: boolean;
  /** Advertise and accept DPoP (RFC 9449). Default true. */
  dpop?: boolean;
}

/** A running generic OIDC provider (PAR and DPoP) with its test client. */
export interface GenericProvider extends RunningOidcProvider {
  clients: { default: SandboxOidcClient };
}

function standardClaims(p: SandboxPerson): Record<string, unknown> {
  return {
    name: `${p.firstName.en} ${p.lastName.en}`,
    given_name: p.firstName.en,
    family_name: p.lastName.en,
    birthdate: p.birthDate,
    gender: p.gender,
    email: p.email,
    email_verified: true,
  };
}

/**
 * A plain, standards-default OpenID provider (oidc-provider's own paths, RS256, claims in userinfo,
 * PAR and DPoP advertised): the "any other OIDC provider" case.
 */
export async function startGenericProvider(options: GenericProviderOptions = {}): Promise<GenericProvider> {
  const people = resolvePeople(options.population, options.seed);
  const client: SandboxOidcClient = {
    clientId: 'sandbox-generic-client',
    clientSecret: 'sandbox-generic-client-secret-1',
    redirectUris: options.redirectUris ?? DEFAULT_REDIRECT_URIS,
    postLogoutRedirectUris: options.postLogoutRedirectUris ?? DEFAULT_POST_LOGOUT_URIS,
    scope: 'openid profile email offline_access',
  };
  const running = await startOidcServer(
    {
      title: 'Generic OIDC sandbox',
      signingAlg: 'RS256',
      routes: {},
      claims: {
        profile: ['name', 'given_name', 'family_name', 'birthdate', 'gender'],
        email: ['email', 'email_verified'],
      },
      conformIdTokenClaims: true,
      alwaysIssueRefreshToken: true,
      subjectFor: (p) => `user-${p.citizenId.slice(-6)}${p.citizenId.slice(0, 2)}`,
      claimsFor: standardClaims,
      par: options.par ?? true,
      dpop: options.dpop ?? true,
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    },
    people,
    serverOptions(options, [client]),
  );
  return { ...running, clients: { default: client } };
}
