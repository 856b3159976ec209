import type { webcrypto } from 'node:crypto';

/** WebCrypto key types without pulling in the DOM lib. */
export type CryptoKey = webcrypto.CryptoKey;
/** A WebCrypto key pair (see {@link CryptoKey}). */
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
