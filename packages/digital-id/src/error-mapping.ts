import { DEFAULT_TIMEOUTS, HttpError, isThGovError, redactText, ThGovError, TimeoutError } from '@thgov/core';
import { parseRetryAfter } from '@thgov/core/internal';
import { AuthorizationResponseError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { DigitalIdError, type DigitalIdErrorCode } from './errors.js';

/** What to check next, per code: shown as the error's `hint`. */
const HINTS: Partial<Record<DigitalIdErrorCode, string>> = {
  ERR_DIGITAL_ID_DISCOVERY:
    'Check the issuer URL and network access to <issuer>/.well-known/openid-configuration (proxy, firewall, CA).',
  ERR_DIGITAL_ID_INSECURE:
    'Use an https issuer. For the local sandbox only, set dangerouslyAllowInsecureHttp: true.',
  ERR_DIGITAL_ID_STATE_MISSING:
    'The callback URL must be the full URL the provider redirected to, query string included.',
  ERR_DIGITAL_ID_STATE_MISMATCH:
    'The state was changed, forged, belongs to another browser session, or was stored in another StateStore (use a shared store when several app instances serve callbacks).',
  ERR_DIGITAL_ID_STATE_EXPIRED:
    'The citizen took longer than stateTtlInMs (the ThaID QR step can be slow). Start the login again.',
  ERR_DIGITAL_ID_STATE_REPLAYED:
    'A callback is processed once; a reload or back-button re-sent it. Start the login again.',
  ERR_DIGITAL_ID_REDIRECT_MISMATCH:
    'redirectUri must exactly match a URI registered with the provider (scheme, host, port, path, trailing slash), and the callback must arrive at that URI.',
  ERR_DIGITAL_ID_INVALID_SCOPE:
    'Ask only for the scopes approved for this client; the provider lists approved scopes per application.',
  ERR_DIGITAL_ID_INVALID_CLIENT:
    'Check clientId and clientSecret (DGA: pass the raw Consumer-Secret, the SDK hashes it), tokenEndpointAuthMethod, and for ThaID the API key.',
  ERR_DIGITAL_ID_INVALID_GRANT:
    'The code was already used or expired (codes live about a minute), or the refresh token was revoked. Start the login again.',
  ERR_DIGITAL_ID_INVALID_TOKEN:
    'The access token expired or was revoked: refresh it or log the citizen in again.',
  ERR_DIGITAL_ID_ACCESS_DENIED: 'The citizen cancelled. Offer to try again.',
  ERR_DIGITAL_ID_ISSUER_MISMATCH:
    'A response from a different provider arrived at this client (mix-up attack or two providers sharing one callback URL). Use one callback path per provider.',
  ERR_DIGITAL_ID_NONCE_MISMATCH: 'The id_token was not issued for this login (replayed or injected token).',
  ERR_DIGITAL_ID_AUDIENCE_MISMATCH: 'The id_token was issued to another client_id.',
  ERR_DIGITAL_ID_ID_TOKEN_EXPIRED:
    'Check the server clock (NTP); clock skew tolerance is clockToleranceInMs.',
  ERR_DIGITAL_ID_CLOCK_SKEW:
    "The provider's clock and this server's clock disagree (nbf or iat in the future: the provider runs ahead; iat over an hour old: this server runs ahead). Sync both with NTP; raise clockToleranceInMs (default 30 s) only to cover a known, small skew.",
  ERR_DIGITAL_ID_ID_TOKEN_INVALID:
    'The id_token signature or algorithm is not acceptable (alg none, HMAC, unknown key).',
  ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH:
    'The userinfo response belongs to another person than the id_token: refuse the login.',
  ERR_DIGITAL_ID_UNSUPPORTED: 'The provider does not advertise this endpoint in its metadata.',
};

export function hintFor(code: DigitalIdErrorCode): string | undefined {
  return HINTS[code];
}

export function digitalIdError(
  code: DigitalIdErrorCode,
  message: string,
  extra: {
    provider: string;
    oauthError?: string;
    statusCode?: number;
    cause?: unknown;
    retryable?: boolean;
    retryAfterInMs?: number | undefined;
    /** Replaces the code's hint when the situation is more specific (key rotation). */
    hint?: string;
  } = {
    provider: 'unknown',
  },
): DigitalIdError {
  const hint = extra.hint ?? hintFor(code);
  return new DigitalIdError(code, message, {
    provider: extra.provider,
    ...(hint ? { hint } : {}),
    // The provider's text (or the callback's): a field applications log as is, so made safe like a message.
    ...(extra.oauthError ? { oauthError: safeOAuthText(extra.oauthError, MAX_ERROR_LENGTH) } : {}),
    ...(extra.statusCode ? { statusCode: extra.statusCode } : {}),
    ...(extra.cause !== undefined ? { cause: extra.cause } : {}),
    ...(extra.retryable ? { retryable: true } : {}),
    ...(extra.retryAfterInMs !== undefined ? { retryAfterInMs: extra.retryAfterInMs } : {}),
  });
}

/** The hint of a callback failure after its login was taken from the state store (see {@link spentLoginError}). */
export const SPENT_LOGIN_HINT =
  "This callback has used the login's one-time state, and the provider may have used its code: the same callback cannot be completed again. Start the login again (the failure may be brief).";

/**
 * `err` as a callback whose login state is already consumed reports it: not retryable, since repeating the call
 * can only read the state as replayed (a retry loop trusting `retryable` would repeat it, and the citizen would
 * be told of a reload that never happened), with a hint to start the login again. Status, Retry-After (when to
 * offer the new login), class and code are kept; an error that was not retryable is returned as it is.
 */
export function spentLoginError(err: Error): Error {
  if (!isThGovError(err) || !err.retryable) return err;
  const options = {
    cause: err.cause,
    retryable: false,
    hint: err.hint ? `${SPENT_LOGIN_HINT} ${err.hint}` : SPENT_LOGIN_HINT,
    ...(err.retryAfterInMs !== undefined ? { retryAfterInMs: err.retryAfterInMs } : {}),
    ...(err instanceof HttpError && err.statusCode !== undefined ? { statusCode: err.statusCode } : {}),
  };
  if (err instanceof TimeoutError) return new TimeoutError(err.phase, err.timeoutInMs, options);
  if (err instanceof DigitalIdError) {
    return new DigitalIdError(err.code, err.message, {
      ...options,
      ...(err.provider !== undefined ? { provider: err.provider } : {}),
      ...(err.oauthError !== undefined ? { oauthError: err.oauthError } : {}),
    });
  }
  if (err instanceof HttpError) return new HttpError(err.code, err.message, options);
  return new ThGovError(err.code, err.message, options);
}

/** Statuses a gateway or an overloaded provider answers with, where the same call may succeed later. */
const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);
/** Retry-After is capped like core's retry policy caps it by default (maxRetryAfterInMs). */
const MAX_RETRY_AFTER_IN_MS = 30_000;

