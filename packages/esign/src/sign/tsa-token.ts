import { createHash } from 'node:crypto';
import { DIGEST_BY_OID, extKeyUsage, OID, verifySignerInfoSignature } from '@thgov/pki/internal';
import type * as pkijs from 'pkijs';

const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

/**
 * Why the TSA certificate cannot sign time-stamps (RFC 3161 §2.3: id-kp-timeStamping in an extended key usage
 * marked critical), or undefined. Verifiers (EU DSS, pyHanko, Acrobat, this package's) reject such a token.
 */
function certificateProblem(cert: pkijs.Certificate): string | undefined {
  const eku = extKeyUsage(cert);
  if (!eku) return 'its certificate has no extended key usage (RFC 3161 requires id-kp-timeStamping)';
  if (!eku.oids.includes(TIME_STAMPING))
    return 'its certificate is not for time-stamping (no id-kp-timeStamping)';
  if (!eku.critical)
    return 'its certificate does not mark the timeStamping extended key usage critical (RFC 3161)';
  return undefined;
}

/** Whether the signed messageDigest attribute is the digest of the token's TSTInfo (the content signed). */
function digestMatches(sd: pkijs.SignedData, si: pkijs.SignerInfo): boolean {
  const name = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  const content = sd.encapContentInfo.eContent;
  const attr = si.signedAttrs?.attributes.find((a) => a.type === OID.messageDigest)?.values[0];
  if (!name || !content || !(attr instanceof Object) || !('valueBlock' in attr)) return false;
  const stated = Buffer.from((attr as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView);
  const actual = createHash(name.replace('-', '').toLowerCase())
    .update(Buffer.from(content.getValue()))
    .digest();
  return stated.equals(actual);
}

/**
 * Why a token signed by `tsa` proves nothing — a certificate not for time-stamping, a TSA signature that does
 * not verify, signed attributes over another TSTInfo — or undefined when it is sound. Checked while signing, so
 * that no document is handed out with a time-stamp every verifier rejects.
 */
export function tokenSignatureProblem(sd: pkijs.SignedData, tsa: pkijs.Certificate): string | undefined {
  const cert = certificateProblem(tsa);
  if (cert) return cert;
  const si = sd.signerInfos[0];
  if (!si || !digestMatches(sd, si) || !verifySignerInfoSignature(si, tsa).ok)
    return 'its TSA signature does not verify';
  return undefined;
}
