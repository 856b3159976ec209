import {
  createHash,
  createPrivateKey,
  type JsonWebKey,
  type KeyObject,
  sign,
  timingSafeEqual,
} from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { EsignError } from '../errors.js';
import { checkDigest, checkSchemeFits, describePublicKey, NODE_DIGEST } from './algorithms.js';
import { parseChain } from './chain.js';
import { signDigest } from './sign-digest.js';
import type { SignatureAlgorithm, SignContext, Signer } from './signer.js';

function toKeyObject(key: KeyObject | JsonWebKey): KeyObject {
  if (typeof key === 'object' && key !== null && 'asymmetricKeyType' in key && (key as KeyObject).type) {
    if ((key as KeyObject).type !== 'private') throw invalidArgument('keyObjectSigner needs a private key');
    return key as KeyObject;
  }
  try {
    return createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalidArgument('The key is neither a private KeyObject nor a private JWK');
  }
}

/**
 * Signs the exact bytes with node:crypto (constant-time OpenSSL code for every scheme), after checking that they
 * hash to the digest the caller asked to sign: a signer never signs something other than what it was shown.
 */
function signBytes(
  key: KeyObject,
  digest: Uint8Array,
  algorithm: SignatureAlgorithm,
  tbs: Uint8Array,
): Uint8Array {
  const actual = createHash(NODE_DIGEST[algorithm.digest]).update(tbs).digest();
  if (actual.length !== digest.length || !timingSafeEqual(actual, digest))
    throw invalidArgument('context.toBeSigned does not hash to the digest being signed');
  const pss = algorithm.scheme === 'RSA-PSS';
  return new Uint8Array(
    sign(NODE_DIGEST[algorithm.digest], tbs, {
      key,
      dsaEncoding: 'der',
      ...(pss ? { padding: 6, saltLength: digest.length } : {}),
    }),
  );
}

/**
 * A {@link Signer} over a private key held in this process (a KeyObject, or a JWK) and its certificate chain
 * (DER or PEM, signer first). thgov's signing code passes the signed bytes as `context.toBeSigned`, which are
 * signed with node:crypto after their digest is checked; without them RSA signs the digest directly, and ECDSA
 * (which node:crypto cannot apply to a precomputed digest in constant time) is refused.
 *
 * @example
 * ```ts
 * const signer = keyObjectSigner(privateKey, [signerCertPem, caCertPem]);
 * const signed = await signPdf(pdf, { signer, level: 'B-B', trustAnchors: caCertPem });
 * ```
 */
export function keyObjectSigner(
  key: KeyObject | JsonWebKey,
  chain: ReadonlyArray<Uint8Array | string>,
): Signer {
  const privateKey = toKeyObject(key);
  const certs = parseChain(chain);
  if (!certs[0]) throw invalidArgument('keyObjectSigner needs the signer certificate');
  if (!certs[0].checkPrivateKey(privateKey))
    throw new EsignError('ERR_ESIGN_SIGNER_CERT', 'The certificate does not belong to the private key');
  const description = describePublicKey(certs[0].publicKey);
  return {
    certificateChain: certs.map((c) => new Uint8Array(c.raw)),
    schemes: description.schemes,
    async sign(digest: Uint8Array, algorithm: SignatureAlgorithm, context?: SignContext) {
      checkDigest(digest, algorithm);
      checkSchemeFits(description, algorithm);
      if (context?.toBeSigned) return signBytes(privateKey, digest, algorithm, context.toBeSigned);
      if (algorithm.scheme === 'ECDSA')
        throw new EsignError(
          'ERR_ESIGN_ALGORITHM',
          'A local ECDSA key signs the bytes, not a bare digest: pass context.toBeSigned',
        );
      return signDigest(privateKey, digest, algorithm);
    },
  };
}