/** Status, retryability and Retry-After of a provider's HTTP answer, as the error carries them. */
export function statusFacts(
  status: number | undefined,
  headers: { get(name: string): string | null } | undefined,
): { statusCode?: number; retryable?: boolean; retryAfterInMs?: number } {
  if (status === undefined) return {};
  if (!RETRYABLE_STATUS.has(status)) return { statusCode: status };
  const retryAfterInMs = parseRetryAfter(headers?.get('retry-after'), MAX_RETRY_AFTER_IN_MS);
  return {
    statusCode: status,
    retryable: true,
    ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
  };
}

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

function isResponseLike(v: unknown): v is ResponseLike {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as ResponseLike).status === 'number' &&
    typeof (v as ResponseLike).headers?.get === 'function'
  );
}

/** An OAuth `error` value (from the callback or a token/introspection response) mapped to a code. */
export function codeForOAuthError(error: string, description: string): DigitalIdErrorCode {
  switch (error) {
    case 'access_denied':
      return 'ERR_DIGITAL_ID_ACCESS_DENIED';
    case 'invalid_scope':
      return 'ERR_DIGITAL_ID_INVALID_SCOPE';
    case 'invalid_client':
    case 'unauthorized_client':
      return 'ERR_DIGITAL_ID_INVALID_CLIENT';
    case 'invalid_redirect_uri':
      return 'ERR_DIGITAL_ID_REDIRECT_MISMATCH';
    case 'invalid_grant':
    case 'invalid_request':
      return /redirect_uri/i.test(description)
        ? 'ERR_DIGITAL_ID_REDIRECT_MISMATCH'
        : error === 'invalid_grant'
          ? 'ERR_DIGITAL_ID_INVALID_GRANT'
          : 'ERR_DIGITAL_ID_PROVIDER_ERROR';
    case 'invalid_token':
      return 'ERR_DIGITAL_ID_INVALID_TOKEN';
    default:
      return 'ERR_DIGITAL_ID_PROVIDER_ERROR';
  }
}

