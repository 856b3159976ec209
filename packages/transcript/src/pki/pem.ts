import { decodeCertificates as decode, isPkiError } from '@thgov/pki';
import { TranscriptError } from '../errors.js';

/**
 * `@thgov/pki`'s decodeCertificates with this package's historic error code (`ERR_PDF_FORMAT`).
 *
 * @deprecated Import `decodeCertificates` from `@thgov/pki` (its errors carry `ERR_PKI_INPUT`).
 */
export function decodeCertificates(
  input: string | Uint8Array | (string | Uint8Array)[],
  label = 'CERTIFICATE',
): Uint8Array[] {
  try {
    return decode(input, label);
  } catch (err) {
    if (isPkiError(err)) throw new TranscriptError('ERR_PDF_FORMAT', err.message, { cause: err });
    throw err;
  }
}
