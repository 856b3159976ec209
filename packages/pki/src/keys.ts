import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import type { CryptoKey } from './crypto-types.js';
import { PkiError } from './errors.js';
import { toPem } from './pem.js';

/** A private key: a WebCrypto key, or PKCS#8 as PEM text or DER bytes. */
export type KeyInput = CryptoKey | string | Uint8Array;

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
  throw new PkiError('ERR_PKI_KEY', `Unsupported key type ${k.asymmetricKeyType ?? 'unknown'}`);
}

/**
 * Accepts a WebCrypto key, or a PKCS#8 private key as PEM or DER, and returns a signing CryptoKey bound to
 * `hash` (RSA keys are bound to one digest in WebCrypto). Errors never quote the key.
 *
 * @example
 * ```ts
 * const key = await importPrivateKey(await readFile('signer.key', 'utf8'), 'SHA-256');
 * ```
 */
export async function importPrivateKey(key: KeyInput, hash = 'SHA-256'): Promise<CryptoKey> {
  if (typeof key === 'object' && !(key instanceof Uint8Array)) {
    const alg = key.algorithm as { name: string; hash?: { name: string } };
    if (alg.hash === undefined || alg.hash.name === hash) return key;
    if (!key.extractable)
      throw new PkiError(
        'ERR_PKI_KEY',
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
    throw new PkiError('ERR_PKI_KEY', 'The private key could not be read (PKCS#8 PEM or DER expected)');
  }
  const pkcs8 = ko.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, algorithmFor(ko, hash), false, ['sign']);
}

/**
 * An extractable private key as PKCS#8 PEM (for test fixtures and tools that need a key file).
 *
 * @example
 * ```ts
 * await writeFile('signer.key', await exportPkcs8Pem(keyPair.privateKey), { mode: 0o600 });
 * ```
 */
export async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  const der = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', key));
  return toPem(der, 'PRIVATE KEY');
}

/**
 * The key type (`rsa`, `ec`, `ed25519`, …) of a DER SubjectPublicKeyInfo, or undefined when unreadable.
 *
 * @example
 * ```ts
 * publicKeyType(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' })); // 'rsa'
 * ```
 */
export function publicKeyType(spkiDer: Uint8Array): string | undefined {
  try {
    return createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }).asymmetricKeyType;
  } catch {
    return undefined;
  }
}
