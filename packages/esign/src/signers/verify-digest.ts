import { constants, createHash, type KeyObject, publicDecrypt, timingSafeEqual } from 'node:crypto';
import { CURVES, type CurveName, DIGEST_LENGTH, digestInfo, NODE_DIGEST } from './algorithms.js';
import { ecdsaDerToIntegers } from './der.js';
import {
  add,
  affineX,
  bigFromBase64url,
  CURVE_PARAMS,
  digestInteger,
  inverse,
  mod,
  multiply,
} from './ec-math.js';
import type { DigestAlgorithm, SignatureAlgorithm } from './signer.js';

/**
 * Verifies a signature over a precomputed digest. node:crypto only verifies over the message (it hashes
 * first), and a remote signer is given the digest alone: so the RSA paddings are checked on the raw
 * RSA operation and ECDSA with the curve arithmetic below. Used to refuse a signature that a signing
 * service or a token made with another key than the certificate's, before it goes into a document.
 * ECDSA signatures are expected DER-encoded; anything malformed is simply `false`.
 *
 * @example
 * ```ts
 * const ok = verifyDigestSignature(certificate.publicKey, digest, { scheme: 'RSA-PSS', digest: 'SHA-256' }, signature);
 * ```
 */
export function verifyDigestSignature(
  key: KeyObject,
  digest: Uint8Array,
  algorithm: SignatureAlgorithm,
  signature: Uint8Array,
): boolean {
  try {
    if (algorithm.scheme === 'RSASSA-PKCS1-v1_5') {
      const decoded = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      const expected = digestInfo(digest, algorithm.digest);
      return decoded.length === expected.length && timingSafeEqual(decoded, expected);
    }
    if (algorithm.scheme === 'RSA-PSS') return verifyPss(key, digest, algorithm.digest, signature);
    return verifyEcdsa(key, digest, signature);
  } catch {
    return false;
  }
}

export function mgf1(seed: Uint8Array, length: number, digest: DigestAlgorithm): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0, size = 0; size < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(NODE_DIGEST[digest]).update(seed).update(c).digest();
    out.push(block);
    size += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with MGF1 over the same digest and a digest-long salt. */
function verifyPss(key: KeyObject, mHash: Uint8Array, digest: DigestAlgorithm, signature: Uint8Array) {
  const modBits = key.asymmetricKeyDetails?.modulusLength;
  if (!modBits) return false;
  const hLen = DIGEST_LENGTH[digest];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  let em: Buffer = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  if (em.length > emLen) {
    if (em[0] !== 0) return false;
    em = em.subarray(em.length - emLen);
  }
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  const topMask = 0xff >> topBits;
  if (((maskedDb[0] ?? 0) & ~topMask & 0xff) !== 0) return false;
  const db = Buffer.from(maskedDb);
  const mask = mgf1(h, db.length, digest);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & topMask;
  const psLength = emLen - 2 * hLen - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 0x01) return false;
  const salt = db.subarray(psLength + 1);
  const hPrime = createHash(NODE_DIGEST[digest]).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(hPrime, h);
}

/** ECDSA verification (SEC 1 §4.1.4) over a digest, for the curves signers accept. */
function verifyEcdsa(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const named = key.asymmetricKeyDetails?.namedCurve;
  const name = (Object.keys(CURVES) as CurveName[]).find((c) => CURVES[c].nodeName === named);
  if (!name) return false;
  const c = CURVE_PARAMS[name];
  const rs = ecdsaDerToIntegers(signature);
  if (!rs || rs.r <= 0n || rs.r >= c.n || rs.s <= 0n || rs.s >= c.n) return false;
  const jwk = key.export({ format: 'jwk' });
  const q = { X: bigFromBase64url(jwk.x), Y: bigFromBase64url(jwk.y), Z: 1n };
  const e = digestInteger(digest, c.n);
  const w = inverse(rs.s, c.n);
  const point = add(
    c,
    multiply(c, mod(e * w, c.n), { X: c.gx, Y: c.gy, Z: 1n }),
    multiply(c, mod(rs.r * w, c.n), q),
  );
  const x = affineX(c, point);
  return x !== undefined && mod(x, c.n) === rs.r;
}
