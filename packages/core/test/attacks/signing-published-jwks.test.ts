import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isThGovError } from '../../src/errors.js';
import { createRequestSigner } from '../../src/signing/signer.js';
import { createSignatureVerifier } from '../../src/signing/verifier.js';

/**
 * An agency publishes one JSON Web Key Set for everything it does: its request-signing key, and beside it keys the
 * verifier has no use for (an encryption key without `use`, a key for another algorithm during a migration, a key
 * whose `key_ops` say encrypt). jose's `createLocalJWKSet` ignores such keys until one is asked for; a verifier that
 * refuses the whole set instead stops verifying anything the day the agency adds one. A set that holds a private
 * key, on the other hand, is not a set to trust at all (jose: "JSON Web Key Set members must be public keys"):
 * whoever read it can sign as the agency.
 */

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const request = {
  method: 'POST',
  target: '/gdx/v1/dopa/linkage',
  body: '{"n":1}',
  requestId: '7d3f2a10-5b6c-4e8f-9a01-23456789abcd',
};

const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: 'sig-2026', use: 'sig' };
const signer = createRequestSigner({ key: signing.privateKey, kid: 'sig-2026', alg: 'ES256' });

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const x25519 = generateKeyPairSync('x25519');
const pub = (k: typeof rsa.publicKey): JsonWebKey => k.export({ format: 'jwk' });

/** Keys a real agency set may carry beside its signing key, none of them for ES256/PS256/RS256/EdDSA signatures. */
const notForUs = [
  { ...pub(rsa.publicKey), kid: 'enc-rsa', alg: 'RSA-OAEP-256' },
  { ...pub(p384.publicKey), kid: 'sig-p384', alg: 'ES384', use: 'sig' },
  { ...pub(rsa.publicKey), kid: 'sig-rs512', alg: 'RS512' },
  { ...pub(rsa.publicKey), kid: 'wrap', key_ops: ['wrapKey', 'encrypt'] },
  { ...pub(x25519.publicKey), kid: 'ecdh', alg: 'ECDH-ES' },
];

async function signed(kid = 'sig-2026') {
  const s = kid === 'sig-2026' ? signer : createRequestSigner({ key: rsa.privateKey, kid, alg: 'RS256' });
  const { headers } = await s.sign({ ...request, now: T0 });
  return { ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 };
}

describe('attack: a published JWKS with keys the verifier cannot use', () => {
  it('verifies with the signing key of a set that also holds encryption and other-algorithm keys', async () => {
    for (const extra of notForUs) {
      const verifier = createSignatureVerifier({ jwks: { keys: [extra, signingJwk] } });
      await expect(verifier.verify(await signed()), extra.kid).resolves.toMatchObject({
        kid: 'sig-2026',
        alg: 'ES256',
      });
    }
  });

  it('never verifies with a key whose use, key_ops or alg say it is not for these signatures', async () => {
    const verifier = createSignatureVerifier({ jwks: { keys: [...notForUs, signingJwk] } });
    // Signed with the RSA key the set lists only for encryption / RS512 / key wrapping.
    for (const kid of ['enc-rsa', 'sig-rs512', 'wrap']) {
      const err = await caught(verifier.verify(await signed(kid)));
      expect(isThGovError(err, 'ERR_JWS_INVALID'), kid).toBe(true);
    }
  });

  it('does not verify a signature with a key whose key_ops allow only encryption', async () => {
    const wrap = notForUs[3] as JsonWebKey & { kid: string };
    const verifier = createSignatureVerifier({ jwks: { keys: [wrap, signingJwk] } });
    const err = await caught(verifier.verify(await signed('wrap')));
    expect(isThGovError(err, 'ERR_JWS_INVALID')).toBe(true);
  });

  it('keeps a key set apart from a key meant for a kid it already has (an encryption key sharing the kid)', async () => {
    const verifier = createSignatureVerifier({
      jwks: { keys: [{ ...pub(rsa.publicKey), kid: 'sig-2026', use: 'enc' }, signingJwk] },
    });
    await expect(verifier.verify(await signed())).resolves.toMatchObject({ kid: 'sig-2026' });
  });
});

describe('attack: a published JWKS that holds private key material', () => {
  it('refuses a set whose signing key carries its private members, without echoing them', () => {
    const leaked = { ...signing.privateKey.export({ format: 'jwk' }), kid: 'sig-2026', use: 'sig' };
    const err = caught(() => createSignatureVerifier({ jwks: { keys: [leaked] } }));
    expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
    const text = `${(err as Error).message} ${JSON.stringify(err)}`;
    expect(text).not.toContain(leaked.d as string);
  });

  it('refuses a set with any private member (RSA primes, an oct secret), even on a key it would skip', () => {
    const rsaPrivate = rsa.privateKey.export({ format: 'jwk' });
    for (const extra of [
      { ...rsaPrivate, kid: 'enc-rsa', use: 'enc' },
      { kty: 'RSA', n: rsaPrivate.n, e: rsaPrivate.e, p: rsaPrivate.p, kid: 'half' },
      { kty: 'oct', k: 'c2VjcmV0LWhtYWMta2V5LTAxMjM0NTY3ODk', kid: 'hmac' },
    ]) {
      const err = caught(() => createSignatureVerifier({ jwks: { keys: [signingJwk, extra as never] } }));
      expect((err as { code?: string }).code, extra.kid).toBe('ERR_INVALID_ARG');
    }
  });
});
