import { createHash } from 'node:crypto';
import type { Middleware } from 'oidc-provider';
import type { Population, SandboxPerson } from '../people.js';
import { dgaHashSecret } from './dga-secret.js';
import { type PeopleSource, type RunningOidcProvider, startOidcServer } from './oidc-server.js';
import {
  DEFAULT_POST_LOGOUT_URIS,
  DEFAULT_REDIRECT_URIS,
  resolvePeople,
  type SandboxOidcClient,
  serverOptions,
} from './people-source.js';

/** Options of `startDgaProvider`: the people, seed, port and the test clients' redirect URIs. */
export interface DgaProviderOptions {
  population?: PeopleSource | Population;
  seed?: number;
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
}

/** A running DGA Digital ID-like provider with its test clients. */
export interface DgaProvider extends RunningOidcProvider {
  clients: {
    /** `clientId` is the Consumer-Key, `clientSecret` the raw Consumer-Secret (the provider stores its hash). */
    default: SandboxOidcClient;
    restricted: SandboxOidcClient;
  };
}

/** The scopes the DGA-like provider offers. */
export const DGA_SCOPES = [
  'openid',
  'profile',
  'user_id',
  'citizen_id',
  'citizen_id_verified',
  'email',
  'phone_number',
  'ial_level',
  'offline_access',
] as const;

const CLAIMS: Record<string, string[]> = {
  profile: ['given_name', 'middle_name', 'family_name', 'name'],
  user_id: ['user_id'],
  citizen_id: ['citizen_id'],
  citizen_id_verified: ['citizen_id_verified'],
  email: ['email', 'email_verified'],
  phone_number: ['phone_number', 'phone_number_verified'],
  ial_level: ['ial_level'],
};

/** DGA's `sub` is an opaque account ID, not the citizen ID. */
export function dgaSubject(p: SandboxPerson): string {
  const h = createHash('sha256').update(`thgov-sandbox-dga:${p.citizenId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function dgaClaims(p: SandboxPerson): Record<string, unknown> {
  return {
    user_id: dgaSubject(p).replace(/-/g, '').slice(0, 16),
    citizen_id: p.citizenId,
    citizen_id_verified: true,
    given_name: p.firstName.th,
    middle_name: p.middleName?.th ?? '',
    family_name: p.lastName.th,
    name: `${p.firstName.th} ${p.lastName.th}`,
    email: p.email,
    email_verified: true,
    phone_number: p.phone,
    phone_number_verified: true,
    ial_level: 2.2,
  };
}

const END_SESSION = '/connect/endsession';

/** OAuth2 scopes of the sandbox's remote signing service (CSC v2): list/info, and one signing transaction. */
export const CSC_SCOPES = ['service', 'credential'] as const;

const HASH_ALGORITHMS = new Set([
  '2.16.840.1.101.3.4.2.1',
  '2.16.840.1.101.3.4.2.2',
  '2.16.840.1.101.3.4.2.3',
]);

/**
 * CSC v2's `credential` authorization details: which credential may sign, and exactly which document
 * digests (base64), under which hash algorithm. The signing service refuses any other hash.
 */
function checkCredentialDetail(detail: Record<string, unknown>): void {
  if (
    typeof detail.credentialID !== 'string' ||
    detail.credentialID.length === 0 ||
    detail.credentialID.length > 200
  ) {
    throw new Error("'credentialID' must be a non-empty string");
  }
  if (typeof detail.hashAlgorithmOID !== 'string' || !HASH_ALGORITHMS.has(detail.hashAlgorithmOID)) {
    throw new Error("'hashAlgorithmOID' must name SHA-256, SHA-384 or SHA-512");
  }
  const digests = detail.documentDigests;
  if (!Array.isArray(digests) || digests.length === 0 || digests.length > 100) {
    throw new Error("'documentDigests' must list 1 to 100 digests");
  }
  for (const d of digests as Array<{ hash?: unknown }>) {
    if (typeof d?.hash !== 'string' || !/^[A-Za-z0-9+/]{20,200}={0,2}$/.test(d.hash)) {
      throw new Error("every 'documentDigests' entry needs a base64 'hash'");
    }
  }
}

/**
 * DGA names the logout redirect `post_logout_redirect_url`; oidc-provider only knows `_uri`. Rename on
 * the way in, and drop a `_uri` the caller sent, as DGA ignores it: a client that sends the standard
 * name gets no redirect, exactly the failure an integrator would meet.
 */
const renameLogoutParameter: Middleware = async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path.replace(/\/+$/, '') === END_SESSION) {
    const params = new URLSearchParams(ctx.querystring);
    const url = params.get('post_logout_redirect_url');
    params.delete('post_logout_redirect_uri');
    params.delete('post_logout_redirect_url');
    if (url !== null) params.set('post_logout_redirect_uri', url);
    ctx.querystring = params.toString();
  }
  await next();
};

/**
 * A DGA-Digital-ID-like OpenID provider: IdentityServer paths (`/connect/authorize|token|userinfo|
 * endsession`), RS256, claims only from userinfo, `at_hash` in the token endpoint's id_tokens, the client
 * secret registered as its seven-round md5 hash, `post_logout_redirect_url`.
 */
export async function startDgaProvider(options: DgaProviderOptions = {}): Promise<DgaProvider> {
  const people = resolvePeople(options.population, options.seed);
  const redirectUris = options.redirectUris ?? DEFAULT_REDIRECT_URIS;
  const postLogoutRedirectUris = options.postLogoutRedirectUris ?? DEFAULT_POST_LOGOUT_URIS;
  const clients = {
    default: {
      clientId: '6f1c2a9e-5b7d-4e21-9c3a-0d8e7f6a5b41',
      clientSecret: 'sandbox-dga-consumer-secret-1',
      redirectUris,
      postLogoutRedirectUris,
      scope: DGA_SCOPES.join(' '),
    },
    restricted: {
      clientId: '2b9d4c7e-1a3f-4b5c-8d6e-7f0a1b2c3d42',
      clientSecret: 'sandbox-dga-consumer-secret-2',
      redirectUris,
      postLogoutRedirectUris,
      scope: 'openid profile',
    },
  } satisfies DgaProvider['clients'];

  const running = await startOidcServer(
    {
      title: 'DGA Digital ID sandbox',
      signingAlg: 'RS256',
      routes: {
        authorization: '/connect/authorize',
        token: '/connect/token',
        userinfo: '/connect/userinfo',
        end_session: END_SESSION,
        introspection: '/connect/introspect',
        revocation: '/connect/revocation',
        jwks: '/.well-known/openid-configuration/jwks',
      },
      claims: CLAIMS,
      conformIdTokenClaims: true,
      alwaysIssueRefreshToken: true,
      subjectFor: dgaSubject,
      claimsFor: dgaClaims,
      middleware: [renameLogoutParameter],
      errorPagePath: '/home/error',
      accessTokenHash: true,
      extraScopes: [...CSC_SCOPES],
      authorizationDetailsTypes: { credential: checkCredentialDetail },
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    },
    people,
    // Registered as the hash: the relying party must apply the transform to be accepted.
    serverOptions(options, Object.values(clients), dgaHashSecret),
  );
  return { ...running, clients };
}
