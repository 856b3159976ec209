import { constants, createVerify, type KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { signatureScheme } from './algorithms.js';

/** Signed data: one buffer, or the parts of a whole in order (a PDF's /ByteRange), hashed without copying them. */
export type SignedBytes = Uint8Array | readonly Uint8Array[];

/**
 * Verifies `signature` over `data` (hashed with `hash`) with Node's crypto. The parts of a multi-part `data` go
 * through one streaming hash, so a large signed range is never copied whole.
 */
export function verifyHashed(
  hash: string,
  data: SignedBytes,
  key: KeyObject | VerifyKeyObjectInput,
  signature: Uint8Array,
): boolean {
  if (data instanceof Uint8Array) return verify(hash, data, key, signature);
  const verifier = createVerify(hash);
  for (const part of data) verifier.update(part);
  return verifier.verify(key, signature);
}

/**
 * Verifies `signature` over `data` with Node's crypto, independently of pkijs, for the algorithm named by
 * `alg` (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA). False for anything it cannot check.
 */
export function verifySignatureValue(
  data: SignedBytes,
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
        // EdDSA hashes inside the algorithm (PureEdDSA): it takes the message whole.
        return verify(null, data instanceof Uint8Array ? data : Buffer.concat(data), key, signature);
      case 'rsa-pss':
        return verifyHashed(
          scheme.hash!,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? 20 },
          signature,
        );
      case 'ecdsa':
        return verifyHashed(scheme.hash!, data, { key, dsaEncoding: 'der' }, signature);
      case 'rsa':
        return verifyHashed(scheme.hash!, data, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