interface Coded {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
}

/** The engine's error chain, outermost first (bounded: causes can be cyclic in theory). */
function chain(err: unknown): Coded[] {
  const out: Coded[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur !== null && typeof cur === 'object'; i++) {
    out.push(cur as Coded);
    cur = (cur as Coded).cause;
  }
  return out;
}

/**
 * A sanitized stand-in for the engine's error: name, code and redacted message only. The engine's own
 * error keeps raw claims and response bodies in `cause` (citizen IDs, tokens), which a logger that
 * walks causes would print.
 */
function summary(err: unknown): Error {
  const c = err as Coded;
  const e = new EngineErrorSummary(
    redactText(typeof c?.message === 'string' ? c.message : String(err)),
    typeof c?.code === 'string' ? c.code : undefined,
  );
  e.name = typeof c?.name === 'string' ? c.name : 'Error';
  return e;
}

/** The stand-in {@link summary} builds: a plain Error with the engine error's code, when it had one. */
class EngineErrorSummary extends Error {
  readonly code?: string;
  constructor(message: string, code: string | undefined) {
    super(message);
    if (code !== undefined) this.code = code;
  }
}

export interface MapContext {
  provider: string;
  /** The operation's total deadline in effect, to report when an engine-side timer passed. */
  totalInMs: number;
  /** Configured per-phase timeouts, to report which one passed. */
  phaseTimeouts: { connectInMs: number; headersInMs: number; bodyInMs: number };
  /** The JWT being validated when it is not the id_token (`userinfo JWT`), named in the messages. */
  jwt?: string;
  /**
   * The call went to a protected resource with the access token as bearer (userinfo): there a 401 means the
   * token was refused (RFC 6750 §3.1), with or without the WWW-Authenticate challenge a gateway may drop.
   */
  bearer?: boolean;
}

/** The phase timeouts in effect: configured, else core's defaults. */
export function phaseTimeouts(t: {
  connectInMs?: number | undefined;
  headersInMs?: number | undefined;
  bodyInMs?: number | undefined;
}): MapContext['phaseTimeouts'] {
  return {
    connectInMs: t.connectInMs ?? DEFAULT_TIMEOUTS.connectInMs,
    headersInMs: t.headersInMs ?? DEFAULT_TIMEOUTS.headersInMs,
    bodyInMs: t.bodyInMs ?? DEFAULT_TIMEOUTS.bodyInMs,
  };
}

/**
 * Any failure from the OIDC engine or the network, as a typed thgov error. The caller's abort and the
 * operation deadline are settled before this (their signal's reason is the error).
 */
