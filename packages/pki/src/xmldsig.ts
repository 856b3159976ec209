import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  KeyObject,
} from 'node:crypto';

/** XML-DSig digest and signature method URIs (RFC 3275, RFC 6931, RFC 4051). */
export const XMLDSIG_ALGORITHMS = {
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

const A = XMLDSIG_ALGORITHMS;
type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * A signature method done with node:crypto, in the shape xml-crypto's tables take. ECDSA (RFC 4051) carries the
 * raw r||s form (IEEE P1363) in XML-DSig, not DER, so `ecdsa` methods sign and verify in that encoding; RSA
 * methods are PKCS#1 v1.5 (RFC 6931 §2.3).
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

/** The SHA-384 digest method (RFC 6931 §2.1.3). */
class Sha384 {
  getHash(xml: string): string {
    return createHash('sha384').update(xml, 'utf8').digest('base64');
  }
  getAlgorithmName(): string {
    return A.sha384;
  }
}

/** The two tables of an xml-crypto `SignedXml` this module fills (typed loosely: pki does not load xml-crypto). */
export interface XmlDsigAlgorithmTables {
  SignatureAlgorithms: unknown;
  HashAlgorithms: unknown;
}

/**
 * Fills an xml-crypto `SignedXml`'s tables with what other signers use and xml-crypto does not ship (ECDSA with
 * SHA-256/384/512, RSA-SHA384, the SHA-384 digest), and takes out what must not verify: HMAC always (a keyed
 * "signature" anyone holding the key can make), and SHA-1 (RSA-SHA1, the SHA-1 digest) unless `sha1` is true, in
 * which case ECDSA-SHA1 is added. Which of these a caller accepts is still its own policy, judged before this.
 */
export function registerXmlDsigAlgorithms<T extends XmlDsigAlgorithmTables>(
  sig: T,
  options: { sha1: boolean },
): T {
  const methods = sig.SignatureAlgorithms as Record<string, unknown>;
  const hashes = sig.HashAlgorithms as Record<string, unknown>;
  methods[A.ecdsaSha256] = nodeSignatureMethod('sha256', A.ecdsaSha256, true);
  methods[A.ecdsaSha384] = nodeSignatureMethod('sha384', A.ecdsaSha384, true);
  methods[A.ecdsaSha512] = nodeSignatureMethod('sha512', A.ecdsaSha512, true);
  methods[A.rsaSha384] = nodeSignatureMethod('sha384', A.rsaSha384, false);
  hashes[A.sha384] = Sha384;
  if (options.sha1) {
    methods[A.ecdsaSha1] = nodeSignatureMethod('sha1', A.ecdsaSha1, true);
  } else {
    delete methods[A.rsaSha1];
    delete methods[A.ecdsaSha1];
    delete hashes[A.sha1];
  }
  delete methods['http://www.w3.org/2000/09/xmldsig#hmac-sha1'];
  return sig;
}
