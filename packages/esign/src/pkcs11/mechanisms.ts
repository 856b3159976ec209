import { EsignError } from '../errors.js';
import { digestInfo } from '../signers/algorithms.js';
import type { DigestAlgorithm, SignatureAlgorithm, SignatureScheme } from '../signers/signer.js';
import { CK, type Handle, type Pkcs11Api, type Pkcs11Mechanism } from './binding.js';

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

/** The raw (digest-taking) mechanism each scheme needs; hashing ones (CKM_SHA256_RSA_PKCS…) need the data. */
export const SCHEME_MECHANISM: Readonly<Record<SignatureScheme, { type: number; name: string }>> = {
  'RSASSA-PKCS1-v1_5': { type: CK.CKM_RSA_PKCS, name: 'CKM_RSA_PKCS' },
  'RSA-PSS': { type: CK.CKM_RSA_PKCS_PSS, name: 'CKM_RSA_PKCS_PSS' },
  ECDSA: { type: CK.CKM_ECDSA, name: 'CKM_ECDSA' },
};

/** The mechanisms a token offers for signing, or undefined when it will not say (then nothing is ruled out). */
function signingMechanisms(api: Pkcs11Api, slot: Handle): Set<number> | undefined {
  let listed: number[];
  try {
    listed = api.C_GetMechanismList(slot);
  } catch {
    return undefined;
  }
  return new Set(
    listed.filter((m) => {
      try {
        return (api.C_GetMechanismInfo(slot, m).flags & CK.CKF_SIGN) !== 0;
      } catch {
        return true; // Listed but not described: let C_SignInit decide.
      }
    }),
  );
}

/**
 * Of the schemes the certificate's key allows, those this token can compute on this key from a digest: its raw
 * mechanism is listed for signing (HSM policies and smart cards often leave out PKCS#1 v1.5, PSS or raw
 * ECDSA) and, when the key carries CKA_ALLOWED_MECHANISMS, allowed by it. None is ERR_ESIGN_ALGORITHM, before
 * anything is signed.
 */
export function usableSchemes(
  api: Pkcs11Api,
  slot: Handle,
  allowed: readonly number[] | undefined,
  wanted: readonly SignatureScheme[],
): SignatureScheme[] {
  const offered = signingMechanisms(api, slot);
  const usable = wanted.filter((scheme) => {
    const { type } = SCHEME_MECHANISM[scheme];
    return (offered?.has(type) ?? true) && (allowed?.includes(type) ?? true);
  });
  if (usable.length === 0) {
    const names = wanted.map((s) => SCHEME_MECHANISM[s].name).join(' or ');
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `The token cannot sign a digest with this key: it offers no ${names} for it`,
      {
        hint: "A raw mechanism must be enabled for signing: check the token's (or HSM partition's) mechanism policy and the key's CKA_ALLOWED_MECHANISMS.",
      },
    );
  }
  return usable;
}
