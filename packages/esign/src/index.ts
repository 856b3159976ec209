export {
  ESIGN_ERROR_CODES,
  EsignError,
  type EsignErrorCode,
  type EsignErrorOptions,
  isEsignError,
} from './errors.js';
export { type Pkcs11SignerOptions, pkcs11Signer } from './signers/pkcs11.js';
export type {
  DigestAlgorithm,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signers/signer.js';
