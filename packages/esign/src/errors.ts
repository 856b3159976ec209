import { HttpError, type HttpErrorOptions, isThGovError } from '@thgov/core';

/**
 * Every error code @thgov/esign raises, with its meaning (transport failures keep core's ERR_TIMEOUT,
 * ERR_NETWORK, ERR_ABORTED…). Part of the semver contract: never renamed, never reused.
 */
export const ESIGN_ERROR_CODES = {
  ERR_ESIGN_ALGORITHM:
    'The key cannot produce the requested signature (an ECDSA request for an RSA key, a curve or digest the key store does not offer), or the digest has the wrong length for its algorithm.',
  ERR_ESIGN_SIGNER_CLOSED: 'The signer was closed; create a new one.',
  ERR_ESIGN_PKCS11_MODULE:
    'The optional PKCS#11 binding `pkcs11js` is not installed (or was built for another Node version).',
  ERR_ESIGN_PKCS11_LIBRARY:
    'The PKCS#11 library (the HSM or smart-card driver, a .so/.dll file) could not be loaded or initialised.',
  ERR_ESIGN_PKCS11_TOKEN: 'No token with the given slot or token label is present.',
  ERR_ESIGN_PKCS11_PIN: 'The token refused the PIN (wrong, locked or expired).',
  ERR_ESIGN_PKCS11_KEY:
    'No private signing key, or more than one, matches the key label or key ID on the token.',
  ERR_ESIGN_PKCS11_CERTIFICATE:
    'No certificate for the key was found on the token and no chain was supplied, or the certificate does not belong to the key.',
  ERR_ESIGN_PKCS11_SIGN:
    'The token failed to sign (mechanism not supported, key not allowed to sign, device error).',
  ERR_ESIGN_CSC_AUTH:
    'The remote signing service refused the access token: missing, expired, revoked, of the wrong scope, or for another user.',
  ERR_ESIGN_CSC_AUTH_MODE:
    'The credential is authorised in a way the signer was not given the means for (an `oauth2code` credential without `auth.credentialToken`, an `explicit` one without `auth.authData`).',
  ERR_ESIGN_CSC_CREDENTIAL:
    'The credential is unknown to the service, disabled, or its certificate is expired, revoked or suspended: the service refuses to sign with it.',
  ERR_ESIGN_CSC_PIN: 'The service refused the PIN or OTP (wrong, expired OTP, or the PIN is locked).',
  ERR_ESIGN_CSC_SAD_EXPIRED:
    'The signature activation data (SAD) or credential token expired or was already used. The signer re-authorises once by itself; this error means the fresh authorisation failed the same way.',
  ERR_ESIGN_CSC_HASH_MISMATCH:
    'The service refused to sign: a hash is not among the hashes the authorisation was bound to.',
  ERR_ESIGN_CSC_REQUEST:
    'The service rejected a request as invalid (`invalid_request` with no more specific meaning).',
  ERR_ESIGN_CSC_RESPONSE:
    'The service answered against the protocol: wrong number of signatures, a signature that does not verify against the credential certificate, or unreadable certificates.',
} as const;

/** A code of {@link ESIGN_ERROR_CODES}. */
export type EsignErrorCode = keyof typeof ESIGN_ERROR_CODES;

/** What an {@link EsignError} carries besides core's HTTP fields. */
export interface EsignErrorOptions extends HttpErrorOptions {
  /** The CSC `error` value the signing service sent (`invalid_request`, `invalid_token`…), when there was one. */
  serviceError?: string;
  /** The PKCS#11 return value name (`CKR_PIN_INCORRECT`…), when a token reported one. */
  pkcs11Code?: string;
}

/**
 * A failure of a signer or of the PDF signature engine. Messages never include PINs, OTPs, tokens, SADs or
 * personal data; the HTTP fields (`statusCode`, `requestId`, redacted `request`, truncated `response`) are set
 * when a remote signing service answered.
 */
export class EsignError extends HttpError {
  readonly serviceError: string | undefined;
  readonly pkcs11Code: string | undefined;

  constructor(code: EsignErrorCode, message: string, options: EsignErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EsignError';
    this.serviceError = options.serviceError;
    this.pkcs11Code = options.pkcs11Code;
  }
}

/**
 * True for an {@link EsignError} (also from another installed copy of @thgov/esign); with `code`, also checks it.
 *
 * @example
 * ```ts
 * try {
 *   await signer.sign(digest, { scheme: 'ECDSA', digest: 'SHA-256' });
 * } catch (err) {
 *   if (isEsignError(err, 'ERR_ESIGN_CSC_PIN')) askForThePinAgain();
 *   else throw err;
 * }
 * ```
 */
export function isEsignError(value: unknown, code?: EsignErrorCode): value is EsignError {
  return isThGovError(value, code) && (value as { name?: unknown }).name === 'EsignError';
}
