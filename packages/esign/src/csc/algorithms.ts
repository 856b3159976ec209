import {
  CURVES,
  DIGEST_OID,
  type KeyDescription,
  pssParameters,
  SIGNATURE_OID,
  signatureOid,
} from '../signers/algorithms.js';
import { ecdsaDerToIntegers, ecdsaRawToDer } from '../signers/der.js';
import type { DigestAlgorithm, SignatureAlgorithm, SignatureScheme } from '../signers/signer.js';

/** The schemes a credential offers: those its certificate's key can make and its `key/algo` list names. */
export function offeredSchemes(key: KeyDescription, algo: readonly string[]): SignatureScheme[] {
  const has = (...oids: string[]) => oids.some((o) => algo.includes(o));
  const rsaPkcs1 = has(
    SIGNATURE_OID.rsaEncryption,
    SIGNATURE_OID.sha256WithRsa,
    SIGNATURE_OID.sha384WithRsa,
    SIGNATURE_OID.sha512WithRsa,
  );
  return key.schemes.filter((s) =>
    s === 'RSASSA-PKCS1-v1_5'
      ? rsaPkcs1
      : s === 'RSA-PSS'
        ? has(SIGNATURE_OID.rsassaPss)
        : has(
            SIGNATURE_OID.ecPublicKey,
            SIGNATURE_OID.ecdsaWithSha256,
            SIGNATURE_OID.ecdsaWithSha384,
            SIGNATURE_OID.ecdsaWithSha512,
          ),
  );
}

/**
 * Whether the credential's `key/algo` lets it make `algorithm`: RSA-PSS by rsassaPss (its parameters name the
 * digest); the others by their digest-specific OID, or by the key-type OID (rsaEncryption, ecPublicKey) that CSC
 * pairs with `hashAlgorithmOID`.
 */
export function algoAllows(algorithm: SignatureAlgorithm, algo: readonly string[]): boolean {
  if (algorithm.scheme === 'RSA-PSS') return algo.includes(SIGNATURE_OID.rsassaPss);
  const generic = algorithm.scheme === 'ECDSA' ? SIGNATURE_OID.ecPublicKey : SIGNATURE_OID.rsaEncryption;
  return algo.includes(generic) || algo.includes(signatureOid(algorithm));
}

/** The digests the credential signs over with `scheme`, SHA-256 first when it is one of them. */
export function offeredDigests(scheme: SignatureScheme, algo: readonly string[]): DigestAlgorithm[] {
  const all: DigestAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];
  return all.filter((digest) => algoAllows({ scheme, digest }, algo));
}

/**
 * `signAlgo` (and `signAlgoParams` for PSS) for a signHash call. The credential's `key/algo` decides between
 * the digest-specific OID (sha256WithRSAEncryption…) and the key-type OID (rsaEncryption, ecPublicKey), which
 * CSC pairs with `hashAlgorithmOID`; thgov always sends `hashAlgorithmOID` as well.
 */
export function signAlgorithmFor(
  algorithm: SignatureAlgorithm,
  algo: readonly string[],
): { signAlgo: string; signAlgoParams?: string; hashAlgorithmOid: string } {
  const hashAlgorithmOid = DIGEST_OID[algorithm.digest];
  if (algorithm.scheme === 'RSA-PSS') {
    return {
      signAlgo: SIGNATURE_OID.rsassaPss,
      signAlgoParams: Buffer.from(pssParameters(algorithm.digest)).toString('base64'),
      hashAlgorithmOid,
    };
  }
  const specific = signatureOid(algorithm);
  if (algo.includes(specific)) return { signAlgo: specific, hashAlgorithmOid };
  const generic = algorithm.scheme === 'ECDSA' ? SIGNATURE_OID.ecPublicKey : SIGNATURE_OID.rsaEncryption;
  return { signAlgo: generic, hashAlgorithmOid };
}

/** CSC carries ECDSA signatures DER-encoded; some services send r‖s, which is accepted and converted. */
export function normaliseSignature(signature: Uint8Array, key: KeyDescription): Uint8Array {
  if (key.type !== 'ec' || !key.curve || ecdsaDerToIntegers(signature)) return signature;
  return signature.length === 2 * CURVES[key.curve].size ? ecdsaRawToDer(signature) : signature;
}
