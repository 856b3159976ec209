import type { Logger, LogLevel, OperationOptions, TimeoutOptions } from '@thgov/core';
import { tlsOptionsShape, transportOptionsShape, z } from '@thgov/core/internal';
import type {
  BasicCredentialEncoding,
  ClaimsSource,
  LogoutRedirectParameter,
  ProviderName,
  TokenEndpointAuthMethod,
} from './presets.js';
import type { StateStore } from './state-store.js';

/**
 * Options of `DigitalIdClient`: the provider preset and environment, the client's credentials and redirect URIs, and the state store.
 *
 * @example
 * ```ts
 * const options: DigitalIdClientOptions = {
 *   provider: 'thaid',
 *   environment: 'sandbox',
 *   clientId: process.env.THAID_CLIENT_ID!,
 *   clientSecret: process.env.THAID_CLIENT_SECRET!,
 *   redirectUri: 'https://agency.example.go.th/auth/callback',
 * };
 * ```
 */
export interface DigitalIdClientOptions {
  /** `thaid`, `dga`, or `generic` (any OIDC provider; `issuer` required). */
  provider: ProviderName;
  /** Which of the preset's issuers: thaid `production` | `sandbox`, dga `production` | `uat`. */
  environment?: string;
  /** Overrides the preset's issuer (e.g. the local sandbox). */
  issuer?: string;
  clientId: string;
  /** The raw secret as the provider gave it (DGA: the raw Consumer-Secret; the preset hashes it). */
  clientSecret?: string;
  /** Exactly as registered with the provider. */
  redirectUri: string;
  /** Where the provider sends the browser after logout (must be registered too). */
  postLogoutRedirectUri?: string;
  /** Default scopes for `createLoginRequest`. `openid` is always added. */
  scopes?: string[];
  /** ThaID's DOPA-issued API key, sent on token-endpoint calls. */
  apiKey?: string;
  /** Header that carries `apiKey`. Default: the preset's (`x-imauth-apikey` for ThaID). */
  apiKeyHeader?: string;
  /** Default: the preset's (`client_secret_post` for ThaID, `client_secret_basic` otherwise). */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Client authentication at introspection and revocation. Default: the preset's (`client_secret_basic`). */
  introspectionAuthMethod?: TokenEndpointAuthMethod;
  /**
   * How `client_secret_basic` writes the client ID and secret: `form` (RFC 6749 §2.3.1 form-encoded) or `raw`
   * (as they are). Default: the preset's (`raw` for ThaID, whose Basic credentials are not form-decoded; `form`
   * otherwise).
   */
  basicCredentialEncoding?: BasicCredentialEncoding;
  /** Send the configured secret as is, even when the preset would transform it (DGA hash already applied). */
  clientSecretIsTransformed?: boolean;
  /** Default: the preset's. */
  logoutRedirectParameter?: LogoutRedirectParameter;
  /** Where identity claims come from. Default: the preset's (ThaID id_token, DGA userinfo, generic both). */
  claimsSource?: ClaimsSource;
  /** `auto` (default): discovery, then the preset's static endpoints if discovery fails; `required`; `static`. */
  discovery?: 'auto' | 'required' | 'static';
  /** Pushed authorization requests: `auto` (default) uses them when the provider advertises them. */
  par?: 'auto' | 'always' | 'never';
  /** DPoP-bound tokens: `auto` (default) uses them when the provider advertises them. */
  dpop?: 'auto' | 'never';
  /** Where login states wait for their callback. Default: an in-memory store. */
  stateStore?: StateStore;
  /** How long a login may take. Default 15 minutes (the ThaID QR step is slow). */
  stateTtlInMs?: number;
  /** Clock skew accepted on id_token times. Default 30 s. */
  clockToleranceInMs?: number;
  /**
   * Largest provider response body read (discovery, JWKS, token, userinfo, introspection), in bytes; a larger
   * one fails with ERR_DIGITAL_ID_RESPONSE_INVALID before it is buffered. Default 1 MiB.
   */
  maxResponseBytes?: number;
  /**
   * Connect / headers / body timeouts, the minimum body throughput, and the total deadline of each operation
   * (default 120 s, `DEFAULT_TIMEOUTS` in @thgov/core; per call `timeoutInMs`). openid-client's own 30 s
   * default does not apply: this deadline is the one that counts, and the one an ERR_TIMEOUT reports.
   */
  timeouts?: TimeoutOptions;
  /** An HTTP(S) proxy URL, or `env` for HTTPS_PROXY / NO_PROXY. */
  proxy?: string;
  /** Extra CA certificates (PEM) for the provider's TLS. */
  tls?: { ca?: string | Buffer | Array<string | Buffer> };
  logger?: Logger;
  logLevel?: LogLevel;
  /** DEVELOPMENT ONLY: allow a plain-http issuer (the local sandbox on 127.0.0.1). Never in production. */
  dangerouslyAllowInsecureHttp?: boolean;
  /**
   * Accept an id_token without a `nonce` claim (a provider that does not echo it). A nonce that is
   * present must still match. Weakens replay protection: only when the provider really omits it.
   */
  dangerouslyAllowMissingNonce?: boolean;
}

/** Options of `createLoginRequest`: scopes, prompt, max age, language and extra parameters. */
export interface CreateLoginRequestInput {
  /** Scopes for this login; default: the client's. `openid` is always added. */
  scopes?: string[];
  prompt?: 'login' | 'consent' | 'none' | 'select_account';
  /** Sent as `max_age` (seconds, rounded up); `auth_time` is then checked. */
  maxAgeInMs?: number;
  uiLocales?: string;
  loginHint?: string;
  /**
   * Sent as `acr_values` (space-separated); the id_token must then assert one of them as `acr`, else the
   * login fails with ERR_DIGITAL_ID_ID_TOKEN_INVALID. The asserted value is `identity.acr`.
   */
  acrValues?: string;
  /**
   * Extra authorization parameters a provider needs. Protocol parameters cannot be overridden. A `max_age`
   * (seconds) or `acr_values` here is enforced like `maxAgeInMs` / `acrValues` (not both spellings at once).
   */
  extraParameters?: Record<string, string>;
  /** Application data kept with the state and returned with the identity (e.g. `returnTo`). */
  data?: Record<string, string>;
}