export function mapError(err: unknown, ctx: MapContext): Error {
  const mapped = alreadyMapped(err);
  if (mapped) return mapped;
  const p: Extra = { provider: ctx.provider, cause: summary(err), jwt: ctx.jwt ?? 'id_token' };
  const oauth = oauthAnswer(err, ctx, p);
  if (oauth) return oauth;
  const f = engineFacts(err);
  return (
    claimMismatch(f, p) ??
    timestampFailure(f, p) ??
    attributeMismatch(f, p) ??
    insecureRequest(f, p) ??
    signatureFailure(f, p) ??
    errorInSuccess(f, ctx, p) ??
    invalidResponse(f, p) ??
    refusedBearer(f, ctx, p) ??
    unexpectedBody(f, p) ??
    engineTimeout(f, ctx, p) ??
    networkFailure(err, f, ctx, p) ??
    digitalIdError('ERR_DIGITAL_ID_RESPONSE_INVALID', `Unexpected failure talking to ${ctx.provider}`, p)
  );
}

/** What every mapped error carries: the provider and the sanitized engine error as cause. */
interface Extra {
  provider: string;
  cause: Error;
  /** Which JWT the engine was validating, for the messages: `id_token` unless the context says otherwise. */
  jwt: string;
}

/** What the engine's error chain says: its codes, its messages joined, and the claim or attribute at fault. */
interface EngineFacts {
  links: Coded[];
  codes: string[];
  messages: string;
  detail: { claim?: unknown; attribute?: unknown } | undefined;
  has: (code: string) => boolean;
}

/** A thgov error (or one wrapped in fetch's `TypeError: terminated`) and our own argument errors pass as they are. */
function alreadyMapped(err: unknown): Error | undefined {
  if (isThGovError(err)) return err;
  if (err instanceof TypeError && (err as Coded).code === 'ERR_INVALID_ARG') return err;
  // A thgov error inside fetch's `TypeError: terminated` (the response guard failing a trickling body).
  return chain(err).find((l) => isThGovError(l)) as Error | undefined;
}

/** Longest `error_description` put into an error message. */
const MAX_DESCRIPTION_LENGTH = 512;
/** Longest OAuth `error` value put into an error message or `oauthError`. */
const MAX_ERROR_LENGTH = 100;

/**
 * An OAuth `error` / `error_description` as it may enter an error message: redacted first (a cut must not
 * split a registered secret), every character outside RFC 6749 §4.1.2.1's set (%x20-21 / %x23-5B / %x5D-7E:
 * no CR/LF, no control characters, no `"` or `\`) replaced with a space, capped.
 */
export function safeOAuthText(value: unknown, max = MAX_DESCRIPTION_LENGTH): string {
  // A provider's JSON may carry an object, number or array here: only a string is text to show.
  if (typeof value !== 'string') return '';
  const clean = redactText(value.slice(0, 64 * 1024)).replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** The message of an OAuth error answer: the error code and its (sanitized, capped) description. */
export function oauthMessage(provider: string, error: string, description: unknown): string {
  const clean = safeOAuthText(description);
  const text = clean ? `: ${clean}` : '';
  return `${provider} answered ${safeOAuthText(error, MAX_ERROR_LENGTH)}${text}`;
}

/** An OAuth error the provider answered with (an error response or a WWW-Authenticate challenge). */
function oauthAnswer(err: unknown, ctx: MapContext, p: Extra): DigitalIdError | undefined {
  if (err instanceof ResponseBodyError || err instanceof AuthorizationResponseError) {
    // The provider's JSON, not a string by type: an object or number description is dropped, not sliced.
    const description: string = typeof err.error_description === 'string' ? err.error_description : '';
    const status = err instanceof ResponseBodyError ? statusFacts(err.status, err.response.headers) : {};
    return digitalIdError(
      codeForOAuthError(err.error, description),
      oauthMessage(ctx.provider, err.error, description),
      { ...p, oauthError: err.error, ...status },
    );
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    const error = err.cause[0]?.parameters.error ?? 'invalid_token';
    return digitalIdError(
      codeForOAuthError(error, ''),
      `${ctx.provider} refused the access token (${error})`,
      {
        ...p,
        oauthError: error,
        ...statusFacts(err.status, err.response.headers),
      },
    );
  }
  return undefined;
}

function engineFacts(err: unknown): EngineFacts {
  const links = chain(err);
  const codes = links.map((l) => (typeof l.code === 'string' ? l.code : '')).filter(Boolean);
  const messages = links.map((l) => (typeof l.message === 'string' ? l.message : '')).join(' | ');
  const detail = links
    .map((l) => l.cause)
    .find((c) => c !== null && typeof c === 'object' && !(c instanceof Error)) as EngineFacts['detail'];
  return { links, codes, messages, detail, has: (c) => codes.includes(c) };
}

/** An id_token claim that differs from what this login expects (nonce, issuer, audience). */
function claimMismatch(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) return undefined;
  const claim = String(f.detail?.claim ?? '');
  if (claim === 'nonce')
    return digitalIdError('ERR_DIGITAL_ID_NONCE_MISMATCH', `The ${p.jwt} nonce does not match this login`, p);
  if (claim === 'iss')
    return digitalIdError('ERR_DIGITAL_ID_ISSUER_MISMATCH', `The ${p.jwt} was issued by another issuer`, p);
  if (claim === 'aud' || claim === 'azp')
    return digitalIdError(
      'ERR_DIGITAL_ID_AUDIENCE_MISMATCH',
      `The ${p.jwt} was issued for another client`,
      p,
    );
  return digitalIdError(
    'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
    `The ${p.jwt} claim ${claim || '(unknown)'} is not valid`,
    p,
  );
}

