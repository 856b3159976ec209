import { HttpError, type HttpErrorOptions, isThGovError } from '@thgov/core';

/**
 * Every error code @thgov/esign raises, with its meaning (transport failures keep core's ERR_TIMEOUT,
 * ERR_NETWORK, ERR_ABORTED…). Part of the semver contract: never renamed, never reused. The `ERR_PDF_*` codes
 * keep the names they had when the PDF reader lived in @thgov/transcript.
 */
export const ESIGN_ERROR_CODES = {
  ERR_PDF_FORMAT: 'The PDF could not be read: its structure is broken or not a PDF at all.',
  ERR_PDF_LIMIT: 'The PDF exceeds a configured limit (size, object count, nesting depth or time).',
  ERR_PDF_ENCRYPTED: 'The PDF is encrypted; encrypted documents are not supported.',
} as const;

/** A code of {@link ESIGN_ERROR_CODES}. */
export type EsignErrorCode = keyof typeof ESIGN_ERROR_CODES;

/** What an {@link EsignError} carries: core's HTTP fields, set when a remote service (a TSA) answered. */
export type EsignErrorOptions = HttpErrorOptions;

/**
 * A failure of a signer or of the PDF signature engine. Messages never include key material, passphrases,
 * PINs, tokens or document content; the HTTP fields (`statusCode`, `requestId`, redacted `request`, truncated
 * `response`) are set when a remote service (a time-stamp authority) answered.
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

  constructor(code: EsignErrorCode, message: string, options: EsignErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EsignError';
  }
}

/**
 * True for an {@link EsignError} (also from another installed copy of @thgov/esign); with `code`, also checks it.
 *
 * @example
 * ```ts
 * try {
 *   await signPdf(pdf, { signer, level: 'B-T', tsa: 'http://127.0.0.1:8080/tsa' });
 * } catch (err) {
 *   if (isEsignError(err, 'ERR_ESIGN_TSA')) console.log('the time-stamp authority failed:', err.message);
 *   else throw err;
 * }
 * ```
 */
export function isEsignError(value: unknown, code?: EsignErrorCode): value is EsignError {
  return isThGovError(value, code) && (value as { name?: unknown }).name === 'EsignError';
}
