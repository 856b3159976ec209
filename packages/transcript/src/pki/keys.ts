import { type CryptoKey, importPrivateKey as importKey, isPkiError, type KeyInput } from '@thgov/pki';
import { TranscriptError } from '../errors.js';

export type { KeyInput };

/**
 * `@thgov/pki`'s importPrivateKey with this package's error code: issuing reports a bad key as
 * `ERR_TRANSCRIPT_ISSUE`, as it always has.
 *
 * @deprecated Import `importPrivateKey` from `@thgov/pki` (its errors carry `ERR_PKI_KEY`).
 */
export async function importPrivateKey(key: KeyInput, hash = 'SHA-256'): Promise<CryptoKey> {
  try {
    return await importKey(key, hash);
  } catch (err) {
    if (isPkiError(err)) throw new TranscriptError('ERR_TRANSCRIPT_ISSUE', err.message, { cause: err });
    throw err;
  }
}
