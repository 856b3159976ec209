import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  KeyObject,
} from 'node:crypto';
import type { SignedXml } from 'xml-crypto';

/** XML-DSig algorithm identifiers the verifier knows. */
export const XMLDSIG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  ecdsaSha1: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
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

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * A signature method xml-crypto does not ship, done with node:crypto. ECDSA (RFC 4051) carries the raw r||s form
 * (IEEE P1363) in XML-DSig, not DER, so `ecdsa` methods sign and verify in that encoding; RSA methods are
 * PKCS#1 v1.5 (RFC 6931 §2.3).
 */
function nodeSignatureMethod(hash: Hash, uri: string, ecdsa: boolean) {
  const encoding = ecdsa ? ({ dsaEncoding: 'ieee-p1363' } as const) : {};
  return class {
    getSignature(signedInfo: string | Uint8Array, privateKey: string | Buffer | KeyObject): string {
      const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
      return cryptoSign(hash, Buffer.from(signedInfo), { key, ...encoding }).toString('base64');
    }
    verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
      const k = key instanceof KeyObject ? key : createPublicKey(key);
      return cryptoVerify(
        hash,
        Buffer.from(material),
        { key: k, ...encoding },
        Buffer.from(signatureValue, 'base64'),
      );
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
}

/** The SHA-384 digest method (RFC 6931 §2.1.3), which xml-crypto does not ship. */
class Sha384 {
  getHash(xml: string): string {
    return createHash('sha384').update(xml, 'utf8').digest('base64');
  }
  getAlgorithmName(): string {
    return XMLDSIG.sha384;
  }
}

/**
 * Registers the ECDSA methods, RSA-SHA384 and the SHA-384 digest, and removes SHA-1 from xml-crypto's tables unless weak algorithms are
 * allowed: the structural check refuses SHA-1 first, and the library could not accept it even if that check
 * were bypassed.
 */
export function configureAlgorithms(sig: SignedXml, allowWeak: boolean): SignedXml {
  const methods = sig.SignatureAlgorithms as Record<string, unknown>;
  methods[XMLDSIG.ecdsaSha256] = nodeSignatureMethod('sha256', XMLDSIG.ecdsaSha256, true);
  methods[XMLDSIG.ecdsaSha384] = nodeSignatureMethod('sha384', XMLDSIG.ecdsaSha384, true);
  methods[XMLDSIG.ecdsaSha512] = nodeSignatureMethod('sha512', XMLDSIG.ecdsaSha512, true);
  methods[XMLDSIG.rsaSha384] = nodeSignatureMethod('sha384', XMLDSIG.rsaSha384, false);
  const hashes = sig.HashAlgorithms as Record<string, unknown>;
  hashes[XMLDSIG.sha384] = Sha384;
  if (allowWeak) {
    methods[XMLDSIG.ecdsaSha1] = nodeSignatureMethod('sha1', XMLDSIG.ecdsaSha1, true);
  } else {
    delete methods[XMLDSIG.rsaSha1];
    delete hashes[XMLDSIG.sha1];
  }
  delete methods['http://www.w3.org/2000/09/xmldsig#hmac-sha1'];
  return sig;
}
