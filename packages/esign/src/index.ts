export type {
  DigestAlgorithm,
  SignatureAlgorithm,
  SignatureScheme,
  SignContext,
  Signer,
} from './signers/signer.js';
