import type { KeyObject } from 'node:crypto';
import { invalidArgument } from '@thgov/core';
import { EsignError } from '../errors.js';
import { derLength, derSequence, derTagged } from './der.js';
import type { DigestAlgorithm, SignatureAlgorithm, SignatureScheme } from './signer.js';

/**
 * Names, lengths and object identifiers of the algorithms a signer deals in, shared by every key store:
 * PKCS#11 and CSC both speak in OIDs and DER parameters rather than in WebCrypto names.
 */

export const DIGEST_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** node:crypto's name for each digest. */
export const NODE_DIGEST: Readonly<Record<DigestAlgorithm, string>> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export const DIGEST_OID: Readonly<Record<DigestAlgorithm, string>> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};

/** Signature algorithm OIDs (RFC 8017, RFC 5758) as CSC's `key/algo` and `signAlgo` carry them. */
export const SIGNATURE_OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
} as const;

/** Named curves a signer accepts, with their OIDs (CSC `key/curve`) and order length in bytes. */
export const CURVES = {
  'P-256': { oid: '1.2.840.10045.3.1.7', size: 32, nodeName: 'prime256v1' },
  'P-384': { oid: '1.3.132.0.34', size: 48, nodeName: 'secp384r1' },
} as const;
export type CurveName = keyof typeof CURVES;

const DIGEST_OF_OID = new Map(Object.entries(DIGEST_OID).map(([k, v]) => [v, k as DigestAlgorithm]));

/** The digest for a hash-algorithm OID, or undefined for one thgov does not sign with (SHA-1, MD5…). */
export function digestForOid(oid: string): DigestAlgorithm | undefined {
  return DIGEST_OF_OID.get(oid);
}

/** The OID of "`digest` with `scheme`" (RSA-PSS has one OID whatever the digest: its parameters carry it). */
export function signatureOid(algorithm: SignatureAlgorithm): string {
  const n = algorithm.digest.slice(4) as '256' | '384' | '512';
  if (algorithm.scheme === 'RSA-PSS') return SIGNATURE_OID.rsassaPss;
  if (algorithm.scheme === 'ECDSA') return SIGNATURE_OID[`ecdsaWithSha${n}`];
  return SIGNATURE_OID[`sha${n}WithRsa`];
}

const NULL = Uint8Array.of(0x05, 0x00);

function oidDer(oid: string): Uint8Array {
  const parts = oid.split('.').map(Number);
  const bytes: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return Uint8Array.from([0x06, ...derLength(bytes.length), ...bytes]);
}

/** AlgorithmIdentifier of a digest, with the explicit NULL parameters that PKCS#1 expects. */
function digestAlgorithmIdentifier(digest: DigestAlgorithm): Uint8Array {
  return derSequence(oidDer(DIGEST_OID[digest]), NULL);
}

/** DER DigestInfo (RFC 8017 §9.2): what an RSA PKCS#1 v1.5 signature actually signs. */
export function digestInfo(digest: Uint8Array, algorithm: DigestAlgorithm): Uint8Array {
  return derSequence(
    digestAlgorithmIdentifier(algorithm),
    Uint8Array.from([0x04, ...derLength(digest.length), ...digest]),
  );
}

/**
 * DER RSASSA-PSS-params (RFC 8017 A.2.3) for thgov's PSS profile: the same digest for the message and MGF1,
 * a salt as long as the digest, trailer field 1 (default, so omitted).
 */
export function pssParameters(digest: DigestAlgorithm): Uint8Array {
  const hash = digestAlgorithmIdentifier(digest);
  const mgf1 = derSequence(oidDer('1.2.840.113549.1.1.8'), hash);
  return derSequence(
    derTagged(0xa0, hash),
    derTagged(0xa1, mgf1),
    derTagged(0xa2, Uint8Array.from([0x02, 0x01, DIGEST_LENGTH[digest]])),
  );
}

/** Checks a digest before it reaches a key store: its type and its length for the algorithm. */
export function checkDigest(digest: unknown, algorithm: SignatureAlgorithm): asserts digest is Uint8Array {
  if (!(digest instanceof Uint8Array)) throw invalidArgument('The digest must be a Uint8Array');
  checkAlgorithm(algorithm);
  const want = DIGEST_LENGTH[algorithm.digest];
  if (digest.length !== want) {
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `A ${algorithm.digest} digest is ${want} bytes; this one has ${digest.length}`,
    );
  }
}

const SCHEMES = new Set<SignatureScheme>(['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'ECDSA']);

export function checkAlgorithm(algorithm: unknown): asserts algorithm is SignatureAlgorithm {
  const a = algorithm as Partial<SignatureAlgorithm> | null;
  if (typeof a !== 'object' || a === null || !SCHEMES.has(a.scheme as SignatureScheme)) {
    throw invalidArgument('algorithm.scheme must be RSASSA-PKCS1-v1_5, RSA-PSS or ECDSA');
  }
  if (!(typeof a.digest === 'string' && a.digest in DIGEST_LENGTH)) {
    throw invalidArgument('algorithm.digest must be SHA-256, SHA-384 or SHA-512');
  }
}

/** What a public key can do: its family, size or curve, and the schemes it signs with (preferred first). */
export interface KeyDescription {
  type: 'rsa' | 'ec';
  /** RSA modulus length in bits. */
  bits?: number;
  curve?: CurveName;
  schemes: SignatureScheme[];
}

/** Describes a public key; an unsupported type or curve is ERR_ESIGN_ALGORITHM. */
export function describePublicKey(key: KeyObject): KeyDescription {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    return { type: 'rsa', ...(bits ? { bits } : {}), schemes: ['RSASSA-PKCS1-v1_5', 'RSA-PSS'] };
  }
  if (key.asymmetricKeyType === 'ec') {
    const named = key.asymmetricKeyDetails?.namedCurve;
    const curve = (Object.keys(CURVES) as CurveName[]).find((c) => CURVES[c].nodeName === named);
    if (curve) return { type: 'ec', curve, schemes: ['ECDSA'] };
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `The EC curve ${named ?? 'unknown'} is not supported (P-256, P-384)`,
    );
  }
  throw new EsignError(
    'ERR_ESIGN_ALGORITHM',
    `Keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported (RSA, ECDSA P-256/P-384)`,
  );
}

/** Refuses a scheme the key cannot produce, before anything is sent to a token or a service. */
export function checkSchemeFits(description: KeyDescription, algorithm: SignatureAlgorithm): void {
  if (!description.schemes.includes(algorithm.scheme)) {
    throw new EsignError(
      'ERR_ESIGN_ALGORITHM',
      `An ${description.type.toUpperCase()} key cannot produce ${algorithm.scheme} signatures`,
    );
  }
}
