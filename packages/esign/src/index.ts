export {
  type CscAuthData,
  type CscAuthorizeInput,
  type CscCallOptions,
  CscClient,
  type CscClientOptions,
  type CscSignHashInput,
} from './csc/client.js';
export type { CscCredentialInfo, CscCredentialList, CscInfo } from './csc/schemas.js';
export {
  ESIGN_ERROR_CODES,
  EsignError,
  type EsignErrorCode,
  type EsignErrorOptions,
  isEsignError,
} from './errors.js';
export {
  type CscAuth,
  type CscAuthDataRequest,
  type CscCredentialTokenRequest,
  type CscSignerOptions,
  cscSigner,
} from './signers/csc.js';
export { type Pkcs11SignerOptions, pkcs11Signer } from './signers/pkcs11.js';
export { signDigest } from './signers/sign-digest.js';
export type {
  DigestAlgorithm,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signers/signer.js';
export { verifyDigestSignature } from './signers/verify-digest.js';
