import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from '@thgov/core/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './engine.js';

/**
 * Which algorithms a validation accepts, for every signature it checks (certificates, CRLs, OCSP responses,
 * time-stamp tokens) and every public key on a path. Refusals end in `CRYPTO_CONSTRAINTS_FAILURE`.
 */
export interface AlgorithmPolicy {
  /** Shortest RSA modulus accepted, in bits. Default 2048. */
  minRsaModulusBits?: number;
  /** Accept SHA-1 in signatures (broken: SHAttered). Default false. MD2/MD4/MD5 are never accepted. */
  acceptSha1?: boolean;
  /** Elliptic curves accepted for EC keys. Default P-256, P-384, P-521. Ed25519 and Ed448 are always accepted. */
  ellipticCurves?: readonly ('P-256' | 'P-384' | 'P-521')[];
}

export type ResolvedAlgorithmPolicy = Required<AlgorithmPolicy>;

/** The default: RSA ≥ 2048 bits, no SHA-1, NIST curves (ETSI TS 119 312 as EU DSS applies it). */
export const DEFAULT_ALGORITHM_POLICY: Readonly<ResolvedAlgorithmPolicy> = Object.freeze({
  minRsaModulusBits: 2048,
  acceptSha1: false,
  ellipticCurves: Object.freeze(['P-256', 'P-384', 'P-521'] as const),
});

export const algorithmPolicySchema = z
  .object({
    minRsaModulusBits: z.number().int().min(1024).max(16_384).optional(),
    acceptSha1: z.boolean().optional(),
    ellipticCurves: z.array(z.enum(['P-256', 'P-384', 'P-521'])).optional(),
  })
  .strict();

export function resolveAlgorithmPolicy(p: AlgorithmPolicy | undefined): ResolvedAlgorithmPolicy {
  return { ...DEFAULT_ALGORITHM_POLICY, ...(p ?? {}) } as ResolvedAlgorithmPolicy;
}

type Hash = 'md2' | 'md4' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
type Family = 'rsa' | 'rsa-pss' | 'ecdsa' | 'dsa' | 'eddsa';

const SIGNATURE_ALGORITHMS: Record<string, { family: Family; hash?: Hash }> = {
  '1.2.840.113549.1.1.2': { family: 'rsa', hash: 'md2' },
  '1.2.840.113549.1.1.3': { family: 'rsa', hash: 'md4' },
  '1.2.840.113549.1.1.4': { family: 'rsa', hash: 'md5' },
  '1.2.840.113549.1.1.5': { family: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { family: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { family: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { family: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { family: 'rsa', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { family: 'rsa-pss' },
  '1.2.840.10045.4.1': { family: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { family: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', hash: 'sha512' },
  '1.2.840.10040.4.3': { family: 'dsa', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { family: 'dsa', hash: 'sha256' },
  '1.3.101.112': { family: 'eddsa' },
  '1.3.101.113': { family: 'eddsa' },
};

const HASH_BY_OID: Record<string, Hash> = {
  [OID.sha1]: 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

/** How a signature algorithm identifier is to be checked: family, hash and, for PSS, the salt length. */
export interface SignatureScheme {
  family: Family;
  hash: Hash | undefined;
  saltLength?: number;
}

const MGF1 = '1.2.840.113549.1.1.8';

/** Reads a signature AlgorithmIdentifier; undefined for an unknown or malformed one. */
export function signatureScheme(alg: pkijs.AlgorithmIdentifier): SignatureScheme | undefined {
  const known = SIGNATURE_ALGORITHMS[alg.algorithmId];
  if (!known) return undefined;
  if (known.family !== 'rsa-pss') return { family: known.family, hash: known.hash };
  return pssScheme(alg.algorithmParams);
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1): the hash, MGF1 and its hash (the mask generation function's parameters
 * are themselves an AlgorithmIdentifier), the salt length and trailer field 1, each with its default when
 * omitted. Node's verify applies MGF1 with the signature's own hash and the trailer 0xBC, so anything else
 * cannot be checked faithfully and is refused; so are parameters that are absent altogether (RFC 4055 requires
 * them in a signature algorithm).
 */
function pssScheme(asn: unknown): SignatureScheme | undefined {
  if (!(asn instanceof asn1js.Sequence)) return undefined;
  try {
    const params = new pkijs.RSASSAPSSParams({ schema: asn });
    const hash = HASH_BY_OID[params.hashAlgorithm.algorithmId];
    const mgf = params.maskGenAlgorithm;
    if (!hash || mgf.algorithmId !== MGF1 || params.trailerField !== 1) return undefined;
    const mgfHash = HASH_BY_OID[new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId];
    const saltLength = params.saltLength;
    if (mgfHash !== hash || !Number.isSafeInteger(saltLength) || saltLength < 0 || saltLength > 1024)
      return undefined;
    return { family: 'rsa-pss', hash, saltLength };
  } catch {
    return undefined;
  }
}

/** Why a hash is not acceptable under the policy, or undefined when it is. */
export function hashProblem(hash: Hash | undefined, policy: ResolvedAlgorithmPolicy): string | undefined {
  if (hash === undefined) return undefined;
  if (hash === 'md2' || hash === 'md4' || hash === 'md5') return `${hash.toUpperCase()} is never accepted`;
  if (hash === 'sha1' && !policy.acceptSha1) return 'SHA-1 is not accepted';
  if (hash === 'sha224') return 'SHA-224 is not accepted';
  return undefined;
}

/** Why a signature algorithm is not acceptable, or undefined when it is. */
export function signatureAlgorithmProblem(
  alg: pkijs.AlgorithmIdentifier,
  policy: ResolvedAlgorithmPolicy,
): string | undefined {
  const scheme = signatureScheme(alg);
  if (!scheme) return `signature algorithm ${alg.algorithmId} is not supported`;
  if (scheme.family === 'dsa') return 'DSA signatures are not accepted';
  return hashProblem(scheme.hash, policy);
}

const CURVE: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

const KEYS = new WeakMap<pkijs.PublicKeyInfo, KeyObject | null>();

/** The Node KeyObject of a certificate's public key (remembered per parsed key), or undefined when unreadable. */
export function publicKeyOf(spki: pkijs.PublicKeyInfo): KeyObject | undefined {
  let key = KEYS.get(spki);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(spki.toSchema().toBER(false)), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    KEYS.set(spki, key);
  }
  return key ?? undefined;
}

/** Why a public key is not acceptable (too short, unknown curve, unreadable), or undefined when it is. */
export function publicKeyProblem(
  key: KeyObject | undefined,
  policy: ResolvedAlgorithmPolicy,
): string | undefined {
  if (!key) return 'the public key cannot be read';
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits < policy.minRsaModulusBits
      ? `RSA key of ${bits} bits is shorter than ${policy.minRsaModulusBits}`
      : undefined;
  }
  if (type === 'ec') {
    const curve = CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
    return curve && policy.ellipticCurves.includes(curve)
      ? undefined
      : `elliptic curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'} is not accepted`;
  }
  if (type === 'ed25519' || type === 'ed448') return undefined;
  return `${type ?? 'unknown'} keys are not accepted`;
}