/** An id_token time claim out of range: expired, not valid yet, or issued too long ago. */
function timestampFailure(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) return undefined;
  const claim = f.detail?.claim;
  if (claim === 'exp') return digitalIdError('ERR_DIGITAL_ID_ID_TOKEN_EXPIRED', `The ${p.jwt} is expired`, p);
  if (claim === 'nbf' || claim === 'iat')
    return digitalIdError(
      'ERR_DIGITAL_ID_CLOCK_SKEW',
      claim === 'nbf'
        ? `The ${p.jwt} is not valid yet (nbf is ahead of this server clock)`
        : `The ${p.jwt} was issued too long ago by this server clock (iat over an hour old)`,
      p,
    );
  return digitalIdError(
    'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
    `The ${p.jwt} ${String(claim ?? 'time')} claim is not valid`,
    p,
  );
}

/** A response attribute that differs from what was expected (userinfo sub, discovery issuer). */
function attributeMismatch(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')) return undefined;
  if (f.detail?.attribute === 'sub')
    return digitalIdError(
      'ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH',
      'The userinfo sub differs from the id_token sub',
      p,
    );
  if (f.detail?.attribute === 'issuer')
    return digitalIdError('ERR_DIGITAL_ID_ISSUER_MISMATCH', 'The discovery document names another issuer', p);
  return digitalIdError(
    'ERR_DIGITAL_ID_RESPONSE_INVALID',
    'A provider response attribute has an unexpected value',
    p,
  );
}

function insecureRequest(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_HTTP_REQUEST_FORBIDDEN') && !f.has('OAUTH_REQUEST_PROTOCOL_FORBIDDEN')) return undefined;
  return digitalIdError('ERR_DIGITAL_ID_INSECURE', 'Refusing a plain-http request to the provider', p);
}

