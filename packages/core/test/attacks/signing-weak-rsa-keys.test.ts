import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeContentDigest,
  createRequestSigner,
  createSignatureVerifier,
  isThGovError,
} from '../../src/index.js';
import { canonicalSigningInput } from '../../src/signing/canonical.js';

/**
 * An RSA public key with the exponent 1 turns verification into a comparison: the "signature" is the padded hash
 * itself, which anyone can compute. Such a key (a test key published by mistake, a hostile entry in a key registry
 * a resolver reads) was accepted, and every message under its kid could be forged without the private key. Even
 * exponents are no RSA key at all, and exponents above 2^256 (FIPS 186-5) only make each verification cost as much
 * as a private-key operation.
 */

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' });
const withExponent = (e: bigint): KeyObject => {
  let hex = e.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return createPublicKey({
    key: { ...jwk, e: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
};
const request = {
  method: 'POST',
  target: '/gdx/v1/pay',
  body: '{"to":"attacker","amount":1000000}',
  requestId: 'r-1',
};

/** RS256 "signature" under an e = 1 key: the EMSA-PKCS1-v1_5 encoding of the hash, no private key needed. */
function forgeWithExponentOne(signingInput: Buffer): string {
  const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  const t = Buffer.concat([digestInfo, createHash('sha256').update(signingInput).digest()]);
  const k = 256;
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
  return em.toString('base64url');
}

async function forgedOutcome(key: KeyObject, via: 'keys' | 'keyResolver' | 'jwks'): Promise<string> {
  const header = {
    alg: 'RS256',
    kid: 'weak',
    b64: false,
    crit: ['b64'],
    iat: T0 / 1000,
    jti: 'forged-jti-0001',
  };
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payload = canonicalSigningInput({
    direction: 'request',
    method: request.method,
    target: request.target,
    contentDigest: computeContentDigest(request.body),
    requestId: request.requestId,
  });
  const signature = forgeWithExponentOne(Buffer.concat([Buffer.from(`${encodedHeader}.`), payload]));
  const headers = {
    'x-jws-signature': `${encodedHeader}..${signature}`,
    'content-digest': computeContentDigest(request.body),
    'x-request-id': request.requestId,
  };
  try {
    const verifier = createSignatureVerifier(
      via === 'keys'
        ? { keys: [{ kid: 'weak', key }] }
        : via === 'jwks'
          ? { jwks: { keys: [{ ...key.export({ format: 'jwk' }), kid: 'weak' }] } }
          : { keyResolver: () => key },
    );
    await verifier.verify({ ...request, headers, now: T0 });
    return 'accepted';
  } catch (e) {
    // A refused key is a configuration error (a coded TypeError), a refused message a ThGovError.
    if (isThGovError(e) || e instanceof TypeError) return (e as { code?: string }).code ?? String(e);
    return `crash: ${String(e)}`;
  }
}

describe('RSA keys with an exponent that cannot protect anything', () => {
  it('a signature forged for an e = 1 key (static keys) is not accepted: the key is refused', async () => {
    expect(await forgedOutcome(withExponent(1n), 'keys')).toBe('ERR_INVALID_ARG');
  });

  it('a signature forged for an e = 1 key from a key resolver is ERR_JWS_INVALID', async () => {
    expect(await forgedOutcome(withExponent(1n), 'keyResolver')).toBe('ERR_JWS_INVALID');
  });

  it('in a published key set, an e = 1 key is skipped: the forged message is from an unknown key', async () => {
    expect(await forgedOutcome(withExponent(1n), 'jwks')).toBe('ERR_JWS_INVALID');
  });

  it('a weak RSA key beside the signing key in a published set does not stop the set from being used', async () => {
    const legacy = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const good = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = {
      keys: [
        { ...legacy, kid: 'legacy-1024' },
        { ...withExponent(1n).export({ format: 'jwk' }), kid: 'e1', alg: 'RS256' },
        { ...good.publicKey.export({ format: 'jwk' }), kid: 'sig' },
      ],
    };
    const verifier = createSignatureVerifier({ jwks });
    const signer = createRequestSigner({ key: good.privateKey, kid: 'sig', alg: 'ES256' });
    const { headers } = await signer.sign({ ...request, now: T0 });
    await expect(
      verifier.verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: T0 }),
    ).resolves.toMatchObject({ kid: 'sig' });
  });

  it('even, tiny and oversized exponents are refused when the verifier is built', () => {
    for (const e of [2n, 65536n, 1n << 256n, (1n << 300n) + 1n]) {
      expect(
        () => createSignatureVerifier({ keys: [{ kid: 'k', key: withExponent(e) }] }),
        String(e),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    }
  });

  it('the usual exponents are accepted: 65537, 3 and a large odd one below 2^256', () => {
    for (const e of [65537n, 3n, (1n << 255n) + 1n]) {
      expect(() => createSignatureVerifier({ keys: [{ kid: 'k', key: withExponent(e) }] })).not.toThrow();
    }
  });
});
