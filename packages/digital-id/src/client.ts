import { createHash } from 'node:crypto';
import {
  DEFAULT_TIMEOUTS,
  HttpError,
  invalidArgument,
  type OperationOptions,
  redactUrl,
  registerSecret,
  ThGovError,
  unregisterSecret,
  withSecrets,
} from '@thgov/core';
import {
  abortReason,
  errorType,
  SafeLogger,
  sharedTelemetry,
  startDeadline,
  TELEMETRY_NAMES,
  validateOptions,
} from '@thgov/core/internal';
import * as oidc from 'openid-client';
import { sensitiveClaimValues } from './claim-secrets.js';
import {
  dpopHandle,
  finishConfiguration,
  staticConfiguration,
  usesPar,
  withAlgorithmDefaults,
} from './engine-config.js';
import {
  codeForOAuthError,
  digitalIdError,
  type MapContext,
  mapError,
  oauthMessage,
  phaseTimeouts,
  spentLoginError,
} from './error-mapping.js';
import { type DigitalIdErrorCode, isDigitalIdError } from './errors.js';
import { type CallContext, callContext, createHttp, type KeptAnswer, type OwnedHttp } from './http.js';
import { type DigitalIdentity, mergeUserinfo, normalizeIdentity, type TokenSet } from './identity.js';
import {
  type CreateLoginRequestInput,
  createLoginRequestSchema,
  type DigitalIdClientOptions,
  digitalIdClientOptionsSchema,
  type HandleCallbackOptions,
  type IntrospectionResult,
  type LoginRequest,
  type LogoutUrlInput,
  logoutUrlInputSchema,
  type RefreshOptions,
  type RevokeOptions,
} from './options.js';
import { type BasicCredentialEncoding, PROVIDER_PRESETS, type ProviderPreset } from './presets.js';
import { type LoginState, MemoryStateStore, releaseLogin, type StateStore } from './state-store.js';
import { tokenHashMatches } from './token-hash.js';

const DEFAULT_STATE_TTL_IN_MS = 15 * 60_000;
/** openid-client's default clock tolerance, and the README's: 30 s. */
const DEFAULT_CLOCK_TOLERANCE_IN_MS = 30_000;
/** How long a token stays registered for redaction past its `expires_in` (and without one). */
const TOKEN_MARGIN_IN_MS = 5 * 60_000;
const DEFAULT_TOKEN_TTL_IN_MS = 60 * 60_000;
const DEFAULT_REFRESH_TTL_IN_MS = 7 * 24 * 60 * 60_000;
const MAX_CALLBACK_URL_LENGTH = 16 * 1024;
/** After a failed discovery, how long the preset's static endpoints stand in before discovery is retried. */
const DISCOVERY_RETRY_IN_MS = 60_000;
/** At most one engine rebuild (fresh JWKS) per this interval for id_tokens signed with an unknown key. */
const JWKS_REFRESH_IN_MS = 10_000;
/**
 * Deepest nesting of claims accepted (an address claim is 2 levels): deeper JSON, which JSON.parse reads but
 * JSON.stringify and structuredClone overflow the stack on, would hand the application an identity it cannot
 * serialize (session stores, logs).
 */
const MAX_CLAIM_DEPTH = 32;
/** Longest `sub` accepted (OIDC Core §2: it "MUST NOT exceed 255 ASCII characters in length"). */
const MAX_SUBJECT_LENGTH = 255;
/** Parameters the client sets itself; `extraParameters` may not override them. */
const RESERVED = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request',
  'request_uri',
  'response_mode',
]);
/** The hint of a callback refused because the caller did not pass the state from the user's session. */
const SESSION_STATE_HINT =
  "Pass expectedState: the login.state kept in this user's own session when the login started. A state found only in the state store does not prove that this browser started the login (login CSRF, RFC 9700 §4.7.1); if the session lost it, start the login again.";
interface Engine {
  config: oidc.Configuration;
  /** Same provider, the client authentication for introspection and revocation. */
  managementConfig: oidc.Configuration;
  issuer: string;
  discovered: boolean;
  dpop: oidc.DPoPHandle | undefined;
  usePar: boolean;
}

/** A token endpoint answer as the engine returns it (the id_token's claims through `claims()`). */
type GrantAnswer = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

/** Provider metadata as the client uses it (after discovery or the static fallback). */
export interface ProviderMetadata {
  issuer: string;
  /** False when the preset's static endpoints are in use. */
  discovered: boolean;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  endSessionEndpoint?: string;
  par: boolean;
  dpop: boolean;
}

/**
 * OpenID Connect login for ThaID, DGA Digital ID and any OIDC provider, on openid-client (the certified
 * relying party). Adds the Thai providers' quirks as presets, a state store, typed errors and redaction.
 *
 * @example
 * ```ts
 * const thaid = new DigitalIdClient({
 *   provider: 'thaid',
 *   clientId: process.env.THAID_CLIENT_ID!,
 *   clientSecret: process.env.THAID_CLIENT_SECRET!,
 *   apiKey: process.env.THAID_API_KEY!,
 *   redirectUri: 'https://eservice.agency.go.th/auth/callback',
 * });
 * const login = await thaid.createLoginRequest(); // redirect to login.url, keep login.state in the session
 * // on the callback:
 * const person = await thaid.handleCallback(callbackUrl, { expectedState: login.state });
 * ```
 */
export class DigitalIdClient {
  readonly provider: ProviderPreset['name'];
  readonly #preset: ProviderPreset;
  readonly #o: DigitalIdClientOptions;
  readonly #issuer: URL;
  readonly #store: StateStore;
  readonly #http: OwnedHttp;
  readonly #log: SafeLogger;
  readonly #secret: string | undefined;
  /** Credentials registered for redaction at construction, released by `close()`. */
  readonly #credentials: string[];
  #engine: Promise<Engine> | undefined;
  /** When a fallback engine (failed discovery) is dropped so discovery is tried again; undefined: kept. */
  #engineExpiresAt: number | undefined;
  #keysRefreshedAt: number | undefined;
  /** Refresh grants in flight, by refresh token: concurrent callers with one token share its request. */
  readonly #refreshing = new Map<string, { grant: Promise<GrantAnswer>; signal: AbortSignal | undefined }>();
  /** The DPoP key pair per algorithm, kept across engine rebuilds (tokens are bound to it). */
  readonly #dpopKeys = new Map<string, Promise<oidc.CryptoKeyPair>>();
  #tokenEndpoint: string | undefined;
  #closed = false;

