import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * The password-based schemes of PKCS#12 files (RFC 7292): its own key derivation (Appendix B) for the legacy
 * PBE algorithms and the MAC, PBES2 (PBKDF2 + AES-CBC) for modern files, and RC2-CBC, which OpenSSL 3 keeps in
 * its legacy provider (so node:crypto cannot run it) but which `openssl pkcs12 -legacy` and most older exports
 * still use for the certificates.
 */

/** RC2's PITABLE (RFC 2268 §2), a permutation of 0..255 from the digits of pi. */
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb6266fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b255597312d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** RFC 7292 Appendix B.2: `n` bytes of key material (id 1 key, 2 IV, 3 MAC key) from a password and salt. */
export function pkcs12Kdf(
  password: string,
  salt: Uint8Array,
  iterations: number,
  id: 1 | 2 | 3,
  n: number,
  hash: 'sha1' | 'sha256' | 'sha384' | 'sha512' = 'sha1',
): Buffer {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  // The password as a BMPString with its two-byte terminator.
  const pw = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const fill = (src: Uint8Array) => {
    const len = src.length ? v * Math.ceil(src.length / v) : 0;
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(pw)]);
  const D = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    out.push(A);
    const B = fill(A).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

/** The RC2 key schedule (RFC 2268 §2) for `key` with `bits` effective key bits. */
function rc2Schedule(key: Uint8Array, bits: number): Uint16Array {
  const L = new Uint8Array(128);
  L.set(key);
  const T = key.length;
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
  const T8 = (bits + 7) >> 3;
  const TM = 0xff >> (8 * T8 - bits);
  L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i]! | (L[2 * i + 1]! << 8);
  return K;
}

const ror = (x: number, s: number) => ((x >> s) | (x << (16 - s))) & 0xffff;

/** Decrypts one 8-byte RC2 block (RFC 2268 §4): 5 r-mixing rounds, r-mashing, 6, r-mashing, 5. */
function rc2DecryptBlock(K: Uint16Array, block: Uint8Array): Uint8Array {
  const R = [0, 1, 2, 3].map((i) => block[2 * i]! | (block[2 * i + 1]! << 8));
  const S = [1, 2, 3, 5];
  let j = 63;
  const mix = () => {
    for (let i = 3; i >= 0; i--) {
      const a = R[(i + 3) % 4]!;
      const b = R[(i + 2) % 4]!;
      const c = R[(i + 1) % 4]!;
      R[i] = (ror(R[i]!, S[i]!) - K[j--]! - (a & b) - (~a & c)) & 0xffff;
    }
  };
  const mash = () => {
    for (let i = 3; i >= 0; i--) R[i] = (R[i]! - K[R[(i + 3) % 4]! & 63]!) & 0xffff;
  };
  for (const [rounds, thenMash] of [
    [5, true],
    [6, true],
    [5, false],
  ] as const) {
    for (let r = 0; r < rounds; r++) mix();
    if (thenMash) mash();
  }
  const out = new Uint8Array(8);
  R.forEach((w, i) => {
    out[2 * i] = w & 0xff;
    out[2 * i + 1] = w >> 8;
  });
  return out;
}

/** RC2-CBC decryption with PKCS#7 padding removed; undefined when the padding is wrong (a wrong password). */
export function rc2CbcDecrypt(
  key: Uint8Array,
  bits: number,
  iv: Uint8Array,
  data: Uint8Array,
): Buffer | undefined {
  if (data.length === 0 || data.length % 8) return undefined;
  const K = rc2Schedule(key, bits);
  const out = Buffer.alloc(data.length);
  let prev = iv;
  for (let o = 0; o < data.length; o += 8) {
    const c = data.subarray(o, o + 8);
    const p = rc2DecryptBlock(K, c);
    for (let i = 0; i < 8; i++) out[o + i] = p[i]! ^ prev[i]!;
    prev = c;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8 || out.subarray(out.length - pad).some((b) => b !== pad)) return undefined;
  return out.subarray(0, out.length - pad);
}

/** A node:crypto CBC decryption; undefined when the padding is wrong (a wrong password). */
export function cbcDecrypt(
  cipher: string,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
): Buffer | undefined {
  try {
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    return undefined;
  }
}

/** PBKDF2 for PBES2 (RFC 8018), the password as UTF-8 as OpenSSL writes it. */
export function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
  length: number,
  prf: string,
): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, length, prf);
}

/** Checks the PFX MAC (RFC 7292 §5.1, PKCS#12 KDF key); a mismatch means a wrong password or a damaged file. */
export function macMatches(
  password: string,
  data: Uint8Array,
  mac: {
    digest: Uint8Array;
    salt: Uint8Array;
    iterations: number;
    hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  },
): boolean {
  const key = pkcs12Kdf(
    password,
    mac.salt,
    mac.iterations,
    3,
    createHash(mac.hash).digest().length,
    mac.hash,
  );
  const actual = createHmac(mac.hash, key).update(data).digest();
  return actual.length === mac.digest.length && timingSafeEqual(actual, mac.digest);
}
