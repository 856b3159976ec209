import { webcrypto } from 'node:crypto';
import type { CryptoKeyPair } from '../crypto-types.js';

/**
 * A fresh, extractable signing key pair: RSA PKCS#1 v1.5 with SHA-256 (2048 bits unless `modulusLength` says
 * otherwise, e.g. 1024 to test the algorithm policy), or ECDSA P-256 with `ec`.
 *
 * @example
 * ```ts
 * import { generateSigningKeyPair } from '@thgov/pki/testing';
 * const { publicKey, privateKey } = await generateSigningKeyPair();
 * ```
 */
export async function generateSigningKeyPair(
  options: { ec?: boolean; modulusLength?: number; hash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' } = {},
): Promise<CryptoKeyPair> {
  if (options.ec) {
    return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
  }
  return (await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: options.modulusLength ?? 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: options.hash ?? 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
}