  constructor(options: DigitalIdClientOptions) {
    const o = validateOptions(
      digitalIdClientOptionsSchema,
      options,
      'DigitalIdClient options',
    ) as DigitalIdClientOptions;
    this.#o = o;
    this.#preset = PROVIDER_PRESETS[o.provider];
    this.provider = this.#preset.name;
    const env = o.environment ?? this.#preset.defaultEnvironment;
    const issuer =
      o.issuer ??
      (env !== undefined && Object.hasOwn(this.#preset.issuers, env) ? this.#preset.issuers[env] : undefined);
    if (!issuer) {
      throw invalidArgument(
        o.provider === 'generic'
          ? 'DigitalIdClient options.issuer is required for the generic provider'
          : `DigitalIdClient options.environment must be one of: ${Object.keys(this.#preset.issuers).join(', ')}`,
      );
    }
    this.#issuer = new URL(issuer);
    const redirect = new URL(o.redirectUri);
    if (this.#issuer.protocol === 'http:' && !o.dangerouslyAllowInsecureHttp) {
      throw digitalIdError('ERR_DIGITAL_ID_INSECURE', `The issuer ${this.#issuer.origin} is plain http`, {
        provider: this.#preset.displayName,
      });
    }
    if (redirect.protocol === 'http:' && !isLoopback(redirect) && !o.dangerouslyAllowInsecureHttp) {
      throw digitalIdError(
        'ERR_DIGITAL_ID_INSECURE',
        'The redirect URI is plain http on a non-loopback host',
        {
          provider: this.#preset.displayName,
        },
      );
    }
    if (o.tokenEndpointAuthMethod !== 'none' && !o.clientSecret) {
      throw invalidArgument(
        'DigitalIdClient options.clientSecret is required unless tokenEndpointAuthMethod is "none"',
      );
    }
    const transform = o.clientSecretIsTransformed ? undefined : this.#preset.transformClientSecret;
    this.#secret = o.clientSecret && transform ? transform(o.clientSecret) : o.clientSecret;
    this.#credentials = [
      o.clientSecret,
      o.apiKey,
      this.#secret,
      ...(this.#secret === undefined ? [] : wireSpellings(o.clientId, this.#secret)),
    ].filter((v): v is string => v !== undefined);
    for (const credential of this.#credentials) registerSecret(credential, { kind: 'credential' });
    this.#store = o.stateStore ?? new MemoryStateStore();
    this.#log = new SafeLogger(o.logger, o.logLevel);
    const apiKeyHeader = o.apiKeyHeader ?? this.#preset.apiKeyHeader ?? 'x-api-key';
    this.#http = createHttp({
      maxResponseBytes: o.maxResponseBytes,
      provider: this.#preset.displayName,
      timeouts: o.timeouts,
      proxy: o.proxy,
      ca: o.tls?.ca,
      headersFor: (url) =>
        o.apiKey && this.#tokenEndpoint !== undefined && url.split('?')[0] === this.#tokenEndpoint
          ? { [apiKeyHeader]: o.apiKey }
          : undefined,
    });
  }

  /** Discovers the provider (once) and returns the endpoints in use. */
  async metadata(options?: OperationOptions): Promise<ProviderMetadata> {
    return this.#run('metadata', options, async () => {
      const e = await this.#getEngine();
      const m = e.config.serverMetadata();
      const out: ProviderMetadata = {
        issuer: e.issuer,
        discovered: e.discovered,
        authorizationEndpoint: m.authorization_endpoint ?? '',
        tokenEndpoint: m.token_endpoint ?? '',
        par: e.usePar,
        dpop: e.dpop !== undefined,
      };
      if (m.userinfo_endpoint) out.userinfoEndpoint = m.userinfo_endpoint;
      if (m.revocation_endpoint) out.revocationEndpoint = m.revocation_endpoint;
      if (m.introspection_endpoint) out.introspectionEndpoint = m.introspection_endpoint;
      if (m.end_session_endpoint) out.endSessionEndpoint = m.end_session_endpoint;
      return out;
    });
  }

  /**
   * Starts a login: state, nonce and PKCE S256 are always used, PAR when the provider advertises it.
   * Redirect the browser to `url`; keep `state` in the user's session for `handleCallback`.
   */
  async createLoginRequest(
    input: CreateLoginRequestInput = {},
    options?: OperationOptions,
  ): Promise<LoginRequest> {
    const i = validateOptions(
      createLoginRequestSchema,
      input,
      'createLoginRequest input',
    ) as CreateLoginRequestInput;
    for (const key of Object.keys(i.extraParameters ?? {})) {
      if (RESERVED.has(key))
        throw invalidArgument(`createLoginRequest input.extraParameters.${key} is set by the client`);
    }
    const { maxAge, acrValues } = requestedChecks(i);
    return this.#run('createLoginRequest', options, async () => {
      const e = await this.#getEngine();
      const scopes = withOpenid(i.scopes ?? this.#o.scopes ?? [...this.#preset.defaultScopes]);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const params: Record<string, string> = {
        ...(i.extraParameters ?? {}),
        response_type: 'code',
        redirect_uri: this.#o.redirectUri,
        scope: scopes.join(' '),
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      };
      if (maxAge !== undefined) params.max_age = String(maxAge);
      if (i.prompt) params.prompt = i.prompt;
      if (i.uiLocales) params.ui_locales = i.uiLocales;
      if (i.loginHint) params.login_hint = i.loginHint;
      if (acrValues) params.acr_values = acrValues;
      const now = Date.now();
      const record: LoginState = {
        state,
        nonce,
        codeVerifier,
        redirectUri: this.#o.redirectUri,
        issuer: e.issuer,
        clientId: this.#o.clientId,
        scopes,
        createdAt: now,
        expiresAt: now + (this.#o.stateTtlInMs ?? DEFAULT_STATE_TTL_IN_MS),
        ...(maxAge !== undefined ? { maxAge } : {}),
        ...(acrValues ? { acrValues: acrValues.split(/\s+/) } : {}),
        ...(i.data ? { data: i.data } : {}),
      };
      // Filed under a key of this client's own (the state behind its namespace): another client sharing the
      // store never finds it, so a callback misrouted to that client cannot burn this login.
      const key = stateKey(e.issuer, this.#o.clientId, this.#o.redirectUri, state);
      // Filed before the push: a store that refuses (full under a flood, or down) answers before any request
      // to the provider, and no request_uri is registered there for a login that cannot complete.
      await this.#store.save({ ...record, state: key });
      const url = await this.#authorizationUrl(e, params, key);
      this.#log.debug('digital-id login started', {
        provider: this.provider,
        par: e.usePar,
        scopes: scopes.join(' '),
      });
      return { url: url.href, state, expiresAt: new Date(record.expiresAt) };
    });
  }

  /**
   * The URL to send the browser to: with PAR, after pushing the request to the provider. A push that fails
   * gives back the place its login took in the store (`key`), so failing pushes cannot fill the store.
   */
  async #authorizationUrl(e: Engine, params: Record<string, string>, key: string): Promise<URL> {
    if (!e.usePar) return oidc.buildAuthorizationUrl(e.config, params);
    try {
      return await oidc.buildAuthorizationUrlWithPAR(e.config, params, e.dpop ? { DPoP: e.dpop } : undefined);
    } catch (err) {
      await releaseLogin(this.#store, key).catch(() => {
        // The push's error is the one to report; the login left behind expires with its TTL.
        this.#log.warn('digital-id login state not released after a failed push', {
          provider: this.provider,
        });
      });
      throw err;
    }
  }

  /**
   * Completes a login from the URL the provider redirected the browser to: checks state (one-time,
   * unexpired, and equal to `expectedState`, the state kept in the user's own session: required), redirect
   * URI, issuer, then the code
   * exchange with PKCE and full id_token validation, and userinfo (with its `sub` check) where the
   * provider puts the claims there.
   */
  async handleCallback(currentUrl: string | URL, options: HandleCallbackOptions): Promise<DigitalIdentity> {
    const url = this.#parseCallback(currentUrl);
    // The code and the PKCE verifier are secrets while this callback runs, its errors included: providers
    // echo the code (and some the verifier) in error_description.
    const held: string[] = [];
    const hold = (value: string | null) => {
      if (!value) return;
      registerSecret(value, { kind: 'credential' });
      held.push(value);
    };
    hold(url.searchParams.get('code'));
    try {
      return await this.#callback(url, options, hold);
    } finally {
      for (const value of held) unregisterSecret(value);
    }
  }

  /** Login CSRF (RFC 9700 §4.7.1): the callback state must be the one kept in this user's own session. */
  #checkSessionState(state: string, options: HandleCallbackOptions | undefined): void {
    const expected: unknown = options?.expectedState;
    if (typeof expected !== 'string' || expected === '') {
      throw digitalIdError(
        'ERR_DIGITAL_ID_STATE_MISMATCH',
        "handleCallback was called without expectedState (the state from the user's session)",
        { provider: this.#preset.displayName, hint: SESSION_STATE_HINT },
      );
    }
    if (expected !== state) {
      throw this.#err(
        'ERR_DIGITAL_ID_STATE_MISMATCH',
        'The callback state differs from the one in this session',
      );
    }
  }

  #callback(
    url: URL,
    options: HandleCallbackOptions | undefined,
    hold: (value: string) => void,
  ): Promise<DigitalIdentity> {
    return this.#run('handleCallback', options, async () => {
      const e = await this.#getEngine();
      const params = url.searchParams;
      const state = params.get('state');
      if (!state) throw this.#err('ERR_DIGITAL_ID_STATE_MISSING', 'The callback has no state parameter');
      this.#checkSessionState(state, options);
      const record = await this.#takeLogin(e, state, hold);
      if (!arrivedAt(url, new URL(record.redirectUri))) {
        throw this.#err(
          'ERR_DIGITAL_ID_REDIRECT_MISMATCH',
          'The callback did not arrive at the redirect URI of the login',
        );
      }
      const iss = params.get('iss');
      if (iss !== null && iss !== e.issuer) {
        throw this.#err(
          'ERR_DIGITAL_ID_ISSUER_MISMATCH',
          'The callback names another issuer than this provider (mix-up)',
        );
      }
      // RFC 9207 §2.4: a provider that advertises the iss parameter sends it on every authorization response,
      // error responses included; one without it may come from another provider (mix-up) and is refused
      // before its error is believed.
      if (iss === null && e.config.serverMetadata().authorization_response_iss_parameter_supported === true) {
        throw this.#err(
          'ERR_DIGITAL_ID_ISSUER_MISMATCH',
          'The callback has no iss parameter though this provider sends it (RFC 9207 mix-up defence)',
        );
      }
      const error = params.get('error');
      if (error !== null) {
        const description = params.get('error_description') ?? '';
        throw digitalIdError(
          codeForOAuthError(error, description),
          oauthMessage(this.#preset.displayName, error, description),
          { provider: this.#preset.displayName, oauthError: error },
        );
      }
      if (!params.get('code'))
        throw this.#err('ERR_DIGITAL_ID_CALLBACK_INVALID', 'The callback has neither code nor error');

      return this.#exchangeCode(e, url, state, record);
    });
  }

  /**
   * Consumes the login of this callback's state from the store: under this client's own key, so a state of
   * another client (or of another redirect URI of this client ID) sharing the store reads as unknown and is
   * left untouched. Logins pending at an upgrade are found under the keys of earlier releases, each looked up
   * only when the one before is missing: the key without the redirect URI, then the bare state (only for a
   * state of the shape this client makes). The store consumes such a record before the ownership and redirect
   * checks see it, so a callback misrouted to another client or endpoint can still burn it: only records made
   * before the upgrade, gone within their TTL.
   */
  async #takeLogin(e: Engine, state: string, hold: (value: string) => void): Promise<LoginState> {
    let consumed = await this.#store.consume(
      stateKey(e.issuer, this.#o.clientId, this.#o.redirectUri, state),
    );
    if (consumed.status === 'unknown')
      consumed = await this.#store.consume(stateKeyV1(e.issuer, this.#o.clientId, state));
    if (consumed.status === 'unknown' && LEGACY_STATE.test(state))
      consumed = await this.#store.consume(state);
    if (consumed.status === 'unknown')
      throw this.#err('ERR_DIGITAL_ID_STATE_MISMATCH', 'The callback state is unknown');
    if (consumed.status === 'expired')
      throw this.#err('ERR_DIGITAL_ID_STATE_EXPIRED', 'The login state has expired');
    if (consumed.status === 'consumed')
      throw this.#err('ERR_DIGITAL_ID_STATE_REPLAYED', 'This callback was already used');
    // From here the login is used up: this callback cannot be completed by repeating the call.
    const ctx = callContext.getStore();
    if (ctx) ctx.loginSpent = true;
    const record = consumed.record;
    hold(record.codeVerifier);
    if (record.issuer !== e.issuer) {
      throw this.#err('ERR_DIGITAL_ID_ISSUER_MISMATCH', 'The login was started with another provider');
    }
    if (record.clientId !== this.#o.clientId) {
      throw this.#err('ERR_DIGITAL_ID_STATE_MISMATCH', 'The login state belongs to another client');
    }
    return { ...record, state };
  }

  async #exchangeCode(e: Engine, url: URL, state: string, record: LoginState): Promise<DigitalIdentity> {
    const checks: oidc.AuthorizationCodeGrantChecks = {
      pkceCodeVerifier: record.codeVerifier,
      expectedState: state,
      expectedNonce: record.nonce,
      idTokenExpected: true,
      ...(record.maxAge !== undefined ? { maxAge: record.maxAge } : {}),
    };
    const ctx = callContext.getStore();
    if (ctx) ctx.redirectUri = record.redirectUri;
    if (ctx && this.#o.dangerouslyAllowMissingNonce) {
      // The engine reads checks.expectedNonce after the token response arrives; a provider that does not
      // echo the nonce is accepted only through this explicit opt-in, a nonce that is present must match.
      ctx.onTokenResponseBody = (body) => {
        const payload = idTokenPayload(body);
        if (payload && payload.nonce === undefined) checks.expectedNonce = undefined;
      };
    }
    const { engine, tokens } = await this.#grantWithFreshKeys(e, (en) =>
      oidc.authorizationCodeGrant(en.config, url, checks, undefined, en.dpop ? { DPoP: en.dpop } : undefined),
    );
    if (ctx) {
      ctx.onTokenResponseBody = undefined;
      ctx.redirectUri = undefined;
    }
    const tokenSet = toTokenSet(tokens);
    const idClaims = tokens.claims();
    if (!idClaims) throw this.#err('ERR_DIGITAL_ID_ID_TOKEN_INVALID', 'The token response has no id_token');
    if (nestedDeeperThan(idClaims, MAX_CLAIM_DEPTH)) {
      throw this.#err(
        'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
        `The id_token has a claim nested deeper than ${MAX_CLAIM_DEPTH} levels`,
      );
    }
    this.#checkIdToken(tokens, idClaims);
    this.#checkAuthTime(idClaims, record);
    this.#checkAcr(idClaims, record);
    registerClaims(idClaims, tokenSet);
    const claims = await this.#withUserinfo(engine, tokenSet, idClaims);
    registerClaims(claims, tokenSet);
    const identity = normalizeIdentity(this.#preset, engine.issuer, claims, tokenSet);
    if (record.data) identity.data = record.data;
    this.#log.info('digital-id login completed', {
      provider: this.provider,
      ial: identity.ial,
      hasCitizenId: identity.citizenId !== undefined,
    });
    return identity;
  }

  /**
   * The id_token claims with the userinfo claims added (where the provider puts the claims there): userinfo
   * never overrides a protocol claim, and a userinfo citizen ID other than the id_token's refuses the login.
   */
  async #withUserinfo(
    e: Engine,
    tokenSet: TokenSet,
    idClaims: oidc.IDToken,
  ): Promise<Record<string, unknown>> {
    const source = this.#o.claimsSource ?? this.#preset.claimsSource;
    const userinfoEndpoint = e.config.serverMetadata().userinfo_endpoint;
    if (source === 'id_token' || !userinfoEndpoint) {
      if (source === 'userinfo')
        throw this.#err('ERR_DIGITAL_ID_UNSUPPORTED', 'The provider has no userinfo endpoint');
      return { ...idClaims };
    }
    const fetchUserInfo = (en: Engine) =>
      oidc.fetchUserInfo(
        en.config,
        tokenSet.accessToken,
        idClaims.sub,
        en.dpop ? { DPoP: en.dpop } : undefined,
      );
    const userinfo = await fetchUserInfo(e)
      .catch(async (err: unknown) => {
        // A userinfo JWT signed with a key the cached JWKS lacks: asked again (a read) with the keys refetched.
        const fresh = this.#signedWithUnknownKey(err) ? await this.#freshKeysEngine(e) : e;
        if (fresh === e) throw err;
        return fetchUserInfo(fresh);
      })
      .catch((err: unknown) => {
        // A userinfo JWT that fails validation is named as such, not as the id_token.
        throw mapError(err, { ...this.#mapCtx(), jwt: 'userinfo JWT', bearer: true });
      });
    if (nestedDeeperThan(userinfo, MAX_CLAIM_DEPTH)) {
      throw this.#err(
        'ERR_DIGITAL_ID_RESPONSE_INVALID',
        `The userinfo response has a claim nested deeper than ${MAX_CLAIM_DEPTH} levels`,
      );
    }
    const merged = mergeUserinfo(this.#preset, { ...idClaims }, userinfo);
    if (!merged) {
      throw this.#err(
        'ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH',
        'The userinfo citizen ID differs from the one in the id_token',
      );
    }
    return merged;
  }

  /**
   * Exchanges a refresh token for fresh tokens. Pass `originalIdToken` (the login's id_token or its claims)
   * to have a refreshed id_token checked against it (OIDC Core §12.2: same iss, sub, aud, auth_time, nonce).
   */
  async refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenSet> {
    requireToken(refreshToken, 'refreshToken');
    const original =
      options?.originalIdToken === undefined ? undefined : originalClaims(options.originalIdToken);
    // The login's claims are held while the call runs: the registrations of the login may be long evicted.
    const held = sensitiveClaimValues(original);
    return this.#runHolding(
      refreshToken,
      'refresh',
      options,
      async () => {
        const tokens = await this.#sharedRefreshGrant(refreshToken);
        const claims = tokens.claims();
        if (claims) this.#checkIdToken(tokens, claims);
        if (claims && original) this.#checkSameLogin(original, claims);
        const tokenSet = toTokenSet(tokens, refreshToken);
        if (claims) registerClaims(claims, tokenSet);
        return tokenSet;
      },
      held,
    );
  }

  /**
   * The refresh grant for `refreshToken`, one request for every concurrent caller with that token: a provider
   * that rotates refresh tokens takes a second use of one as theft and revokes the grant (RFC 9700 §4.14.2),
   * the token the first use has just issued included. Shared only while in flight, under the first caller's
   * deadline and abort: when that caller gives up, a joined caller sends its own (as it would have alone).
   * Each caller checks the answer against its own options.
   */
  #sharedRefreshGrant(refreshToken: string): Promise<GrantAnswer> {
    const inflight = this.#refreshing.get(refreshToken);
    if (inflight) {
      return inflight.grant.catch((err: unknown) => {
        if (!inflight.signal?.aborted) throw err;
        return this.#sharedRefreshGrant(refreshToken);
      });
    }
    const grant = this.#getEngine().then(async (e) => {
      const { tokens } = await this.#grantWithFreshKeys(e, (en) =>
        oidc.refreshTokenGrant(en.config, refreshToken, undefined, en.dpop ? { DPoP: en.dpop } : undefined),
      );
      return tokens;
    });
    this.#refreshing.set(refreshToken, { grant, signal: callContext.getStore()?.signal });
    const forget = () => {
      if (this.#refreshing.get(refreshToken)?.grant === grant) this.#refreshing.delete(refreshToken);
    };
    grant.then(forget, forget);
    return grant;
  }

  /**
   * A code or refresh grant whose id_token is signed with a key the cached JWKS lacks (the provider rotated
   * its keys) is validated once more with the keys fetched again, from the same answer replayed: the grant
   * cannot be sent twice (the code is single-use; a rotated refresh token replaces the one sent, and losing
   * it ends the session). Bounded: one retry per call, and a fresh JWKS at most once per
   * {@link JWKS_REFRESH_IN_MS} (a call that finds the keys refetched by another one uses those).
   */
  async #grantWithFreshKeys(
    e: Engine,
    grant: (engine: Engine) => Promise<GrantAnswer>,
  ): Promise<{ engine: Engine; tokens: GrantAnswer }> {
    const ctx = callContext.getStore();
    const endpoint = e.config.serverMetadata().token_endpoint;
    if (!ctx || !endpoint) return { engine: e, tokens: await grant(e) };
    const kept: KeptAnswer = { endpoint, replay: false };
    ctx.kept = kept;
    try {
      return { engine: e, tokens: await grant(e) };
    } catch (err) {
      const fresh = kept.answer && this.#signedWithUnknownKey(err) ? await this.#freshKeysEngine(e) : e;
      if (fresh === e || fresh.config.serverMetadata().token_endpoint !== endpoint) throw err;
      kept.replay = true;
      return { engine: fresh, tokens: await grant(fresh) };
    } finally {
      ctx.kept = undefined;
    }
  }

  /** Whether an engine error is a JWT signed with a key the cached JWKS lacks (mapped retryable so). */
  #signedWithUnknownKey(err: unknown): boolean {
    const mapped = mapError(err, this.#mapCtx());
    return isDigitalIdError(mapped, 'ERR_DIGITAL_ID_ID_TOKEN_INVALID') && mapped.retryable;
  }

  /**
   * An engine with the provider's keys fetched again (or already refetched by another call since `e` was
   * built); `e` itself when the keys were refetched too recently or the new engine cannot be built.
   */
  async #freshKeysEngine(e: Engine): Promise<Engine> {
    this.#refreshKeys();
    return this.#getEngine().catch(() => e);
  }

  /**
   * What openid-client leaves to its caller on an id_token it verified (code exchange and refresh alike):
   * `iat` not ahead of this clock, `azp`, a `sub` that names someone, and an `at_hash` that binds the access
   * token issued with it.
   */
  #checkIdToken(tokens: oidc.TokenEndpointResponse, claims: oidc.IDToken): void {
    this.#checkIssuedAt(claims);
    this.#checkAzp(claims);
    // OIDC Core §2: sub identifies the end-user; a blank one would sign every such login into one account.
    if (typeof claims.sub !== 'string' || claims.sub.trim() === '') {
      throw this.#err('ERR_DIGITAL_ID_ID_TOKEN_INVALID', 'The id_token sub is empty: it identifies nobody');
    }
    // OIDC Core §2: at most 255 characters. Applications size their account key so (varchar(255)); a longer
    // one fails their insert after the login, or is cut, and two subjects then share one account.
    if (longerThan(claims.sub, MAX_SUBJECT_LENGTH)) {
      throw this.#err(
        'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
        `The id_token sub is longer than ${MAX_SUBJECT_LENGTH} characters (OIDC Core §2)`,
      );
    }
    // OIDC Core §3.1.3.8: an at_hash, when present, must be the access token's (openid-client v6 skips it).
    if (
      claims.at_hash !== undefined &&
      !tokenHashMatches(tokens.id_token ?? '', tokens.access_token, claims.at_hash)
    ) {
      throw this.#err(
        'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
        'The id_token at_hash does not match the access token issued with it',
      );
    }
  }

  /** OpenID Core §3.1.3.7 item 5: an `azp`, when present, must be this client (a single `aud` too). */
  #checkAzp(claims: oidc.IDToken): void {
    if (claims.azp !== undefined && claims.azp !== this.#o.clientId) {
      throw this.#err('ERR_DIGITAL_ID_AUDIENCE_MISMATCH', 'The id_token azp names another client');
    }
  }

  /**
   * OpenID Core §3.1.3.7 item 13: with `max_age` sent, `auth_time` must show a sign-in within it. The engine checks
   * only that it is not too old, so one ahead of this clock (a provider writing epoch milliseconds, or a login
   * component running ahead) would pass any max_age: beyond the clock tolerance it is refused.
   */
  #checkAuthTime(claims: oidc.IDToken, record: LoginState): void {
    if (record.maxAge === undefined || typeof claims.auth_time !== 'number') return;
    if (claims.auth_time <= Math.floor(Date.now() / 1000) + this.#toleranceInSeconds()) return;
    throw digitalIdError(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
      'The id_token auth_time is ahead of this server clock: the max_age of the login cannot be checked',
      {
        provider: this.#preset.displayName,
        hint: 'The login asked for max_age (a recent sign-in), and the provider stated a sign-in time in the future (auth_time in milliseconds, or its clock ahead): refuse the login. Sync clocks with NTP; raise clockToleranceInMs only for a known, small skew.',
      },
    );
  }

  /** OpenID Core §3.1.3.7 item 12: when acr_values were requested, the asserted `acr` must be one of them. */
  #checkAcr(claims: oidc.IDToken, record: LoginState): void {
    if (!record.acrValues || record.acrValues.length === 0) return;
    if (typeof claims.acr !== 'string' || !record.acrValues.includes(claims.acr)) {
      throw digitalIdError(
        'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
        claims.acr === undefined
          ? 'The id_token has no acr claim though acr_values were requested'
          : 'The id_token acr is not one of the requested acr_values',
        {
          provider: this.#preset.displayName,
          hint: 'The provider did not authenticate the citizen at a requested level (acrValues). Refuse the login or start it again; request only levels this provider asserts in acr.',
        },
      );
    }
  }

  /** OpenID Core §12.2: a refreshed id_token is about the same login as the original one. */
  #checkSameLogin(original: Record<string, unknown>, fresh: oidc.IDToken): void {
    if (fresh.iss !== original.iss) {
      throw this.#err('ERR_DIGITAL_ID_ISSUER_MISMATCH', 'The refreshed id_token has another issuer');
    }
    if (fresh.sub !== original.sub) {
      throw this.#err('ERR_DIGITAL_ID_ID_TOKEN_INVALID', 'The refreshed id_token names another subject');
    }
    if (!sameAudience(fresh.aud, original.aud)) {
      throw this.#err('ERR_DIGITAL_ID_AUDIENCE_MISMATCH', 'The refreshed id_token has another audience');
    }
    if (
      fresh.auth_time !== undefined &&
      original.auth_time !== undefined &&
      fresh.auth_time !== original.auth_time
    ) {
      throw this.#err('ERR_DIGITAL_ID_ID_TOKEN_INVALID', 'The refreshed id_token has another auth_time');
    }
    if (fresh.nonce !== undefined && fresh.nonce !== original.nonce) {
      throw this.#err('ERR_DIGITAL_ID_NONCE_MISMATCH', 'The refreshed id_token has another nonce');
    }
  }

  /** Revokes an access or refresh token (RFC 7009). */
  async revoke(token: string, options?: RevokeOptions): Promise<void> {
    requireToken(token, 'token');
    return this.#runHolding(token, 'revoke', options, async () => {
      const e = await this.#getEngine();
      if (!e.config.serverMetadata().revocation_endpoint) {
        throw this.#err('ERR_DIGITAL_ID_UNSUPPORTED', 'The provider has no revocation endpoint');
      }
      await oidc.tokenRevocation(
        e.managementConfig,
        token,
        options?.tokenTypeHint ? { token_type_hint: options.tokenTypeHint } : undefined,
      );
    });
  }

  /** Asks the provider whether a token is active (RFC 7662). */
  async introspect(token: string, options?: OperationOptions): Promise<IntrospectionResult> {
    requireToken(token, 'token');
    return this.#runHolding(token, 'introspect', options, async () => {
      const e = await this.#getEngine();
      if (!e.config.serverMetadata().introspection_endpoint) {
        throw this.#err('ERR_DIGITAL_ID_UNSUPPORTED', 'The provider has no introspection endpoint');
      }
      const r = await oidc.tokenIntrospection(e.managementConfig, token);
      const out: IntrospectionResult = { active: r.active === true, claims: { ...r } };
      if (typeof r.sub === 'string') out.subject = r.sub;
      if (typeof r.scope === 'string') out.scope = r.scope;
      if (typeof r.client_id === 'string') out.clientId = r.client_id;
      if (typeof r.exp === 'number') out.expiresAt = new Date(r.exp * 1000);
      return out;
    });
  }

  /** The provider's end-session URL (RP-initiated logout) with the provider's redirect parameter name. */
  async logoutUrl(input: LogoutUrlInput = {}, options?: OperationOptions): Promise<string> {
    validateOptions(logoutUrlInputSchema, input, 'logoutUrl input');
    return this.#run('logoutUrl', options, async () => {
      const e = await this.#getEngine();
      if (!e.config.serverMetadata().end_session_endpoint) {
        throw this.#err('ERR_DIGITAL_ID_UNSUPPORTED', 'The provider has no end-session endpoint');
      }
      const params: Record<string, string> = {};
      if (input.idToken) params.id_token_hint = input.idToken;
      const redirect = input.postLogoutRedirectUri ?? this.#o.postLogoutRedirectUri;
      if (redirect)
        params[this.#o.logoutRedirectParameter ?? this.#preset.logoutRedirectParameter] = redirect;
      if (input.state) params.state = input.state;
      return oidc.buildEndSessionUrl(e.config, params).href;
    });
  }

  /** Releases the client's connections and its credentials' redaction. Further calls fail with ERR_CLIENT_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const credential of this.#credentials) unregisterSecret(credential);
    await this.#http.close();
  }

  /**
   * openid-client checks `nbf` and `exp` but lets any `iat` ahead of this clock through: an id_token issued
   * "in the future" is a clock problem (or a forged token) and is refused past the same tolerance.
   */
  #checkIssuedAt(claims: oidc.IDToken | undefined): void {
    const toleranceInSeconds = this.#toleranceInSeconds();
    if (typeof claims?.iat === 'number' && claims.iat > Math.floor(Date.now() / 1000) + toleranceInSeconds) {
      throw this.#err(
        'ERR_DIGITAL_ID_CLOCK_SKEW',
        'The id_token was issued in the future (iat is ahead of this server clock)',
      );
    }
  }

  /** The clock tolerance in whole seconds, as the engine applies it. */
  #toleranceInSeconds(): number {
    return Math.ceil((this.#o.clockToleranceInMs ?? DEFAULT_CLOCK_TOLERANCE_IN_MS) / 1000);
  }

  #err(code: DigitalIdErrorCode, message: string): Error {
    return digitalIdError(code, message, { provider: this.#preset.displayName });
  }

  #mapCtx(totalInMs: number = this.#o.timeouts?.totalInMs ?? DEFAULT_TIMEOUTS.totalInMs): MapContext {
    return {
      provider: this.#preset.displayName,
      totalInMs,
      phaseTimeouts: phaseTimeouts(this.#o.timeouts ?? {}),
    };
  }

  #parseCallback(currentUrl: string | URL): URL {
    const text = String(currentUrl);
    if (text.length > MAX_CALLBACK_URL_LENGTH) {
      throw this.#err('ERR_DIGITAL_ID_CALLBACK_INVALID', 'The callback URL is too long');
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw this.#err('ERR_DIGITAL_ID_CALLBACK_INVALID', 'The callback URL is not an absolute URL');
    }
    for (const key of ['state', 'code', 'iss', 'error']) {
      if (url.searchParams.getAll(key).length > 1) {
        throw this.#err('ERR_DIGITAL_ID_CALLBACK_INVALID', `The callback repeats the ${key} parameter`);
      }
    }
    return url;
  }

  /**
   * One operation under one deadline (core's): the caller's abort and the total deadline (per call
   * `timeoutInMs`, else `timeouts.totalInMs`, else the default) reach every request through the call
   * context; openid-client's own timer is off (see #createEngine), so the error reports this deadline.
   */
  async #run<T>(operation: string, options: OperationOptions | undefined, fn: () => Promise<T>): Promise<T> {
    const telemetry = sharedTelemetry('@thgov/digital-id');
    const validates = operation === 'handleCallback' || operation === 'introspect';
    const counted = (outcome: string) => {
      if (!validates) return;
      telemetry.count(
        TELEMETRY_NAMES.tokenValidations,
        { 'thgov.operation': `thgov.digital_id.${operation}`, 'thgov.outcome': outcome },
        1,
        'Token validations, by operation and outcome',
      );
    };
    try {
      const value = await telemetry.operation(`digital_id.${operation}`, () =>
        this.#runUntraced(operation, options, fn),
      );
      counted('ok');
      return value;
    } catch (err) {
      counted(errorType(err));
      throw err;
    }
  }

  async #runUntraced<T>(
    operation: string,
    options: OperationOptions | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (this.#closed) throw new ThGovError('ERR_CLIENT_CLOSED', 'The DigitalIdClient was closed');
    const totalInMs = options?.timeoutInMs ?? this.#o.timeouts?.totalInMs ?? DEFAULT_TIMEOUTS.totalInMs;
    const deadline = startDeadline({ abortSignal: options?.abortSignal, timeoutInMs: totalInMs });
    const ctx: CallContext = { signal: deadline.signal, remainingInMs: deadline.remainingInMs };
    try {
      return await callContext.run(ctx, fn);
    } catch (err) {
      // The caller's abort or the deadline wins over whatever the interrupted request reported.
      const mapped = deadline.signal?.aborted
        ? abortReason(deadline.signal)
        : mapError(err, this.#mapCtx(totalInMs));
      if (isDigitalIdError(mapped, 'ERR_DIGITAL_ID_ID_TOKEN_INVALID') && mapped.retryable) {
        // A JWT signed with a key the cached JWKS lacks (rotation): the next call fetches the keys again.
        this.#refreshKeys();
      }
      this.#log.debug(`digital-id ${operation} failed`, { errorCode: (mapped as { code?: string }).code });
      // A callback that consumed its login cannot be repeated: its error must not invite a retry of the call.
      throw ctx.loginSpent ? spentLoginError(mapped) : mapped;
    } finally {
      deadline.dispose();
    }
  }

  /**
   * `#run` with a caller-supplied token registered as a secret: held while the call runs (never evicted
   * under it), then kept as an `input` (capped length, bounded pool, short TTL) for the log lines after it.
   */
  #runHolding<T>(
    token: string,
    operation: string,
    options: OperationOptions | undefined,
    fn: () => Promise<T>,
    alsoHeld: readonly string[] = [],
  ): Promise<T> {
    registerSecret(token, { kind: 'input' });
    return withSecrets([token, ...alsoHeld], () => this.#run(operation, options, fn));
  }

  #getEngine(): Promise<Engine> {
    if (this.#engine && this.#engineExpiresAt !== undefined && Date.now() >= this.#engineExpiresAt) {
      // The static fallback stood in for a failed discovery: its back-off is over, try discovery again.
      this.#engine = undefined;
    }
    if (!this.#engine) {
      this.#engineExpiresAt = undefined;
      const engine = this.#createEngine().then(
        (e) => {
          // A fallback engine (discovery failed, the preset's static endpoints stand in) is kept only for
          // the back-off; a discovered or configured-static engine is kept for the client's life.
          if (!e.discovered && (this.#o.discovery ?? 'auto') !== 'static' && this.#engine === engine) {
            this.#engineExpiresAt = Date.now() + DISCOVERY_RETRY_IN_MS;
          }
          return e;
        },
        (err: unknown) => {
          // A failed discovery with no fallback is retried on the next call rather than cached.
          if (this.#engine === engine) this.#engine = undefined;
          throw err;
        },
      );
      this.#engine = engine;
    }
    return this.#engine;
  }

  /**
   * Forgets the engine (and with it openid-client's JWKS cache, which is kept per server metadata object),
   * so the next call builds one afresh: after an id_token signed with a key the cached JWKS does not have
   * (the provider rotated its keys). At most once per {@link JWKS_REFRESH_IN_MS}.
   */
  #refreshKeys(): void {
    const now = Date.now();
    if (this.#keysRefreshedAt !== undefined && now - this.#keysRefreshedAt < JWKS_REFRESH_IN_MS) return;
    this.#keysRefreshedAt = now;
    this.#engine = undefined;
    this.#engineExpiresAt = undefined;
  }

  /** This client's DPoP key pair for `alg`, drawn once (a failed draw is not kept). */
  #dpopKeyPair(alg: string): Promise<oidc.CryptoKeyPair> {
    let pair = this.#dpopKeys.get(alg);
    if (!pair) {
      pair = oidc.randomDPoPKeyPair(alg);
      this.#dpopKeys.set(alg, pair);
      void pair.catch(() => this.#dpopKeys.delete(alg));
    }
    return pair;
  }

  /**
   * The OIDC engine: discovery (or the preset's static endpoints), then the features the provider offers
   * (PAR, DPoP) and the configuration for introspection and revocation.
   */
  async #createEngine(): Promise<Engine> {
    const o = this.#o;
    const method = o.tokenEndpointAuthMethod ?? this.#preset.tokenEndpointAuthMethod;
    const encoding = o.basicCredentialEncoding ?? this.#preset.basicCredentialEncoding;
    const auth = exactRedirectUri(clientAuth(method, this.#secret, encoding));
    const metadata: Partial<oidc.ClientMetadata> = {
      token_endpoint_auth_method: method,
      redirect_uris: [o.redirectUri],
      ...(o.clockToleranceInMs !== undefined
        ? { [oidc.clockTolerance]: Math.ceil(o.clockToleranceInMs / 1000) }
        : {}),
    };
    const execute: Array<(c: oidc.Configuration) => void> = [oidc.enableNonRepudiationChecks];
    if (o.dangerouslyAllowInsecureHttp) execute.push(oidc.allowInsecureRequests);
    const discovered = await this.#discover(metadata, auth, execute);
    const discoveredConfig =
      discovered && withAlgorithmDefaults(discovered, o.clientId, metadata, auth, execute, this.#http.fetch);
    const config = discoveredConfig ?? this.#staticConfig(metadata, auth, execute);
    // openid-client's default 30 s per request would cut a longer configured deadline (and report "0 ms"):
    // 0 turns it off, each operation's own deadline reaches every request through the call context.
    config.timeout = 0;
    const server = config.serverMetadata();
    this.#tokenEndpoint = server.token_endpoint;
    const managementMethod =
      method === 'none' ? 'none' : (o.introspectionAuthMethod ?? this.#preset.introspectionAuthMethod);
    const managementConfig =
      managementMethod === method
        ? config
        : finishConfiguration(
            new oidc.Configuration(
              { ...server },
              o.clientId,
              { ...metadata, token_endpoint_auth_method: managementMethod },
              clientAuth(managementMethod, this.#secret, encoding),
            ),
            execute,
            this.#http.fetch,
          );
    return {
      config,
      managementConfig,
      issuer: server.issuer,
      discovered: discoveredConfig !== undefined,
      dpop: await dpopHandle(config, server, o.dpop ?? 'auto', (alg) => this.#dpopKeyPair(alg)),
      usePar: usesPar(server, o.par ?? 'auto'),
    };
  }

  /**
   * Discovery at the issuer, unless the configuration says static. Undefined when it failed and the preset's
   * static endpoints may stand in; a failure that may not fall back is thrown as a typed error.
   */
  async #discover(
    metadata: Partial<oidc.ClientMetadata>,
    auth: oidc.ClientAuth,
    execute: Array<(c: oidc.Configuration) => void>,
  ): Promise<oidc.Configuration | undefined> {
    const mode = this.#o.discovery ?? 'auto';
    if (mode === 'static') return undefined;
    try {
      return await oidc.discovery(this.#issuer, this.#o.clientId, metadata, auth, {
        execute,
        [oidc.customFetch]: this.#http.fetch,
        // Discovery has a timer of its own (whole seconds): one second past the operation's deadline,
        // so the operation's deadline fires first and is the one reported.
        timeout:
          Math.ceil(Math.min(callContext.getStore()?.remainingInMs() ?? Infinity, 86_400_000) / 1000) + 1,
      });
    } catch (err) {
      const ctxSignal = callContext.getStore()?.signal;
      if (mode === 'required' || !this.#preset.staticEndpoints || ctxSignal?.aborted) {
        const mapped = ctxSignal?.aborted ? abortReason(ctxSignal) : mapError(err, this.#mapCtx());
        if (
          mapped instanceof ThGovError &&
          mapped.code.startsWith('ERR_DIGITAL_ID_') &&
          mapped.code !== 'ERR_DIGITAL_ID_ISSUER_MISMATCH'
        ) {
          // A gateway or overload status keeps its status, retryability and Retry-After.
          throw digitalIdError('ERR_DIGITAL_ID_DISCOVERY', `Discovery failed at ${redactUrl(this.#issuer)}`, {
            provider: this.#preset.displayName,
            cause: mapped,
            ...(mapped instanceof HttpError && mapped.statusCode ? { statusCode: mapped.statusCode } : {}),
            retryable: mapped.retryable,
            retryAfterInMs: mapped.retryAfterInMs,
          });
        }
        throw mapped;
      }
      this.#log.warn('digital-id discovery failed; using the preset static endpoints until it is retried', {
        provider: this.provider,
        retryInMs: DISCOVERY_RETRY_IN_MS,
      });
      return undefined;
    }
  }

  /** The configuration from the preset's static endpoints (no discovery document). */
  #staticConfig(
    metadata: Partial<oidc.ClientMetadata>,
    auth: oidc.ClientAuth,
    execute: Array<(c: oidc.Configuration) => void>,
  ): oidc.Configuration {
    const statics = this.#preset.staticEndpoints;
    if (!statics) {
      throw digitalIdError(
        'ERR_DIGITAL_ID_DISCOVERY',
        'This provider has no static endpoints; use discovery',
        {
          provider: this.#preset.displayName,
        },
      );
    }
    const config = staticConfiguration(this.#issuer, statics, this.#o.clientId, metadata, auth);
    return finishConfiguration(config, execute, this.#http.fetch);
  }
}

/** Labels the hash of a client's identity in its state-store keys (and their layout). */
const STATE_KEY_LABEL = 'thgov/digital-id state key v1';
const STATE_KEY_LABEL_V2 = 'thgov/digital-id state key v2';

/**
 * The key a login is filed under in the state store: the state behind a namespace naming the client (its
 * issuer, client ID and redirect URI, hashed: 43 base64url characters, no dot), so two clients sharing a store
 * never see each other's logins, nor do two endpoints of one client ID (portals with their own redirect URIs).
 * The state stays in the key: it is the one secret of it (a store may derive from it, as `PostgresStateStore`
 * seals rows with a key derived from it), the namespace is public.
 */
function stateKey(issuer: string, clientId: string, redirectUri: string, state: string): string {
  return `${namespaceOf([STATE_KEY_LABEL_V2, issuer, clientId, redirectUri])}.${state}`;
}

/** The key of the releases before the redirect URI joined the namespace (logins pending at the upgrade). */
function stateKeyV1(issuer: string, clientId: string, state: string): string {
  return `${namespaceOf([STATE_KEY_LABEL, issuer, clientId])}.${state}`;
}

function namespaceOf(parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('base64url');
}

/**
 * A state as this client makes them (openid-client's randomState: base64url): only such a state is looked up
 * bare, as the previous release filed it. A namespaced key has a dot, so a crafted state never reaches
 * another client's login through the bare lookup.
 */
const LEGACY_STATE = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * RFC 6749 §2.3.1 form encoding, as openid-client applies it to the client ID and secret before HTTP Basic
 * (`-_.!~*'()` escaped too, unlike URLSearchParams).
 */
function formUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[-_.!~*'()]|%20/g, (c) =>
    c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The secret as it is put on the wire, to register for redaction besides the secret itself (whose own
 * spellings the registry derives: percent-, form-, JSON-escaped, base64): the RFC 6749 form-encoded secret
 * (Basic's password, a `client_secret_post` body re-encoded by a provider) and the whole Basic credential,
 * base64 of `form(client_id):form(secret)`, which a provider may echo from the Authorization header.
 */
function wireSpellings(clientId: string, secret: string): string[] {
  const form = formUrlEncode(secret);
  const basic = Buffer.from(`${formUrlEncode(clientId)}:${form}`, 'utf8').toString('base64');
  // The raw Basic credential too (basicCredentialEncoding 'raw'): base64 of `client_id:secret` as they are.
  const raw = Buffer.from(`${clientId}:${secret}`, 'utf8').toString('base64');
  return [...new Set(form === secret ? [basic, raw] : [form, basic, raw])];
}

function clientAuth(
  method: string,
  secret: string | undefined,
  encoding: BasicCredentialEncoding,
): oidc.ClientAuth {
  if (method === 'none') return oidc.None();
  if (method !== 'client_secret_basic') return oidc.ClientSecretPost(secret);
  return encoding === 'raw' ? rawClientSecretBasic(secret) : oidc.ClientSecretBasic(secret);
}

/**
 * The client authentication with the code exchange's `redirect_uri` set to the one the login's authorization
 * request carried (RFC 6749 §4.1.3: identical). openid-client derives it from the callback URL with the query
 * and fragment cut off, which is another URI when the registered one has a query of its own (`?idp=thaid`,
 * allowed by §3.1.2) or no path (`https://host` becomes `https://host/`): the provider then refuses the code.
 * The form is complete (grant type included) when the client authentication is applied, and this is the
 * last step before it is sent.
 */
function exactRedirectUri(auth: oidc.ClientAuth): oidc.ClientAuth {
  return (as, client, body, headers) => {
    const redirectUri = callContext.getStore()?.redirectUri;
    if (redirectUri !== undefined && body.get('grant_type') === 'authorization_code') {
      body.set('redirect_uri', redirectUri);
    }
    return auth(as, client, body, headers);
  };
}

/**
 * Whether a callback arrived at the login's redirect URI: same origin and path, and the redirect URI's own
 * query parameters retained (RFC 6749 §3.1.2), whatever the provider added.
 */
function arrivedAt(url: URL, expected: URL): boolean {
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) return false;
  for (const [key, value] of expected.searchParams) {
    if (!url.searchParams.getAll(key).includes(value)) return false;
  }
  return true;
}

/**
 * `client_secret_basic` with the client ID and secret written as they are (ThaID: a form-encoded "=" in a
 * client_id would arrive as "%3D", which it does not decode). A client ID with ":" cannot be written so (Basic
 * ends the user-id at the first ":"): it keeps the standard form encoding, which escapes the ":".
 */
function rawClientSecretBasic(secret: string | undefined): oidc.ClientAuth {
  const standard = oidc.ClientSecretBasic(secret);
  return (as, client, body, headers) => {
    if (client.client_id.includes(':') || secret === undefined) {
      standard(as, client, body, headers);
      return;
    }
    headers.set(
      'authorization',
      `Basic ${Buffer.from(`${client.client_id}:${secret}`, 'utf8').toString('base64')}`,
    );
  };
}

/**
 * `max_age` and `acr_values` as sent and enforced: from the typed input or from `extraParameters` (one
 * spelling each), so a max age or acr requested either way is checked on the id_token.
 */
function requestedChecks(i: CreateLoginRequestInput): { maxAge?: number; acrValues?: string } {
  const extra = i.extraParameters ?? {};
  if (extra.max_age !== undefined && i.maxAgeInMs !== undefined) {
    throw invalidArgument('createLoginRequest input: set maxAgeInMs or extraParameters.max_age, not both');
  }
  if (extra.acr_values !== undefined && i.acrValues !== undefined) {
    throw invalidArgument('createLoginRequest input: set acrValues or extraParameters.acr_values, not both');
  }
  let maxAge = i.maxAgeInMs === undefined ? undefined : Math.ceil(i.maxAgeInMs / 1000);
  if (extra.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(extra.max_age)) {
      throw invalidArgument(
        'createLoginRequest input.extraParameters.max_age must be whole seconds; prefer maxAgeInMs',
      );
    }
    maxAge = Number(extra.max_age);
  }
  const acrValues = (i.acrValues ?? extra.acr_values)?.trim();
  return { ...(maxAge !== undefined ? { maxAge } : {}), ...(acrValues ? { acrValues } : {}) };
}

/** The claims of the original login's id_token, as `refresh` compares a refreshed one with them. */
function originalClaims(value: string | Record<string, unknown>): Record<string, unknown> {
  let claims: unknown = value;
  if (typeof value === 'string') {
    try {
      claims = JSON.parse(Buffer.from(value.split('.')[1] ?? '', 'base64url').toString('utf8'));
    } catch {
      claims = undefined;
    }
  }
  const c = claims as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null || typeof c.iss !== 'string' || typeof c.sub !== 'string') {
    throw invalidArgument('refresh options.originalIdToken must be the id_token of the login or its claims');
  }
  return c;
}

function sameAudience(a: unknown, b: unknown): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]).sort();
  return JSON.stringify(list(a)) === JSON.stringify(list(b));
}

