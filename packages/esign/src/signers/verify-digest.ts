import { constants, createHash, type KeyObject, publicDecrypt, timingSafeEqual } from 'node:crypto';
import { CURVES, type CurveName, DIGEST_LENGTH, digestInfo, NODE_DIGEST } from './algorithms.js';
import { ecdsaDerToIntegers } from './der.js';
import type { DigestAlgorithm, SignatureAlgorithm } from './signer.js';

/**
 * Verifies a signature over a precomputed digest. node:crypto only verifies over the message (it hashes
 * first), and a remote signer is given the digest alone: so the RSA paddings are checked on the raw
 * RSA operation and ECDSA with the curve arithmetic below. Used to refuse a signature that a signing
 * service or a token made with another key than the certificate's, before it goes into a document.
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

function mgf1(seed: Uint8Array, length: number, digest: DigestAlgorithm): Buffer {
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

interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
}

const CURVE_PARAMS: Record<CurveName, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
};

/** Jacobian coordinates (x = X/Z², y = Y/Z³): one modular inverse per verification instead of one per step. */
type Point = { X: bigint; Y: bigint; Z: bigint } | null;

const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;

function inverse(v: bigint, m: bigint): bigint {
  let [a, b, x0, x1] = [mod(v, m), m, 0n, 1n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x1, x0] = [x0, x1 - q * x0];
  }
  if (a !== 1n) throw new RangeError('not invertible');
  return mod(x1, m);
}

function double(c: Curve, P: Point): Point {
  if (!P || P.Y === 0n) return null;
  const { p } = c;
  const y2 = mod(P.Y * P.Y, p);
  const s = mod(4n * P.X * y2, p);
  const z2 = mod(P.Z * P.Z, p);
  const m = mod(3n * P.X * P.X + c.a * z2 * z2, p);
  const X = mod(m * m - 2n * s, p);
  return { X, Y: mod(m * (s - X) - 8n * y2 * y2, p), Z: mod(2n * P.Y * P.Z, p) };
}

function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  const { p } = c;
  const pz2 = mod(P.Z * P.Z, p);
  const qz2 = mod(Q.Z * Q.Z, p);
  const u1 = mod(P.X * qz2, p);
  const u2 = mod(Q.X * pz2, p);
  const s1 = mod(P.Y * qz2 * Q.Z, p);
  const s2 = mod(Q.Y * pz2 * P.Z, p);
  if (u1 === u2) return s1 === s2 ? double(c, P) : null;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = mod(h * h, p);
  const h3 = mod(h2 * h, p);
  const X = mod(r * r - h3 - 2n * u1 * h2, p);
  return { X, Y: mod(r * (u1 * h2 - X) - s1 * h3, p), Z: mod(h * P.Z * Q.Z, p) };
}

function multiply(c: Curve, k: bigint, P: Point): Point {
  let result: Point = null;
  let addend = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(c, result, addend);
    addend = double(c, addend);
  }
  return result;
}

function affineX(c: Curve, P: Point): bigint | undefined {
  if (!P || P.Z === 0n) return undefined;
  const zi = inverse(P.Z, c.p);
  return mod(P.X * zi * zi, c.p);
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
  const q = { X: big(jwk.x), Y: big(jwk.y), Z: 1n };
  // The digest's leftmost bits, as many as the order has (a SHA-512 digest on P-256 is truncated).
  const nBits = c.n.toString(2).length;
  let e = BigInt(`0x${Buffer.from(digest).toString('hex') || '0'}`);
  if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits);
  const w = inverse(rs.s, c.n);
  const point = add(
    c,
    multiply(c, mod(e * w, c.n), { X: c.gx, Y: c.gy, Z: 1n }),
    multiply(c, mod(rs.r * w, c.n), q),
  );
  const x = affineX(c, point);
  return x !== undefined && mod(x, c.n) === rs.r;
}

function big(base64url: string | undefined): bigint {
  return BigInt(`0x${Buffer.from(base64url ?? '', 'base64url').toString('hex') || '0'}`);
}
