import { dgaHashSecret } from './dga-secret.js';

/** A provider preset: ThaID, DGA Digital ID, or any OIDC provider. */
export type ProviderName = 'thaid' | 'dga' | 'generic';
/** How the client authenticates at the token endpoint. */
export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none';
/**
 * How `client_secret_basic` writes the client ID and secret: `form` = RFC 6749 §2.3.1 form-encoded first (the
 * standard), `raw` = as they are (what ETDA's ThaID samples send; ThaID does not form-decode them).
 */
export type BasicCredentialEncoding = 'form' | 'raw';
/** Where a provider puts the identity claims. */
export type ClaimsSource = 'id_token' | 'userinfo' | 'both';
/** The name a provider's logout endpoint reads the return URL from (DGA uses `post_logout_redirect_url`). */
export type LogoutRedirectParameter = 'post_logout_redirect_uri' | 'post_logout_redirect_url';

/** Endpoint paths relative to the issuer, used when discovery is unavailable. */
export interface StaticEndpoints {
  authorization: string;
  token: string;
  userinfo?: string;
  jwks: string;
  introspection?: string;
  revocation?: string;
  endSession?: string;
}

/**
 * What a provider needs beyond plain OIDC, as data plus small hooks. Everything unconfirmed about the
 * real providers is a default here and an option on the client.
 */
export interface ProviderPreset {
  readonly name: ProviderName;
  readonly displayName: string;
  /** Environment name → issuer. */
  readonly issuers: Readonly<Record<string, string>>;
  readonly defaultEnvironment: string | undefined;
  readonly defaultScopes: readonly string[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Client authentication at the introspection and revocation endpoints. */
  readonly introspectionAuthMethod: TokenEndpointAuthMethod;
  /** How HTTP Basic client credentials are written (see BasicCredentialEncoding). */
  readonly basicCredentialEncoding: BasicCredentialEncoding;
  readonly claimsSource: ClaimsSource;
  readonly logoutRedirectParameter: LogoutRedirectParameter;
  /** Header that carries the provider's API key on token calls, when the provider uses one. */
  readonly apiKeyHeader: string | undefined;
  /** True when `sub` is the 13-digit citizen ID (ThaID). */
  readonly subjectIsCitizenId: boolean;
  readonly staticEndpoints: StaticEndpoints | undefined;
  /** Turns the secret the caller configured into the one sent to the provider. */
  readonly transformClientSecret: ((rawSecret: string) => string) | undefined;
}

/** ThaID (DOPA). Trailing slashes are part of every v2 path. */
export const THAID_PRESET: ProviderPreset = {
  name: 'thaid',
  displayName: 'ThaID',
  issuers: {
    production: 'https://imauth.bora.dopa.go.th',
    sandbox: 'https://imauthsbx.bora.dopa.go.th',
  },
  defaultEnvironment: 'production',
  defaultScopes: [
    'openid',
    'pid',
    'title',
    'given_name',
    'family_name',
    'title_en',
    'given_name_en',
    'family_name_en',
    'birthdate',
  ],
  // One public ThaID client_id ends in "=": RFC 6749 form-encoding in Basic auth turns it into %3D.
  tokenEndpointAuthMethod: 'client_secret_post',
  // ETDA's sample relying parties call introspect / revoke with Basic auth, the client_id:secret written as is
  // (a form-encoded "=" arrives as "%3D", which ThaID does not decode).
  introspectionAuthMethod: 'client_secret_basic',
  basicCredentialEncoding: 'raw',
  claimsSource: 'id_token',
  logoutRedirectParameter: 'post_logout_redirect_uri',
  apiKeyHeader: 'x-imauth-apikey',
  subjectIsCitizenId: true,
  staticEndpoints: {
    authorization: '/api/v2/oauth2/auth/',
    token: '/api/v2/oauth2/token/',
    userinfo: '/api/v2/oauth2/userinfo/',
    jwks: '/api/v2/oauth2/jwks/',
    introspection: '/api/v2/oauth2/introspect/',
    revocation: '/api/v2/oauth2/revoke/',
  },
  transformClientSecret: undefined,
};

/** DGA Digital ID (the ทางรัฐ login), IdentityServer-style. */
export const DGA_PRESET: ProviderPreset = {
  name: 'dga',
  displayName: 'DGA Digital ID',
  issuers: {
    production: 'https://connect.egov.go.th',
    uat: 'https://connect.dga.or.th',
  },
  defaultEnvironment: 'production',
  defaultScopes: ['openid', 'profile', 'citizen_id'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  introspectionAuthMethod: 'client_secret_basic',
  basicCredentialEncoding: 'form',
  claimsSource: 'userinfo',
  logoutRedirectParameter: 'post_logout_redirect_url',
  apiKeyHeader: undefined,
  subjectIsCitizenId: false,
  staticEndpoints: {
    authorization: '/connect/authorize',
    token: '/connect/token',
    userinfo: '/connect/userinfo',
    jwks: '/.well-known/openid-configuration/jwks',
    introspection: '/connect/introspect',
    revocation: '/connect/revocation',
    endSession: '/connect/endsession',
  },
  transformClientSecret: dgaHashSecret,
};

/** Any standards-following OpenID provider: discovery only, `issuer` required. */
export const GENERIC_PRESET: ProviderPreset = {
  name: 'generic',
  displayName: 'OpenID provider',
  issuers: {},
  defaultEnvironment: undefined,
  defaultScopes: ['openid', 'profile'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  introspectionAuthMethod: 'client_secret_basic',
  basicCredentialEncoding: 'form',
  claimsSource: 'both',
  logoutRedirectParameter: 'post_logout_redirect_uri',
  apiKeyHeader: undefined,
  subjectIsCitizenId: false,
  staticEndpoints: undefined,
  transformClientSecret: undefined,
};

/** The presets by provider name: issuers per environment, static endpoints, auth method and claim sources. */
export const PROVIDER_PRESETS: Readonly<Record<ProviderName, ProviderPreset>> = {
  thaid: THAID_PRESET,
  dga: DGA_PRESET,
  generic: GENERIC_PRESET,
};