function withOpenid(scopes: string[]): string[] {
  return scopes.includes('openid') ? [...new Set(scopes)] : ['openid', ...new Set(scopes)];
}

function requireToken(token: unknown, name: string): void {
  if (typeof token !== 'string' || token.length === 0 || token.length > 16 * 1024) {
    throw invalidArgument(`${name} must be a non-empty string of at most 16 KiB`);
  }
}

function isLoopback(u: URL): boolean {
  return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
}

/**
 * Tokens as the caller sees them, each registered for redaction as long as it can be used: the access and
 * id tokens for `expires_in` plus a margin, the refresh token for `refresh_expires_in` (or a week). On a
 * refresh, `refreshTokenInUse` is the one sent: without a new one in the answer it stays the one to use
 * (RFC 6749 §6) and is returned (and registered) as if it had been sent again.
 */
function toTokenSet(t: oidc.TokenEndpointResponse, refreshTokenInUse?: string): TokenSet {
  const out: TokenSet = { accessToken: t.access_token, tokenType: t.token_type ?? 'bearer' };
  const lifetimeInMs =
    typeof t.expires_in === 'number' && t.expires_in > 0 ? t.expires_in * 1000 : DEFAULT_TOKEN_TTL_IN_MS;
  const refreshInMs =
    typeof t.refresh_expires_in === 'number' && t.refresh_expires_in > 0
      ? t.refresh_expires_in * 1000
      : DEFAULT_REFRESH_TTL_IN_MS;
  registerSecret(t.access_token, { kind: 'token', ttlInMs: lifetimeInMs + TOKEN_MARGIN_IN_MS });
  const refreshToken = t.refresh_token || refreshTokenInUse;
  if (refreshToken) {
    out.refreshToken = refreshToken;
    registerSecret(refreshToken, { kind: 'token', ttlInMs: refreshInMs + TOKEN_MARGIN_IN_MS });
  }
  if (t.id_token) {
    out.idToken = t.id_token;
    registerSecret(t.id_token, { kind: 'token', ttlInMs: lifetimeInMs + TOKEN_MARGIN_IN_MS });
  }
  // An expires_in past any representable date (1e13 s) leaves expiresAt out rather than an Invalid Date.
  const expiresAt = typeof t.expires_in === 'number' ? new Date(Date.now() + t.expires_in * 1000) : undefined;
  if (expiresAt && !Number.isNaN(expiresAt.getTime())) out.expiresAt = expiresAt;
  if (typeof t.scope === 'string') out.scope = t.scope;
  return out;
}

/**
 * Registers the values of a login's claims that carry a secret (DGA's `personal_token`) or personal data
 * (names, birth date, address, subject), for as long as the login's access token: a provider quoting them
 * later in free text (an `error_description`) is then masked there, whatever pattern they have.
 */
function registerClaims(claims: Record<string, unknown>, tokens: TokenSet): void {
  const lifetimeInMs =
    tokens.expiresAt === undefined
      ? DEFAULT_TOKEN_TTL_IN_MS
      : Math.max(0, tokens.expiresAt.getTime() - Date.now());
  for (const value of sensitiveClaimValues(claims)) {
    registerSecret(value, { kind: 'token', ttlInMs: lifetimeInMs + TOKEN_MARGIN_IN_MS });
  }
}

/** The unverified payload of the id_token in a token response body, only to see which claims exist. */
function idTokenPayload(body: string): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(body) as { id_token?: unknown };
    if (typeof json.id_token !== 'string') return undefined;
    const part = json.id_token.split('.')[1];
    if (!part) return undefined;
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Whether `text` has more than `max` characters (code points: a pair of surrogates is one). */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  return text.length > 2 * max || [...text].length > max;
}

/** Whether `value` nests objects or arrays deeper than `max` levels (iterative: no stack to overflow). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
