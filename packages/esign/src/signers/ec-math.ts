/**
 * Prime-field elliptic-curve arithmetic for P-256 and P-384 in Jacobian coordinates, on BigInt: what ECDSA
 * over a precomputed digest needs, which node:crypto does not offer (it always hashes the message itself).
 * Not constant-time: fine for verification (public data) and for sandbox or test keys, not for production keys.
 */
import type { CurveName } from './algorithms.js';

export interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
}

export const CURVE_PARAMS: Record<CurveName, Curve> = {
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
export type Point = { X: bigint; Y: bigint; Z: bigint } | null;

export const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;

export function inverse(v: bigint, m: bigint): bigint {
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

export function add(c: Curve, P: Point, Q: Point): Point {
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

export function multiply(c: Curve, k: bigint, P: Point): Point {
  let result: Point = null;
  let addend = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(c, result, addend);
    addend = double(c, addend);
  }
  return result;
}

export function affineX(c: Curve, P: Point): bigint | undefined {
  if (!P || P.Z === 0n) return undefined;
  const zi = inverse(P.Z, c.p);
  return mod(P.X * zi * zi, c.p);
}

/** The digest's leftmost bits as an integer, as many bits as the order has (SEC 1 §4.1.3 step 5). */
export function digestInteger(digest: Uint8Array, n: bigint): bigint {
  const nBits = n.toString(2).length;
  let e = BigInt(`0x${Buffer.from(digest).toString('hex') || '0'}`);
  if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits);
  return e;
}

export function bigFromBase64url(value: string | undefined): bigint {
  return BigInt(`0x${Buffer.from(value ?? '', 'base64url').toString('hex') || '0'}`);
}
