import type { KeyObject, webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import { createPrivateKey, createPublicKey, nodeCrypto } from '../builtins.js';
import { invalidArgument } from '../errors.js';

/** The algorithms thgov signs and verifies with. `none` and every HMAC algorithm are refused on purpose. */
export const SIGNING_ALGORITHMS = ['ES256', 'PS256', 'RS256', 'EdDSA'] as const;
/** The JWS algorithms message signing accepts (`SIGNING_ALGORITHMS`). */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * A key as users hold it: a PEM string (PKCS#8 private key, SPKI public key or X.509 certificate),
 * a JWK object, a node:crypto KeyObject or a WebCrypto CryptoKey (a CryptoKey goes through KeyObject.from). Symmetric keys are refused.
 */
export type SigningKeyInput = string | JWK | KeyObject | webcrypto.CryptoKey;

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

function isCryptoKeyLike(value: unknown): value is webcrypto.CryptoKey {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.algorithm === 'object' && Array.isArray(v.usages);
}

/**
 * Checks that the key's type matches the algorithm, so a misconfiguration is reported when the
 * signer or verifier is built rather than as a failed verification later. Messages never include key bytes.
 */
export function assertKeyFitsAlgorithm(key: KeyObject, alg: SigningAlgorithm): void {
  if (key.type === 'secret')
    throw invalidArgument('Symmetric (secret) keys are not accepted for message signing');
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  let ok = false;
  if (alg === 'ES256') ok = type === 'ec' && details.namedCurve === 'prime256v1';
  else if (alg === 'RS256') ok = type === 'rsa';
  else if (alg === 'PS256') ok = type === 'rsa' || type === 'rsa-pss';
  else if (alg === 'EdDSA') ok = type === 'ed25519';
  if (!ok) throw invalidArgument(`A ${type ?? 'unknown'} key cannot be used with ${alg}`);
  assertRsaKeyStrength(key);
}

/** FIPS 186-5 bounds the public exponent below 2^256; OpenSSL verifies no modulus above 16 384 bits. */
const MAX_RSA_EXPONENT = 1n << 256n;
const MAX_RSA_MODULUS_BITS = 16_384;

/**
 * An RSA key must protect something: at least 2048 bits, and an odd public exponent from 3 to 2^256. With e = 1
 * the "signature" is the padded hash itself (anyone forges it), an even e is no RSA key, and a huge e makes every
 * verification as costly as a private-key operation. Other key types pass.
 */
export function assertRsaKeyStrength(key: KeyObject): void {
  const weakness = rsaKeyWeakness(key);
  if (weakness !== undefined) throw invalidArgument(weakness);
}

/** Why an RSA key is too weak to sign or verify with (see `assertRsaKeyStrength`); undefined when it is not. */
export function rsaKeyWeakness(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'rsa-pss') return undefined;
  const { modulusLength = 0, publicExponent = 0n } = key.asymmetricKeyDetails ?? {};
  if (modulusLength < 2048) return 'RSA keys shorter than 2048 bits are refused';
  if (modulusLength > MAX_RSA_MODULUS_BITS) return 'RSA keys longer than 16384 bits are refused';
  if (publicExponent < 3n || publicExponent % 2n === 0n || publicExponent >= MAX_RSA_EXPONENT) {
    return 'An RSA key needs an odd public exponent from 3 to 2^256 (e = 1 lets anyone sign)';
  }
  return undefined;
}

function fromJwk(jwk: JWK, want: 'private' | 'public'): KeyObject {
  if (jwk.kty === 'oct' || typeof jwk.kty !== 'string') {
    throw invalidArgument('Symmetric (oct) or untyped JWKs are not accepted for message signing');
  }
  try {
    if (want === 'private') return createPrivateKey({ key: jwk as never, format: 'jwk' });
    // A private JWK given to a verifier still carries its public half.
    return createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw invalidArgument(`The JWK is not a valid ${want} key`);
  }
}

function fromPem(pem: string, want: 'private' | 'public'): KeyObject {
  const text = pem.trim();
  if (!text.startsWith('-----BEGIN ')) throw invalidArgument('A key string must be PEM encoded');
  try {
    if (want === 'private') {
      if (!/-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(text)) throw new Error('not private');
      return createPrivateKey(text);
    }
    if (text.startsWith('-----BEGIN CERTIFICATE-----'))
      return new (nodeCrypto().X509Certificate)(text).publicKey;
    return createPublicKey(text);
  } catch {
    throw invalidArgument(
      want === 'private'
        ? 'The signing key must be a PKCS#8 private key (PEM or JWK)'
        : 'The verification key must be an SPKI public key, an X.509 certificate (PEM) or a JWK',
    );
  }
}

/** Normalizes a user-supplied key to a KeyObject (or keeps a CryptoKey) of the wanted kind. */
export function importSigningKey(input: unknown, want: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  if (typeof input === 'string') key = fromPem(input, want);
  else if (input instanceof nodeCrypto().KeyObject) {
    if (input.type === 'secret')
      throw invalidArgument('Symmetric (secret) keys are not accepted for message signing');
    key = want === 'public' && input.type === 'private' ? createPublicKey(input) : input;
  } else if (isCryptoKeyLike(input)) {
    // WebCrypto keys are wrapped so one code path checks every key; this works for non-extractable keys too.
    try {
      key = nodeCrypto().KeyObject.from(input);
    } catch {
      throw invalidArgument('The CryptoKey could not be used');
    }
    if (want === 'public' && key.type === 'private') key = createPublicKey(key);
  } else if (input instanceof Uint8Array) {
    throw invalidArgument('Raw byte keys (HMAC secrets) are not accepted for message signing');
  } else if (typeof input === 'object' && input !== null) key = fromJwk(input as JWK, want);
  else throw invalidArgument('Expected a PEM string, a JWK, a KeyObject or a CryptoKey');

  const type = key.type;
  if (want === 'private' && type !== 'private') throw invalidArgument('Signing needs a private key');
  if (want === 'public' && type !== 'public') throw invalidArgument('Verification needs a public key');
  assertRsaKeyStrength(key);
  return key;
}

/** When a key given as an X.509 certificate may sign, in ms since the epoch (its notBefore and notAfter). */
export interface KeyValidity {
  notBefore: number;
  notAfter: number;
}

/** A verification key and, when it was given as an X.509 certificate, the certificate's validity period. */
export interface VerificationKeyObject {
  key: KeyObject;
  validity: KeyValidity | undefined;
}

/** `importSigningKey(input, 'public')`, keeping the validity period of a certificate (other keys have none). */
export function importVerificationKey(input: unknown): VerificationKeyObject {
  const key = importSigningKey(input, 'public');
  const text = typeof input === 'string' ? input.trim() : '';
  if (!text.startsWith('-----BEGIN CERTIFICATE-----')) return { key, validity: undefined };
  const cert = new (nodeCrypto().X509Certificate)(text);
  const validity = { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
  if (!Number.isFinite(validity.notBefore) || !Number.isFinite(validity.notAfter))
    throw invalidArgument('The certificate of a verification key has an unreadable validity period');
  return { key, validity };
}
