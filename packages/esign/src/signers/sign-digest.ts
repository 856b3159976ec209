import { constants, createHash, type KeyObject, privateEncrypt, randomBytes } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import {
  CURVES,
  type CurveName,
  checkDigest,
  checkSchemeFits,
  DIGEST_LENGTH,
  describePublicKey,
  digestInfo,
  NODE_DIGEST,
} from './algorithms.js';
import { ecdsaRawToDer } from './der.js';
import { affineX, bigFromBase64url, CURVE_PARAMS, digestInteger, inverse, mod, multiply } from './ec-math.js';
import type { SignatureAlgorithm } from './signer.js';
import { mgf1 } from './verify-digest.js';

/**
 * Signs a precomputed digest with a private key held in this process, the way a remote signing service or
 * an HSM does (node:crypto itself only signs messages, hashing them first). RSA uses OpenSSL's raw RSA
 * operation with the PKCS#1 v1.5 or PSS encoding done here; ECDSA uses thgov's BigInt curve arithmetic,
 * which is NOT constant-time: meant for sandboxes, test services and tests. Production keys belong in an
 * HSM ({@link pkcs11Signer}) or a remote service ({@link cscSigner}). ECDSA signatures are DER-encoded.
 *
 * @example
 * ```ts
 * const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * const digest = createHash('sha256').update(document).digest();
 * const signature = signDigest(privateKey, digest, { scheme: 'ECDSA', digest: 'SHA-256' });
 * ```
 */
export function signDigest(
  privateKey: KeyObject,
  digest: Uint8Array,
  algorithm: SignatureAlgorithm,
): Uint8Array {
  if (typeof privateKey !== 'object' || privateKey?.type !== 'private') {
    throw invalidArgument('signDigest needs a private KeyObject');
  }
  checkDigest(digest, algorithm);
  const description = describePublicKey(privateKey);
  checkSchemeFits(description, algorithm);
  if (algorithm.scheme === 'RSASSA-PKCS1-v1_5') {
    return new Uint8Array(
      privateEncrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
        digestInfo(digest, algorithm.digest),
      ),
    );
  }
  if (algorithm.scheme === 'RSA-PSS') return signPss(privateKey, digest, algorithm);
  return signEcdsa(privateKey, digest, description.curve as CurveName);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1), MGF1 with the same digest, a digest-long random salt. */
function signPss(key: KeyObject, mHash: Uint8Array, algorithm: SignatureAlgorithm): Uint8Array {
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const hLen = DIGEST_LENGTH[algorithm.digest];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(NODE_DIGEST[algorithm.digest])
    .update(Buffer.alloc(8))
    .update(mHash)
    .update(salt)
    .digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  salt.copy(db, emLen - 2 * hLen - 1);
  const mask = mgf1(h, db.length, algorithm.digest);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const k = Math.ceil(modBits / 8);
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.of(0xbc)]);
  return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}

/** ECDSA (SEC 1 §4.1.3) with a fresh random nonce per signature. */
function signEcdsa(key: KeyObject, digest: Uint8Array, curve: CurveName): Uint8Array {
  const c = CURVE_PARAMS[curve];
  const size = CURVES[curve].size;
  const d = bigFromBase64url(key.export({ format: 'jwk' }).d);
  const e = digestInteger(digest, c.n);
  for (;;) {
    // 64 extra random bits make the reduction mod n uniform enough (FIPS 186-5 A.3.1).
    const k = mod(BigInt(`0x${randomBytes(size + 8).toString('hex')}`), c.n - 1n) + 1n;
    const x = affineX(c, multiply(c, k, { X: c.gx, Y: c.gy, Z: 1n }));
    if (x === undefined) continue;
    const r = mod(x, c.n);
    const s = mod(inverse(k, c.n) * (e + r * d), c.n);
    if (r === 0n || s === 0n) continue;
    const raw = Buffer.from(
      r.toString(16).padStart(2 * size, '0') + s.toString(16).padStart(2 * size, '0'),
      'hex',
    );
    return ecdsaRawToDer(raw);
  }
}
