import type { Middleware } from 'oidc-provider';
import type { Population, SandboxPerson } from '../people.js';
import { type PeopleSource, type RunningOidcProvider, startOidcServer } from './oidc-server.js';
import {
  DEFAULT_POST_LOGOUT_URIS,
  DEFAULT_REDIRECT_URIS,
  resolvePeople,
  type SandboxOidcClient,
  serverOptions,
} from './people-source.js';

/** Options of `startThaidProvider`: the people, seed, port and the test clients' redirect URIs. */
export interface ThaidProviderOptions {
  /** The people who can log in (pass the sandbox's population so the GDX emulator knows them too). */
  population?: PeopleSource | Population;
  /** Seed for a population of its own when none is given. */
  seed?: number;
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Redirect URIs of the built-in test clients. */
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** The DOPA-issued API key the token endpoint requires in `x-imauth-apikey`. */
  apiKey?: string;
}

/** A running ThaID-like provider with its test clients and API key. */
export interface ThaidProvider extends RunningOidcProvider {
  /** The API key to send in `x-imauth-apikey` on token calls. */
  apiKey: string;
  clients: {
    /** May ask for every ThaID scope. Its client_id ends in `=`, like one of ThaID's public ones. */
    default: SandboxOidcClient;
    /** May ask only for `openid pid`: for `invalid_scope` tests. */
    restricted: SandboxOidcClient;
  };
}

const BASE = '/api/v2/oauth2';
const TOKEN_PATH = `${BASE}/token`;

/** The scopes the ThaID-like provider offers. */
export const THAID_SCOPES = [
  'openid',
  'pid',
  'address',
  'gender',
  'birthdate',
  'given_name',
  'middle_name',
  'family_name',
  'name',
  'given_name_en',
  'middle_name_en',
  'family_name_en',
  'name_en',
  'title',
  'title_en',
  'ial',
  'smartcard_code',
  'date_of_expiry',
  'date_of_issuance',
  'offline_access',
] as const;

/** ThaID releases one claim per scope, named like the scope. */
const CLAIMS: Record<string, string[]> = Object.fromEntries(
  THAID_SCOPES.filter((s) => s !== 'openid' && s !== 'offline_access').map((s) => [s, [s]]),
);

function thaidClaims(p: SandboxPerson): Record<string, unknown> {
  const year = Number.parseInt(p.birthDate.slice(0, 4), 10);
  const issued = `${Math.max(year + 20, 2020)}-0${(p.citizenId.charCodeAt(5) % 9) + 1}-15`;
  const expires = `${Number.parseInt(issued.slice(0, 4), 10) + 8}${issued.slice(4)}`;
  const a = p.address;
  return {
    pid: p.citizenId,
    title: p.title.th,
    title_en: p.title.en,
    given_name: p.firstName.th,
    middle_name: p.middleName?.th ?? '',
    family_name: p.lastName.th,
    name: `${p.firstName.th} ${p.lastName.th}`,
    given_name_en: p.firstName.en,
    middle_name_en: p.middleName?.en ?? '',
    family_name_en: p.lastName.en,
    name_en: `${p.firstName.en} ${p.lastName.en}`,
    birthdate: p.birthDate,
    gender: p.gender,
    address: {
      formatted: [
        a.houseNo,
        a.moo ? `หมู่ ${a.moo}` : '',
        a.road ?? '',
        a.subdistrict.th,
        a.district.th,
        a.province.th,
        a.postalCode,
      ]
        .filter(Boolean)
        .join(' '),
      locality: a.district.th,
      region: a.province.th,
      postal_code: a.postalCode,
      country: 'TH',
    },
    ial: 2.3,
    smartcard_code: p.laserCode,
    date_of_issuance: issued,
    date_of_expiry: expires,
  };
}

/**
 * HTTP Basic client credentials compared as written, not form-decoded: one public ThaID client_id ends in "=",
 * and an RFC 6749 §2.3.1 form-encoded Basic credential (`...%3D`) is refused by ThaID (which is why the SDK
 * defaults to client_secret_post at the token endpoint), while ETDA's sample relying parties send the raw
 * `client_id:secret` to introspect and revoke. oidc-provider form-decodes Basic credentials, so each part is
 * percent-encoded here first: it then sees exactly the characters the client sent.
 */
const literalBasic: Middleware = async (ctx, next) => {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(ctx.get('authorization'));
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (ctx.method === 'POST' && colon > 0) {
    const literal = `${encodeURIComponent(decoded.slice(0, colon))}:${encodeURIComponent(decoded.slice(colon + 1))}`;
    ctx.req.headers.authorization = `Basic ${Buffer.from(literal, 'utf8').toString('base64')}`;
  }
  await next();
};

/**
 * A ThaID-like OpenID provider: endpoints under `/api/v2/oauth2/…/` with trailing slashes, ES256
 * id_tokens carrying the profile claims, `sub` = the 13-digit citizen ID, an API key required on the
 * token endpoint, refresh / revoke / introspect, Basic client credentials compared as written.
 */
export async function startThaidProvider(options: ThaidProviderOptions = {}): Promise<ThaidProvider> {
  const people = resolvePeople(options.population, options.seed);
  const apiKey = options.apiKey ?? 'sandbox-thaid-api-key-0123456789';
  const redirectUris = options.redirectUris ?? DEFAULT_REDIRECT_URIS;
  const postLogoutRedirectUris = options.postLogoutRedirectUris ?? DEFAULT_POST_LOGOUT_URIS;

  const requireApiKey: Middleware = async (ctx, next) => {
    if (
      ctx.method === 'POST' &&
      ctx.path.replace(/\/+$/, '') === TOKEN_PATH &&
      ctx.get('x-imauth-apikey') !== apiKey
    ) {
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_client',
        error_description: 'API key (x-imauth-apikey) missing or not valid',
      };
      return;
    }
    await next();
  };

  const clients = {
    default: {
      clientId: 'dGhnb3Ytc2FuZGJveC10aGFpZA==',
      clientSecret: 'sandbox-thaid-client-secret-1',
      redirectUris,
      postLogoutRedirectUris,
      scope: THAID_SCOPES.join(' '),
    },
    restricted: {
      clientId: 'dGhnb3Ytc2FuZGJveC10aGFpZC1saW1pdGVk',
      clientSecret: 'sandbox-thaid-client-secret-2',
      redirectUris,
      postLogoutRedirectUris,
      scope: 'openid pid',
    },
  } satisfies ThaidProvider['clients'];

  const running = await startOidcServer(
    {
      title: 'ThaID sandbox',
      signingAlg: 'ES256',
      routes: {
        authorization: `${BASE}/auth/`,
        token: `${TOKEN_PATH}/`,
        userinfo: `${BASE}/userinfo/`,
        introspection: `${BASE}/introspect/`,
        revocation: `${BASE}/revoke/`,
        jwks: `${BASE}/jwks/`,
        end_session: `${BASE}/logout/`,
      },
      claims: CLAIMS,
      conformIdTokenClaims: false,
      alwaysIssueRefreshToken: true,
      subjectFor: (p) => p.citizenId,
      claimsFor: thaidClaims,
      middleware: [requireApiKey, literalBasic],
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
      },
    },
    people,
    serverOptions(options, Object.values(clients)),
  );
  return { ...running, apiKey, clients };
}
