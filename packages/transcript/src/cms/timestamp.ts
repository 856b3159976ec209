import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { extKeyUsage, findBySid, parseCert } from './certs.js';
import { buildChain } from './chain.js';
import { DIGEST_BY_OID, digest, OID, toArrayBuffer } from './engine.js';
import { verifySignerInfoSignature } from './signer-info.js';

export interface TimestampCheck {
  ok: boolean;
  genTime?: Date;
  tsa?: pkijs.Certificate;
  problem?: string;
  chainOk?: boolean;
  /** TSA certificate first, anchor last (when the chain was built). */
  path?: pkijs.Certificate[];
}

/**
 * Verifies an RFC 3161 TimeStampToken over `data` (the concatenated parts): imprint, TSA signature,
 * timeStamping EKU and the TSA chain to the TSA anchors at the stamped time.
 */
export async function verifyTimeStampToken(
  token: Uint8Array,
  data: Uint8Array[],
  anchors: Uint8Array[],
): Promise<TimestampCheck> {
  let signedData: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  try {
    const asn = asn1js.fromBER(toArrayBuffer(token));
    if (asn.offset === -1) return { ok: false, problem: 'time-stamp token is not DER' };
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID.signedData)
      return { ok: false, problem: 'time-stamp token is not SignedData' };
    signedData = new pkijs.SignedData({ schema: ci.content });
    if (signedData.encapContentInfo.eContentType !== OID.tstInfo || !signedData.encapContentInfo.eContent) {
      return { ok: false, problem: 'time-stamp token does not carry a TSTInfo' };
    }
    const eContent = signedData.encapContentInfo.eContent;
    tst = pkijs.TSTInfo.fromBER(eContent.getValue());
  } catch {
    return { ok: false, problem: 'time-stamp token could not be parsed' };
  }
  if (signedData.signerInfos.length !== 1)
    return { ok: false, problem: 'time-stamp token must have one SignerInfo' };
  const alg = DIGEST_BY_OID[tst.messageImprint.hashAlgorithm.algorithmId];
  if (!alg) return { ok: false, problem: 'time-stamp imprint uses a digest outside the allow-list' };
  const joined = Buffer.concat(data.map((d) => Buffer.from(d)));
  const expected = await digest(alg, joined);
  if (!Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(expected))) {
    return { ok: false, genTime: tst.genTime, problem: 'time-stamp imprint does not match the signed data' };
  }
  const certs = (signedData.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const tsa = findBySid(signedData.signerInfos[0]!.sid, certs);
  if (!tsa) return { ok: false, genTime: tst.genTime, problem: 'TSA certificate not found in the token' };
  const eku = extKeyUsage(tsa);
  if (!eku?.oids.includes(OID.ekuTimeStamping)) {
    return {
      ok: false,
      genTime: tst.genTime,
      tsa,
      problem: 'TSA certificate lacks the timeStamping extended key usage',
    };
  }
  const si = signedData.signerInfos[0]!;
  const md = si.signedAttrs?.attributes.find((a) => a.type === OID.messageDigest)?.values[0] as
    | asn1js.OctetString
    | undefined;
  const mdAlg = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  const content = new Uint8Array(signedData.encapContentInfo.eContent!.getValue());
  if (
    !md ||
    !mdAlg ||
    !Buffer.from(md.valueBlock.valueHexView).equals(Buffer.from(await digest(mdAlg, content)))
  ) {
    return { ok: false, genTime: tst.genTime, tsa, problem: 'TSA messageDigest does not match the TSTInfo' };
  }
  if (!verifySignerInfoSignature(si, tsa).ok)
    return { ok: false, genTime: tst.genTime, tsa, problem: 'TSA signature does not verify' };
  const chain = await buildChain(tsa, certs, anchors.map(parseCert), tst.genTime);
  if (!chain.ok)
    return {
      ok: false,
      genTime: tst.genTime,
      tsa,
      chainOk: false,
      problem: `TSA chain: ${chain.message ?? chain.reason}`,
    };
  return { ok: true, genTime: tst.genTime, tsa, chainOk: true, path: chain.path };
}