/** The id_token's signature does not verify with the provider's keys (or no key fits). */
function signatureFailure(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  const jose = f.codes.some(
    (c) =>
      c.startsWith('ERR_JWS') ||
      c.startsWith('ERR_JWK') ||
      c.startsWith('ERR_JOSE') ||
      c.startsWith('ERR_JWT'),
  );
  if (!f.has('OAUTH_KEY_SELECTION_FAILED') && !jose) return undefined;
  if (f.has('OAUTH_KEY_SELECTION_FAILED') && /no applicable keys/.test(f.messages)) {
    // No key in the JWKS fits (kid, kty, alg): the provider most likely rotated its keys. The client fetches
    // them again once within the same call (see #grantWithFreshKeys); reported only when even the fresh JWKS
    // lacks the key (or the keys were refetched moments ago): a later attempt may find it published.
    return digitalIdError(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
      `The ${p.jwt} is signed with a key that is not in the provider's JWKS`,
      {
        ...p,
        retryable: true,
        hint: 'The provider probably rotated its signing keys and does not publish the new one yet (the keys were fetched again): start the login again shortly. If it persists, the token was not signed by this provider.',
      },
    );
  }
  if (f.has('OAUTH_KEY_SELECTION_FAILED') && /multiple applicable keys/.test(f.messages)) {
    // Several published keys fit and the JWT names none: picking one would be a guess.
    return digitalIdError(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
      `The ${p.jwt} has no kid and several keys in the provider's JWKS fit it`,
      {
        ...p,
        hint: 'The provider publishes several signing keys without telling which one signed (no kid in the JWT header). Ask the provider to send kid, or to publish a single signing key.',
      },
    );
  }
  return digitalIdError(
    'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
    `The ${p.jwt} signature does not verify with the provider keys`,
    p,
  );
}

/**
 * An OAuth error sent with HTTP 200 (some providers and gateways answer every call 200 and put the error in
 * the body): the engine refuses the body as a token (or userinfo) response; the error it names is reported
 * as such, its description sanitized like any other.
 */
function errorInSuccess(f: EngineFacts, ctx: MapContext, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_INVALID_RESPONSE')) return undefined;
  const body = (f.detail as { body?: unknown } | undefined)?.body;
  if (body === null || typeof body !== 'object') return undefined;
  const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
  if (typeof error !== 'string' || error === '') return undefined;
  return digitalIdError(
    codeForOAuthError(error, typeof description === 'string' ? description : ''),
    oauthMessage(ctx.provider, error, description),
    { ...p, oauthError: error },
  );
}

/**
 * A claim the engine requires and the JWT lacks (`JWT "iat" (issued at) claim missing`), named as such rather
 * than as a bad algorithm or format; `auth_time` is required only because `max_age` was sent.
 */
function missingClaim(m: string, p: Extra): DigitalIdError | undefined {
  const claim = /JWT "(\w{1,40})" \([^)]{0,60}\) claim missing/.exec(m)?.[1];
  if (!claim) return undefined;
  return digitalIdError(
    // A missing iss stays an issuer failure, as it was reported before; any other claim: the id_token is invalid.
    claim === 'iss' ? 'ERR_DIGITAL_ID_ISSUER_MISMATCH' : 'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
    `The ${p.jwt} has no ${claim} claim`,
    claim === 'auth_time'
      ? {
          ...p,
          hint: 'The login asked for max_age (maxAgeInMs or extraParameters.max_age), which requires the provider to send auth_time (OIDC Core §3.1.2.1). This provider did not: drop max_age (use prompt: "login" to force a fresh sign-in) or ask the provider to send auth_time.',
        }
      : p,
  );
}

/** A response the engine refused, classified by what its message names (nonce, issuer, JWT, state). */
function invalidResponse(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (!f.has('OAUTH_INVALID_RESPONSE') && !f.has('OAUTH_UNSUPPORTED_OPERATION')) return undefined;
  const m = f.messages;
  if (/"nonce"/.test(m))
    return digitalIdError('ERR_DIGITAL_ID_NONCE_MISMATCH', `The ${p.jwt} has no nonce claim`, p);
  const missing = missingClaim(m, p);
  if (missing) return missing;
  if (/"iss"|issuer/.test(m))
    return digitalIdError(
      'ERR_DIGITAL_ID_ISSUER_MISMATCH',
      'The response names another issuer than this provider',
      p,
    );
  const claim = /ID Token "(\w{1,40})"/.exec(m)?.[1];
  if (claim)
    return digitalIdError(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
      `The ${p.jwt} claim ${claim} is malformed (wrong type or value)`,
      p,
    );
  if (/JWT|JWS|alg/.test(m))
    return digitalIdError(
      'ERR_DIGITAL_ID_ID_TOKEN_INVALID',
      `The ${p.jwt} is not acceptable (algorithm or format)`,
      p,
    );
  if (/"state"/.test(m))
    return digitalIdError('ERR_DIGITAL_ID_STATE_MISMATCH', 'The response state is not valid', p);
  return digitalIdError('ERR_DIGITAL_ID_RESPONSE_INVALID', 'The provider response is not valid', p);
}

