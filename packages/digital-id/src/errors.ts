import { HttpError, type HttpErrorOptions, isThGovError } from '@thgov/core';

/**
 * Every error code @thgov/digital-id raises, with its meaning. Codes are part of the semver contract.
 * Transport failures keep @thgov/core's codes (ERR_TIMEOUT, ERR_NETWORK, ERR_ABORTED).
 */
export const DIGITAL_ID_ERROR_CODES = {
  ERR_DIGITAL_ID_DISCOVERY: 'The provider metadata could not be discovered and no static fallback applies.',
  ERR_DIGITAL_ID_INSECURE: 'The issuer or an endpoint is plain http and the insecure opt-in is not set.',
  ERR_DIGITAL_ID_CALLBACK_INVALID: 'The callback URL is malformed or carries neither a code nor an error.',
  ERR_DIGITAL_ID_STATE_MISSING: 'The callback carries no state parameter.',
  ERR_DIGITAL_ID_STATE_MISMATCH:
    'The callback state is unknown here or differs from the session (tampered or forged).',
  ERR_DIGITAL_ID_STATE_EXPIRED: 'The login took longer than the state TTL; start the login again.',
  ERR_DIGITAL_ID_STATE_REPLAYED: 'This callback was already processed once (replayed state).',
  ERR_DIGITAL_ID_STATE_STORE_FULL:
    'The state store is full of pending logins: the new login was refused rather than drop a pending one.',
  ERR_DIGITAL_ID_REDIRECT_MISMATCH:
    'The redirect URI differs from the one registered or used to start the login.',
  ERR_DIGITAL_ID_INVALID_SCOPE: 'The provider refused a requested scope (not approved for this client).',
  ERR_DIGITAL_ID_INVALID_CLIENT:
    'The provider refused the client credentials (client ID, secret or API key).',
  ERR_DIGITAL_ID_INVALID_GRANT: 'The code or refresh token is invalid, expired, already used or revoked.',
  ERR_DIGITAL_ID_INVALID_TOKEN: 'The provider refused an access token (expired or revoked).',
  ERR_DIGITAL_ID_ACCESS_DENIED: 'The citizen cancelled or refused the login.',
  ERR_DIGITAL_ID_PROVIDER_ERROR: 'The provider answered with another OAuth error.',
  ERR_DIGITAL_ID_ISSUER_MISMATCH:
    'The response comes from another issuer than the one the login started with (mix-up).',
  ERR_DIGITAL_ID_NONCE_MISMATCH: 'The id_token nonce is missing or differs from the one sent.',
  ERR_DIGITAL_ID_AUDIENCE_MISMATCH: 'The id_token was issued for another client (aud / azp).',
  ERR_DIGITAL_ID_ID_TOKEN_EXPIRED: 'The id_token is expired (or its clock is too far off).',
  ERR_DIGITAL_ID_CLOCK_SKEW:
    'The id_token is not yet valid (`nbf` or `iat` ahead) or was issued too long ago (`iat`): the provider clock and this server clock disagree.',
  ERR_DIGITAL_ID_ID_TOKEN_INVALID: 'The id_token signature, algorithm or claims do not validate.',
  ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH:
    'The userinfo names another person than the id_token: a different sub, or a different citizen ID.',
  ERR_DIGITAL_ID_RESPONSE_INVALID: 'A provider response is malformed or not what the protocol requires.',
  ERR_DIGITAL_ID_UNSUPPORTED: 'The provider does not offer this operation (no such endpoint).',
} as const;

/** The codes of `DIGITAL_ID_ERROR_CODES` a `DigitalIdError` may carry. */
export type DigitalIdErrorCode = keyof typeof DIGITAL_ID_ERROR_CODES;

/** The codes of @thgov/core a {@link DigitalIdError} may carry for a transport failure. */
export type DigitalIdTransportErrorCode = 'ERR_TIMEOUT' | 'ERR_NETWORK' | 'ERR_ABORTED';

/** What a `DigitalIdError` is built from: the OAuth error the provider sent and the provider's name. */
export interface DigitalIdErrorOptions extends HttpErrorOptions {
  /** The OAuth `error` value the provider sent, when there was one. */
  oauthError?: string;
  provider?: string;
}

/**
 * A digital-ID failure. Messages and hints never include tokens, codes or citizen IDs; `cause` is a
 * sanitized summary of the underlying openid-client error (whose own cause holds raw claims).
 */
export class DigitalIdError extends HttpError<DigitalIdErrorCode | DigitalIdTransportErrorCode> {
  /**
   * The OAuth `error` value the provider sent, when there was one, as it may be logged: citizen IDs and
   * registered secrets masked, characters outside RFC 6749's set replaced with spaces, at most 100 characters.
   */
  readonly oauthError: string | undefined;
  readonly provider: string | undefined;
  constructor(
    code: DigitalIdErrorCode | DigitalIdTransportErrorCode,
    message: string,
    options: DigitalIdErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'DigitalIdError';
    this.oauthError = options.oauthError;
    this.provider = options.provider;
  }
}

/**
 * True for a {@link DigitalIdError}, also one from another installed copy of the package (checked by the
 * thgov brand and the name, not `instanceof`). With `code`, also checks the code and narrows `err.code` to
 * it; a code the class cannot carry fails to compile.
 *
 * @example
 * ```ts
 * if (isDigitalIdError(err, 'ERR_DIGITAL_ID_STATE_EXPIRED')) return res.redirect('/login');
 * ```
 */
export function isDigitalIdError<
  C extends DigitalIdErrorCode | DigitalIdTransportErrorCode =
    | DigitalIdErrorCode
    | DigitalIdTransportErrorCode,
>(value: unknown, code?: C): value is DigitalIdError & { readonly code: C } {
  return isThGovError(value, code) && value.name === 'DigitalIdError';
}
