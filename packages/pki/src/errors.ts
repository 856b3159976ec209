import { isThGovError, ThGovError } from '@thgov/core';

/** Stable error codes of @thgov/pki (part of the semver contract: never renamed, never reused). */
export const PKI_ERROR_CODES = {
  ERR_PKI_INPUT:
    'A certificate, CRL, OCSP response or time-stamp token could not be read (neither PEM nor DER of the expected type).',
  ERR_PKI_KEY: 'A private key could not be read or is of an unsupported type (PKCS#8 RSA or EC expected).',
} as const;

/** One of the codes in {@link PKI_ERROR_CODES}. */
export type PkiErrorCode = keyof typeof PKI_ERROR_CODES;

/**
 * A typed failure of @thgov/pki. Messages never quote key material or certificate contents.
 *
 * @example
 * ```ts
 * try { parseCrl(bytes); } catch (err) { if (err instanceof PkiError) console.log(err.code); } // ERR_PKI_INPUT
 * ```
 */
export class PkiError extends ThGovError {
  constructor(code: PkiErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
    this.name = 'PkiError';
  }
}

/**
 * True for a {@link PkiError}, optionally with the given code (checks the brand and name, so it works across
 * two installed copies of the package).
 *
 * @example
 * ```ts
 * try { decodeCertificates(text); } catch (err) { if (isPkiError(err, 'ERR_PKI_INPUT')) console.log(err.message); }
 * ```
 */
export function isPkiError(value: unknown, code?: PkiErrorCode): value is PkiError {
  return isThGovError(value, code) && (value as { name?: unknown }).name === 'PkiError';
}
