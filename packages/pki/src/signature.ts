import { constants, type KeyObject, verify } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { signatureScheme } from './algorithms.js';

/**
 * Verifies `signature` over `data` with Node's crypto, independently of pkijs, for the algorithm named by
 * `alg` (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA). False for anything it cannot check.
 */
export function verifySignatureValue(
  data: Uint8Array,
  signature: Uint8Array,
  alg: pkijs.AlgorithmIdentifier,
  key: KeyObject,
): boolean {
  const scheme = signatureScheme(alg);
  if (!scheme) return false;
  const type = key.asymmetricKeyType;
  // The key type must match the algorithm, or an RSA key could "verify" what claims to be ECDSA.
  const fits =
    (scheme.family === 'eddsa' && (type === 'ed25519' || type === 'ed448')) ||
    (scheme.family === 'rsa-pss' && (type === 'rsa' || type === 'rsa-pss')) ||
    (scheme.family === 'ecdsa' && type === 'ec') ||
    (scheme.family === 'rsa' && type === 'rsa');
  if (!fits) return false;
  try {
    switch (scheme.family) {
      case 'eddsa':
        return verify(null, data, key, signature);
      case 'rsa-pss':
        return verify(
          scheme.hash!,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? 20 },
          signature,
        );
      case 'ecdsa':
        return verify(scheme.hash!, data, { key, dsaEncoding: 'der' }, signature);
      case 'rsa':
        return verify(scheme.hash!, data, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