/**
 * A 401 from a protected resource without the WWW-Authenticate challenge RFC 6750 asks for (a gateway in front
 * of the provider dropped it, or the provider sends a bare 401 or an OAuth error body): the access token was
 * refused all the same, which the caller answers by refreshing it or logging in again.
 */
function refusedBearer(f: EngineFacts, ctx: MapContext, p: Extra): DigitalIdError | undefined {
  if (!ctx.bearer || !f.has('OAUTH_RESPONSE_IS_NOT_CONFORM')) return undefined;
  const response = f.links.map((l) => l.cause).find(isResponseLike);
  if (response?.status !== 401) return undefined;
  return digitalIdError(
    'ERR_DIGITAL_ID_INVALID_TOKEN',
    `${ctx.provider} refused the access token (HTTP 401 without a WWW-Authenticate challenge)`,
    { ...p, ...statusFacts(response.status, response.headers) },
  );
}

/**
 * A status or body the protocol does not allow: a gateway's 502/503/504 HTML page, a plain-text 429, a
 * body that is not JSON. The HTTP status is kept (`statusCode`); a gateway or overload status is retryable,
 * with the provider's Retry-After.
 */
function unexpectedBody(f: EngineFacts, p: Extra): DigitalIdError | undefined {
  if (
    !f.has('OAUTH_RESPONSE_IS_NOT_JSON') &&
    !f.has('OAUTH_RESPONSE_IS_NOT_CONFORM') &&
    !f.has('OAUTH_PARSE_ERROR')
  )
    return undefined;
  const response = f.links.map((l) => l.cause).find(isResponseLike);
  const status = statusFacts(response?.status, response?.headers);
  const failed = status.statusCode !== undefined && (status.statusCode < 200 || status.statusCode > 299);
  return digitalIdError(
    'ERR_DIGITAL_ID_RESPONSE_INVALID',
    failed
      ? `${p.provider} answered HTTP ${status.statusCode}${status.retryable ? ' (gateway or overload: retry later)' : ''}`
      : 'The provider answered with an unexpected status or body',
    { ...p, ...status },
  );
}

/** An engine-side or undici timer that passed, reported as core's TimeoutError with the phase's limit. */
function engineTimeout(f: EngineFacts, ctx: MapContext, p: Extra): TimeoutError | undefined {
  const timeout = f.codes.find((c) => /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$/.test(c));
  if (!timeout && !f.has('OAUTH_TIMEOUT') && !f.links.some((l) => l.name === 'TimeoutError'))
    return undefined;
  const phase = timeout?.includes('CONNECT')
    ? 'connect'
    : timeout?.includes('BODY')
      ? 'body'
      : timeout
        ? 'headers'
        : 'total';
  const ms =
    phase === 'connect'
      ? ctx.phaseTimeouts.connectInMs
      : phase === 'body'
        ? ctx.phaseTimeouts.bodyInMs
        : phase === 'headers'
          ? ctx.phaseTimeouts.headersInMs
          : ctx.totalInMs;
  return new TimeoutError(phase, ms, { cause: p.cause });
}

function networkFailure(err: unknown, f: EngineFacts, ctx: MapContext, p: Extra): DigitalIdError | undefined {
  const network =
    f.codes.some((c) => /^(E[A-Z]+|UND_ERR_\w+)$/.test(c)) ||
    (err instanceof TypeError && /fetch failed/.test(f.messages));
  if (!network) return undefined;
  return new DigitalIdError('ERR_NETWORK', `Could not reach ${ctx.provider}`, { ...p, retryable: true });
}