/** What `createLoginRequest` returns: the URL to redirect to and the state to keep in the session. */
export interface LoginRequest {
  /** Send the browser here (302). */
  url: string;
  /** Also keep it in the user's session and pass it as `expectedState` to `handleCallback` (login-CSRF defence). */
  state: string;
  expiresAt: Date;
}

/** Options of `handleCallback`: the state kept in the browser session, and the call's abort signal. */
export interface HandleCallbackOptions extends OperationOptions {
  /**
   * Required: the `login.state` kept in this user's own session when the login started (login-CSRF defence,
   * RFC 9700 §4.7.1). A callback whose state differs, or a call without it (the session lost it), is refused
   * with ERR_DIGITAL_ID_STATE_MISMATCH: a state that is only in the shared store does not prove that this
   * browser started the login.
   */
  expectedState: string;
}

/** Options of `refresh`: the id_token of the original login, and the call's abort signal. */
export interface RefreshOptions extends OperationOptions {
  /**
   * The id_token of the login being refreshed (`identity.tokens.idToken`) or its claims (`identity.claims`).
   * When given, a refreshed id_token must keep its `iss`, `sub`, `aud`, `azp`, `auth_time` and `nonce`
   * (OIDC Core §12.2). Without it only `azp` (must be this client) is checked beyond openid-client's checks.
   */
  originalIdToken?: string | Record<string, unknown>;
}

/** Options of `logoutUrl`: the id_token hint and where the provider sends the browser back. */
export interface LogoutUrlInput {
  /** The id_token from the login (`identity.tokens.idToken`). */
  idToken?: string;
  /** Overrides the client's `postLogoutRedirectUri`. */
  postLogoutRedirectUri?: string;
  state?: string;
}

/** Options of `revoke`: which kind of token it is, and the call's abort signal. */
export interface RevokeOptions extends OperationOptions {
  tokenTypeHint?: 'access_token' | 'refresh_token';
}

/** RFC 7662 introspection of a token: whether it is active, its subject, scope, client and expiry. */
export interface IntrospectionResult {
  active: boolean;
  subject?: string;
  scope?: string;
  clientId?: string;
  expiresAt?: Date;
  /** The whole introspection response. */
  claims: Record<string, unknown>;
}

const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'not a valid scope token');
const httpUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.hash && !u.username;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without fragment or credentials');

export const digitalIdClientOptionsSchema = z
  .object({
    provider: z.enum(['thaid', 'dga', 'generic']),
    environment: z.string().min(1).max(40).optional(),
    issuer: httpUrl.optional(),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(4096).optional(),
    redirectUri: httpUrl,
    postLogoutRedirectUri: httpUrl.optional(),
    scopes: z.array(scopeToken).min(1).max(50).optional(),
    apiKey: z.string().min(1).max(4096).optional(),
    apiKeyHeader: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/)
      .optional(),
    tokenEndpointAuthMethod: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
    introspectionAuthMethod: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
    basicCredentialEncoding: z.enum(['form', 'raw']).optional(),
    clientSecretIsTransformed: z.boolean().optional(),
    logoutRedirectParameter: z.enum(['post_logout_redirect_uri', 'post_logout_redirect_url']).optional(),
    claimsSource: z.enum(['id_token', 'userinfo', 'both']).optional(),
    discovery: z.enum(['auto', 'required', 'static']).optional(),
    par: z.enum(['auto', 'always', 'never']).optional(),
    dpop: z.enum(['auto', 'never']).optional(),
    stateStore: z
      .custom<StateStore>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as StateStore).save === 'function' &&
          typeof (v as StateStore).consume === 'function',
        { message: 'stateStore needs save() and consume()' },
      )
      .optional(),
    stateTtlInMs: z.number().int().min(10_000).max(3_600_000).optional(),
    clockToleranceInMs: z.number().int().min(0).max(300_000).optional(),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional(),
    timeouts: transportOptionsShape.timeouts,
    proxy: transportOptionsShape.proxy,
    tls: z.object({ ca: tlsOptionsShape.ca }).strict().optional(),
    logger: transportOptionsShape.logger,
    logLevel: transportOptionsShape.logLevel,
    dangerouslyAllowInsecureHttp: z.boolean().optional(),
    dangerouslyAllowMissingNonce: z.boolean().optional(),
  })
  .strict();

export const logoutUrlInputSchema = z
  .object({
    idToken: z
      .string()
      .min(1)
      .max(16 * 1024)
      .optional(),
    postLogoutRedirectUri: httpUrl.optional(),
    state: z.string().max(2048).optional(),
  })
  .strict();

export const createLoginRequestSchema = z
  .object({
    scopes: z.array(scopeToken).min(1).max(50).optional(),
    prompt: z.enum(['login', 'consent', 'none', 'select_account']).optional(),
    maxAgeInMs: z
      .number()
      .int()
      .min(0)
      .max(365 * 24 * 3600 * 1000)
      .optional(),
    uiLocales: z.string().max(100).optional(),
    loginHint: z.string().max(256).optional(),
    acrValues: z.string().max(256).optional(),
    extraParameters: z.record(z.string().max(100), z.string().max(2048)).optional(),
    data: z.record(z.string().max(100), z.string().max(2048)).optional(),
  })
  .strict();
