import type { KeyObject } from 'node:crypto';
import { registerXmlDsigAlgorithms, XMLDSIG_ALGORITHMS } from '@thgov/pki/internal';
import type { SignedXml } from 'xml-crypto';

/** XML-DSig algorithm identifiers the verifier knows. */
export const XMLDSIG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  ...XMLDSIG_ALGORITHMS,
} as const;

/** Reference transforms that cannot leave part of the letter unsigned. */
export const ALLOWED_TRANSFORMS: readonly string[] = [XMLDSIG.excC14n, XMLDSIG.enveloped];
/** SignedInfo canonicalizations (without comments). */
export const ALLOWED_CANONICALIZATIONS: readonly string[] = [XMLDSIG.excC14n, XMLDSIG.c14n];

const STRONG_DIGESTS = new Set<string>([XMLDSIG.sha256, XMLDSIG.sha384, XMLDSIG.sha512]);
const WEAK_DIGESTS = new Set<string>([XMLDSIG.sha1]);

/** Signature methods and the key type each needs. */
const SIGNATURE_METHODS: Record<string, { key: 'rsa' | 'ec'; weak: boolean }> = {
  [XMLDSIG.rsaSha256]: { key: 'rsa', weak: false },
  [XMLDSIG.rsaSha384]: { key: 'rsa', weak: false },
  [XMLDSIG.rsaSha512]: { key: 'rsa', weak: false },
  [XMLDSIG.rsaPssSha256]: { key: 'rsa', weak: false },
  [XMLDSIG.ecdsaSha256]: { key: 'ec', weak: false },
  [XMLDSIG.ecdsaSha384]: { key: 'ec', weak: false },
  [XMLDSIG.ecdsaSha512]: { key: 'ec', weak: false },
  [XMLDSIG.rsaSha1]: { key: 'rsa', weak: true },
  [XMLDSIG.ecdsaSha1]: { key: 'ec', weak: true },
};

export type AlgorithmVerdict = 'ok' | 'weak' | 'unsupported';

export function digestVerdict(uri: string): AlgorithmVerdict {
  return STRONG_DIGESTS.has(uri) ? 'ok' : WEAK_DIGESTS.has(uri) ? 'weak' : 'unsupported';
}

export function signatureMethodVerdict(uri: string): AlgorithmVerdict {
  const m = SIGNATURE_METHODS[uri];
  return m ? (m.weak ? 'weak' : 'ok') : 'unsupported';
}

/** The key type a signature method needs (`rsa` or `ec`). */
export function keyTypeFor(uri: string): 'rsa' | 'ec' | undefined {
  return SIGNATURE_METHODS[uri]?.key;
}

/** Size of each named curve (Node's names), for the evidence; which curves are accepted is @thgov/pki's policy. */
const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp192k1: 192,
  secp224r1: 224,
  secp224k1: 224,
  prime256v1: 256,
  secp256k1: 256,
  brainpoolP256r1: 256,
  secp384r1: 384,
  brainpoolP384r1: 384,
  secp521r1: 521,
  brainpoolP512r1: 512,
};

/** A public key as the evidence records it. */
export interface PublicKeyDescription {
  /** `rsa`, `rsa-pss`, `ec`, … (Node's `asymmetricKeyType`). */
  type: string;
  /** Modulus length (RSA) or curve size (EC). */
  bits: number | undefined;
  /** Named curve (EC). */
  curve: string | undefined;
}

export function describeKey(key: KeyObject): PublicKeyDescription {
  const d = key.asymmetricKeyDetails ?? {};
  const curve = d.namedCurve;
  return {
    type: key.asymmetricKeyType ?? 'unknown',
    bits: d.modulusLength ?? (curve ? CURVE_BITS[curve] : undefined),
    curve,
  };
}

/**
 * Fills xml-crypto's tables with the methods other signers use (@thgov/pki's set), and removes SHA-1 unless weak
 * algorithms are allowed: the structural check refuses SHA-1 first, and the library could not accept it even if
 * that check were bypassed.
 */
export function configureAlgorithms(sig: SignedXml, allowWeak: boolean): SignedXml {
  return registerXmlDsigAlgorithms(sig, { sha1: allowWeak });
}
