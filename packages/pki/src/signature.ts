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
        return verifyEcdsa(scheme.hash!, data, key, signature) === true;
      case 'rsa':
        return verifyHashed(scheme.hash!, data, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/**
 * Verifies an ECDSA signature given as an ECDSA-Sig-Value (RFC 5480 §2.2.3 / X9.62: a SEQUENCE of the INTEGERs
 * r and s). OpenSSL, and so Node, accepts only its DER form; HSMs and their middleware also write r or s with
 * a superfluous leading zero octet, or without the zero octet a high first bit needs. The same r and s are read
 * from any such spelling (BER lengths, INTEGERs as unsigned magnitudes) and checked as they are: the equation is
 * the same, so nothing verifies that the DER would not. A value that is not one SEQUENCE of two INTEGERs (a raw
 * r||s, as PKCS#11's CKM_ECDSA returns it, or trailing bytes) is refused with the reason, as is an r or s longer
 * than the curve order.
 */
export function verifyEcdsa(
  hash: string,
  data: SignedBytes,
  key: KeyObject,
  signature: Uint8Array,
): true | false | string {
  const rs = ecdsaSigValue(signature);
  if (typeof rs === 'string') return rs;
  const size = ecdsaSize(key);
  if (size === undefined) return 'the key is not an EC key on a known curve';
  const p1363 = Buffer.alloc(2 * size);
  for (const [i, v] of rs.entries()) {
    if (v.length > size) return 'the ECDSA signature r or s is longer than the curve order';
    p1363.set(v, (i + 1) * size - v.length);
  }
  try {
    return verifyHashed(hash, data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
  } catch {
    return false;
  }
}

const NOT_SIG_VALUE =
  'the ECDSA signature value is not an ECDSA-Sig-Value (a SEQUENCE of the INTEGERs r and s); a raw r||s is not one';

/** r and s of an ECDSA-Sig-Value as unsigned big-endian magnitudes without leading zeros; a string says why not. */
function ecdsaSigValue(sig: Uint8Array): [Uint8Array, Uint8Array] | string {
  const seq = tlv(sig, 0, 0x30);
  if (!seq || seq.end !== sig.length) return NOT_SIG_VALUE;
  const r = tlv(sig, seq.start, 0x02);
  const s = r && tlv(sig, r.end, 0x02);
  if (!r || !s || s.end !== seq.end) return NOT_SIG_VALUE;
  const magnitude = (t: { start: number; end: number }) => {
    let i = t.start;
    while (i < t.end && sig[i] === 0) i++;
    return sig.subarray(i, t.end);
  };
  const out: [Uint8Array, Uint8Array] = [magnitude(r), magnitude(s)];
  if (out.some((v) => v.length === 0)) return 'the ECDSA signature r or s is zero';
  return out;
}

/** The content of a definite-length TLV with identifier octet `tag` at `at` (BER lengths allowed). */
function tlv(b: Uint8Array, at: number, tag: number): { start: number; end: number } | undefined {
  if (b[at] !== tag || at + 2 > b.length) return undefined;
  const l0 = b[at + 1]!;
  let len = l0;
  let start = at + 2;
  if (l0 === 0x80) return undefined;
  if (l0 & 0x80) {
    const n = l0 & 0x7f;
    if (n > 4 || start + n > b.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  return len > 0 && end <= b.length ? { start, end } : undefined;
}

/** The byte length of r and s for `key`'s curve (that of its coordinates: the same for the curves in use). */
function ecdsaSize(key: KeyObject): number | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  try {
    const x = key.export({ format: 'jwk' }).x;
    return x ? Buffer.from(x, 'base64url').length : undefined;
  } catch {
    return undefined;
  }
}
