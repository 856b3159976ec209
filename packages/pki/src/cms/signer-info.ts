import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { publicKeyOf, signatureScheme } from '../algorithms.js';
import { subjectKeyId } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import { DIGEST_BY_OID } from '../engine.js';
import { type SignedBytes, verifyEcdsa, verifyHashed, verifySignatureValue } from '../signature.js';
import { essNames } from './ess.js';

const RSA = '1.2.840.113549.1.1.1';
const EC = '1.2.840.10045.2.1';

/**
 * Verifies a SignerInfo's signature with Node's own crypto, independently of pkijs, and insists that the
 * signature algorithm's hash is the declared digest algorithm. The signature covers the DER signed attributes;
 * a SignerInfo without them (RFC 5652 §5.4, id-data content only) signs the content itself, which the caller
 * passes as `content` (the detached bytes, in parts). Without signed attributes and without `content` there is
 * nothing to check.
 */
export function verifySignerInfoSignature(
  si: pkijs.SignerInfo,
  cert: pkijs.Certificate,
  content?: readonly Uint8Array[],
): { ok: boolean; problem?: string } {
  const digest = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  if (!digest) return { ok: false, problem: 'digest algorithm not allowed' };
  const data = signedPart(si, content);
  if (typeof data === 'string') return { ok: false, problem: data };
  const hash = digest.replace('-', '').toLowerCase();
  const sigAlg = si.signatureAlgorithm;
  const sig = new Uint8Array(si.signature.valueBlock.valueHexView);
  try {
    const key = publicKeyOf(cert.subjectPublicKeyInfo);
    if (!key) return { ok: false, problem: 'signature could not be checked' };
    // CMS allows the bare key algorithm (rsaEncryption, id-ecPublicKey) with the digest named apart.
    if (sigAlg.algorithmId === RSA || sigAlg.algorithmId === EC) {
      const isEc = key.asymmetricKeyType === 'ec';
      if (isEc !== (sigAlg.algorithmId === EC))
        return { ok: false, problem: 'key type differs from the signature algorithm' };
      if (!isEc) return { ok: verifyHashed(hash, data, key, sig) };
    }
    const scheme = sigAlg.algorithmId === EC ? { family: 'ecdsa', hash } : signatureScheme(sigAlg);
    if (!scheme) return { ok: false, problem: `unsupported signature algorithm ${sigAlg.algorithmId}` };
    if (scheme.hash !== undefined && scheme.hash !== hash)
      return { ok: false, problem: 'signature algorithm hash differs from the digest algorithm' };
    if (scheme.family === 'ecdsa') {
      if (key.asymmetricKeyType !== 'ec')
        return { ok: false, problem: 'key type differs from the signature algorithm' };
      const ok = verifyEcdsa(hash, data, key, sig);
      return typeof ok === 'string' ? { ok: false, problem: ok } : { ok };
    }
    return { ok: verifySignatureValue(data, sig, sigAlg, key) };
  } catch {
    return { ok: false, problem: 'signature could not be checked' };
  }
}

/** What the signature covers: the signed attributes as a SET, else the content; a string says why neither. */
function signedPart(si: pkijs.SignerInfo, content: readonly Uint8Array[] | undefined): SignedBytes | string {
  if (!si.signedAttrs) return content ?? 'no signed attributes';
  const encoded = new Uint8Array(si.signedAttrs.encodedValue);
  if (encoded.length === 0) return 'signed attributes were not parsed from the signature';
  // The signature covers the attributes as a SET (tag 0x31), not as the [0] IMPLICIT field they travel in.
  const data = Uint8Array.from(encoded);
  data[0] = 0x31;
  return data;
}

/** Finds the certificate a SignerInfo's sid designates (issuer and serial, or subject key identifier). */
export function findBySid(sid: unknown, certs: readonly pkijs.Certificate[]): pkijs.Certificate | undefined {
  return findAllBySid(sid, certs)[0];
}

/** Every certificate the sid designates: the unsigned certificate sets may hold look-alikes. */
export function findAllBySid(sid: unknown, certs: readonly pkijs.Certificate[]): pkijs.Certificate[] {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.filter((c) => c.serialNumber.isEqual(sid.serialNumber) && sameName(c.issuer, sid.issuer));
  }
  if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive) {
    const skiBytes = Buffer.from((sid as asn1js.Primitive).valueBlock.valueHexView);
    // The certificate sets are unsigned: an unreadable key identifier there names nobody.
    return certs.filter((c) => subjectKeyId(c)?.equals(skiBytes) === true);
  }
  return [];
}

/**
 * The signer certificate among `certs` for the SignerInfo: of those its sid designates, the ones its ESS
 * signing-certificate(-v2) names (when any do), and of these the first whose key verifies the signature. A
 * look-alike (same issuer and serial, another key) listed first thus cannot hide the real certificate; none
 * verifying, the first candidate is returned, and fails as such. `content`: see `verifySignerInfoSignature`.
 */
export function selectSigner(
  si: pkijs.SignerInfo,
  certs: readonly pkijs.Certificate[],
  content?: readonly Uint8Array[],
): pkijs.Certificate | undefined {
  const named = findAllBySid(si.sid, certs);
  if (named.length <= 1) return named[0];
  const byEss = named.filter((c) => essNames(si, c) === true);
  const pool = byEss.length > 0 ? byEss : named;
  return pool.find((c) => verifySignerInfoSignature(si, c, content).ok) ?? pool[0];
}
