import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { TranscriptError } from '../errors.js';
import type { CryptoKey, CryptoKeyPair } from './crypto-types.js';

export type KeyInput = CryptoKey | string | Uint8Array;

/** A fresh signing key pair (RSA-2048 PKCS#1 v1.5 with SHA-256 unless `ec` is set). */
export async function generateSigningKeyPair(options: { ec?: boolean } = {}): Promise<CryptoKeyPair> {
  if (options.ec) {
    return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
  }
  return (await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
}

function algorithmFor(
  k: KeyObject,
  hash: string,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  if (k.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (k.asymmetricKeyType === 'ec') {
    const curve = k.asymmetricKeyDetails?.namedCurve;
    const named =
      curve === 'prime256v1'
        ? 'P-256'
        : curve === 'secp384r1'
          ? 'P-384'
          : curve === 'secp521r1'
            ? 'P-521'
            : undefined;
    if (named) return { name: 'ECDSA', namedCurve: named };
  }
  throw new TranscriptError(
    'ERR_TRANSCRIPT_ISSUE',
    `Unsupported key type ${k.asymmetricKeyType ?? 'unknown'}`,
  );
}

/** Accepts a WebCrypto key, or a PKCS#8 private key as PEM or DER, and returns a signing CryptoKey. */
export async function importPrivateKey(key: KeyInput, hash = 'SHA-256'): Promise<CryptoKey> {
  if (typeof key === 'object' && !(key instanceof Uint8Array)) {
    const alg = key.algorithm as { name: string; hash?: { name: string } };
    if (alg.hash === undefined || alg.hash.name === hash) return key;
    // RSA keys are bound to one hash in WebCrypto: re-import for the requested digest.
    if (!key.extractable)
      throw new TranscriptError(
        'ERR_TRANSCRIPT_ISSUE',
        `The key is bound to ${alg.hash.name}; pass an extractable key or PKCS#8 for ${hash}`,
      );
    const der = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', key));
    return importPrivateKey(der, hash);
  }
  let ko: KeyObject;
  try {
    ko =
      typeof key === 'string'
        ? createPrivateKey(key)
        : createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' });
  } catch {
    // Neither the key text nor the parser's message (which may quote it) goes into the error.
    throw new TranscriptError(
      'ERR_TRANSCRIPT_ISSUE',
      'The private key could not be read (PKCS#8 PEM or DER expected)',
    );
  }
  const pkcs8 = ko.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, algorithmFor(ko, hash), false, ['sign']);
}

export async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

export function publicKeyType(spkiDer: Uint8Array): string | undefined {
  return createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }).asymmetricKeyType;
}
