import { HttpError, type HttpErrorOptions, isThGovError } from '@thgov/core';

/**
 * Every error code @thgov/esign raises, with its meaning (transport failures keep core's ERR_TIMEOUT,
 * ERR_NETWORK, ERR_ABORTED…). Part of the semver contract: never renamed, never reused. The `ERR_PDF_*` codes
 * keep the names they had when the PDF reader lived in @thgov/transcript.
 */
export const ESIGN_ERROR_CODES = {
  ERR_PDF_FORMAT: 'The PDF could not be read: its structure is broken or not a PDF at all.',
  ERR_PDF_LIMIT: 'The PDF exceeds a configured limit (size, object count, nesting depth or time).',
  ERR_PDF_ENCRYPTED:
    'The PDF is encrypted and needs a password or uses an unsupported security handler, or the operation needs an unencrypted PDF (verification and reading a transcript open PDFs that need no password).',
  ERR_ESIGN_SIGNER_CERT:
    'The signer certificate is unusable for signing: missing, expired or not yet valid, without the digitalSignature or nonRepudiation key usage, not chaining to the configured anchors, or revoked.',
  ERR_ESIGN_TSA:
    'The time-stamp authority failed or returned a token that is unusable (refused, malformed, wrong imprint).',
  ERR_ESIGN_DOCUMENT:
    'The PDF cannot take a signature: no catalog or page, a field of that name is already signed, or the page/rectangle of a visible signature does not exist.',
  ERR_ESIGN_VALIDATION_DATA:
    'B-LT and B-LTA need revocation data for the signer chain: none was supplied and none could be fetched.',
  ERR_ESIGN_PKCS12:
    'The PKCS#12 file cannot be used: not a PFX, an unsupported encryption, no or several private keys, or no certificate for the key.',
  ERR_ESIGN_PKCS12_PASSWORD:
    'The passphrase does not open the PKCS#12 file (its MAC or padding does not check out).',
  ERR_ESIGN_ALGORITHM:
    'The key cannot produce the requested signature (an ECDSA request for an RSA key, a curve or digest the key store does not offer), or the digest has the wrong length for its algorithm.',
  ERR_ESIGN_SIGNER_CLOSED: 'The signer was closed; create a new one.',
  ERR_ESIGN_PKCS11_MODULE:
    'The optional PKCS#11 binding `pkcs11js` is not installed (or was built for another Node version).',
  ERR_ESIGN_PKCS11_LIBRARY:
    'The PKCS#11 library (the HSM or smart-card driver, a .so/.dll file) could not be loaded or initialised.',
  ERR_ESIGN_PKCS11_TOKEN:
    'The token could not be used: none (or more than one) with the given slot or token label is present, its session failed, or other code of the process logged it in so the PIN cannot be checked.',
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
 * when a remote signing service (a CSC service, a time-stamp authority) answered.
 *
 * @example
 * ```ts
 * try {
 *   new PdfDocument(bytes);
 * } catch (err) {
 *   if (err instanceof EsignError && err.code === 'ERR_PDF_ENCRYPTED') console.log('ask for an unencrypted copy');
 * }
 * ```
 */
export class EsignError extends HttpError {
  declare readonly code: EsignErrorCode;
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
export function isEsignError<C extends EsignErrorCode = EsignErrorCode>(
  value: unknown,
  code?: C,
): value is EsignError & { readonly code: C } {
  return isThGovError(value, code) && (value as { name?: unknown }).name === 'EsignError';
}
