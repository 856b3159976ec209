import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DIGEST_BY_OID } from './engine.js';

const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const RSA = '1.2.840.113549.1.1.1';
const PSS = '1.2.840.113549.1.1.10';
const EC = '1.2.840.10045.2.1';

/**
 * Verifies a SignerInfo's signature over its DER signed attributes with Node's own crypto, independently
 * of pkijs, and insists that the signature algorithm's hash is the declared digest algorithm.
 */
export function verifySignerInfoSignature(
  si: pkijs.SignerInfo,
  cert: pkijs.Certificate,
): { ok: boolean; problem?: string } {
  const digest = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  if (!digest || !si.signedAttrs)
    return { ok: false, problem: 'digest algorithm not allowed or no signed attributes' };
  const hash = digest.replace('-', '').toLowerCase();
  const encoded = new Uint8Array(si.signedAttrs.encodedValue);
  if (encoded.length === 0)
    return { ok: false, problem: 'signed attributes were not parsed from the signature' };
  const data = Uint8Array.from(encoded);
  data[0] = 0x31;
  const sigAlg = si.signatureAlgorithm.algorithmId;
  const sig = Buffer.from(si.signature.valueBlock.valueHexView);
  try {
    const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (sigAlg === PSS) {
      const params = new pkijs.RSASSAPSSParams({
        schema: si.signatureAlgorithm.algorithmParams as asn1js.Sequence,
      });
      const h = DIGEST_BY_OID[params.hashAlgorithm.algorithmId]?.replace('-', '').toLowerCase();
      if (h !== hash) return { ok: false, problem: 'RSA-PSS hash differs from the digest algorithm' };
      return {
        ok: nodeVerify(
          hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
          sig,
        ),
      };
    }
    const declared = SIG_HASH[sigAlg];
    if (declared !== undefined && declared !== hash)
      return { ok: false, problem: 'signature algorithm hash differs from the digest algorithm' };
    if (declared === undefined && sigAlg !== RSA && sigAlg !== EC)
      return { ok: false, problem: `unsupported signature algorithm ${sigAlg}` };
    const isEc = key.asymmetricKeyType === 'ec';
    return { ok: nodeVerify(hash, data, isEc ? { key, dsaEncoding: 'der' } : key, sig) };
  } catch {
    return { ok: false, problem: 'signature could not be checked' };
  }
}

export function isAsnOctetString(b: asn1js.BaseBlock | undefined): b is asn1js.OctetString {
  return b instanceof asn1js.OctetString;
}
