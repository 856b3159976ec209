import { digestInfo } from '../signers/algorithms.js';
import type { DigestAlgorithm, SignatureAlgorithm } from '../signers/signer.js';
import { CK, type Pkcs11Mechanism } from './binding.js';

const PSS_HASH: Readonly<Record<DigestAlgorithm, { hashAlg: number; mgf: number }>> = {
  'SHA-256': { hashAlg: CK.CKM_SHA256, mgf: CK.CKG_MGF1_SHA256 },
  'SHA-384': { hashAlg: CK.CKM_SHA384, mgf: CK.CKG_MGF1_SHA384 },
  'SHA-512': { hashAlg: CK.CKM_SHA512, mgf: CK.CKG_MGF1_SHA512 },
};

/**
 * The mechanism and input for signing a precomputed digest. Only the "raw" mechanisms take a digest:
 * CKM_RSA_PKCS pads whatever it is given (so it gets the DigestInfo), CKM_RSA_PKCS_PSS is told the digest
 * algorithm in its parameters, CKM_ECDSA signs the digest as it is.
 */
export function pkcs11Mechanism(
  digest: Uint8Array,
  algorithm: SignatureAlgorithm,
): { mechanism: Pkcs11Mechanism; input: Uint8Array } {
  if (algorithm.scheme === 'RSASSA-PKCS1-v1_5') {
    return { mechanism: { mechanism: CK.CKM_RSA_PKCS }, input: digestInfo(digest, algorithm.digest) };
  }
  if (algorithm.scheme === 'RSA-PSS') {
    const { hashAlg, mgf } = PSS_HASH[algorithm.digest];
    return {
      mechanism: {
        mechanism: CK.CKM_RSA_PKCS_PSS,
        parameter: { type: CK.CK_PARAMS_RSA_PSS, hashAlg, mgf, saltLen: digest.length },
      },
      input: digest,
    };
  }
  return { mechanism: { mechanism: CK.CKM_ECDSA }, input: digest };
}
