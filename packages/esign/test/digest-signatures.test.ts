import { constants, createHash, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type SignatureAlgorithm, signDigest, verifyDigestSignature } from '../src/index.js';

const DATA = Buffer.from('ลงนามโดยเจ้าหน้าที่ — digest signatures cross-checked with node:crypto');
const hashName = (a: SignatureAlgorithm) => a.digest.replace('-', '').toLowerCase();
const digestOf = (a: SignatureAlgorithm) => new Uint8Array(createHash(hashName(a)).update(DATA).digest());

function nodeVerifies(publicKey: KeyObject, a: SignatureAlgorithm, signature: Uint8Array): boolean {
  if (a.scheme === 'RSA-PSS') {
    const saltLength = digestOf(a).length;
    return verify(
      hashName(a),
      DATA,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
      signature,
    );
  }
  if (a.scheme === 'ECDSA')
    return verify(hashName(a), DATA, { key: publicKey, dsaEncoding: 'der' }, signature);
  return verify(hashName(a), DATA, publicKey, signature);
}

function nodeSigns(privateKey: KeyObject, a: SignatureAlgorithm): Uint8Array {
  if (a.scheme === 'RSA-PSS') {
    const saltLength = digestOf(a).length;
    return sign(hashName(a), DATA, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  }
  return sign(hashName(a), DATA, { key: privateKey, dsaEncoding: 'der' });
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
// An odd modulus length: PSS's emLen is then one byte shorter than the modulus.
const rsaOdd = generateKeyPairSync('rsa', { modulusLength: 2049 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });

const cases: Array<[string, { publicKey: KeyObject; privateKey: KeyObject }, SignatureAlgorithm]> = [];
for (const digest of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
  cases.push(['RSA-2048', rsa, { scheme: 'RSASSA-PKCS1-v1_5', digest }]);
  cases.push(['RSA-2048', rsa, { scheme: 'RSA-PSS', digest }]);
  cases.push(['RSA-2049', rsaOdd, { scheme: 'RSA-PSS', digest }]);
  cases.push(['P-256', p256, { scheme: 'ECDSA', digest }]);
  cases.push(['P-384', p384, { scheme: 'ECDSA', digest }]);
}

describe('signDigest / verifyDigestSignature agree with node:crypto over the message', () => {
  for (const [name, pair, algorithm] of cases) {
    it(`${name} ${algorithm.scheme} ${algorithm.digest}`, () => {
      const ours = signDigest(pair.privateKey, digestOf(algorithm), algorithm);
      expect(nodeVerifies(pair.publicKey, algorithm, ours)).toBe(true);
      const theirs = nodeSigns(pair.privateKey, algorithm);
      expect(verifyDigestSignature(pair.publicKey, digestOf(algorithm), algorithm, theirs)).toBe(true);
      const other = digestOf(algorithm);
      other[0] = (other[0] ?? 0) ^ 1;
      expect(verifyDigestSignature(pair.publicKey, other, algorithm, theirs)).toBe(false);
    });
  }

  it('a signature by another key, a wrong scheme or garbage bytes do not verify (never throw)', () => {
    const a: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sig = signDigest(stranger.privateKey, digestOf(a), a);
    expect(verifyDigestSignature(p256.publicKey, digestOf(a), a, sig)).toBe(false);
    expect(
      verifyDigestSignature(p256.publicKey, digestOf(a), a, new Uint8Array([0x30, 0x03, 0x02, 0x01])),
    ).toBe(false);
    expect(
      verifyDigestSignature(
        rsa.publicKey,
        digestOf(a),
        { scheme: 'RSA-PSS', digest: 'SHA-256' },
        new Uint8Array(10),
      ),
    ).toBe(false);
    const pkcs1 = signDigest(rsa.privateKey, digestOf(a), { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' });
    expect(
      verifyDigestSignature(rsa.publicKey, digestOf(a), { scheme: 'RSA-PSS', digest: 'SHA-256' }, pkcs1),
    ).toBe(false);
  });

  it('refuses a public key, a scheme the key cannot make and a digest of the wrong length', () => {
    const a: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    expect(() => signDigest(p256.publicKey, digestOf(a), a)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
    expect(() => signDigest(rsa.privateKey, digestOf(a), a)).toThrow(
      expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }),
    );
    expect(() => signDigest(p256.privateKey, new Uint8Array(31), a)).toThrow(
      expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }),
    );
    const ed = generateKeyPairSync('ed25519');
    expect(() => signDigest(ed.privateKey, digestOf(a), a)).toThrow(
      expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }),
    );
  });
});
