import { X509Certificate } from 'node:crypto';
import { invalidArgument } from '@thgov/core';

/**
 * Reads a certificate chain given as DER bytes or PEM text (one certificate per entry). node:crypto's parser
 * accepts both, so no PEM helper is needed; an unreadable entry is an argument error naming its index.
 */
export function parseChain(chain: ReadonlyArray<Uint8Array | string>): X509Certificate[] {
  return chain.map((entry, index) => {
    try {
      return new X509Certificate(typeof entry === 'string' ? entry : Buffer.from(entry));
    } catch {
      throw invalidArgument(`certificateChain[${index}] is not an X.509 certificate (DER or PEM)`);
    }
  });
}
