import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { isZuluTime } from '../certificate/times.js';
import { signedAttribute as attr, essNames } from '../cms/ess.js';
import { signedDataFromSchema, takeParsedToken } from '../cms/signed-data.js';
import { selectSigner, verifySignerInfoSignature } from '../cms/signer-info.js';
import { DIGEST_BY_OID, digest, OID, toArrayBuffer } from '../engine.js';
import type { BlockIndication, SubIndication } from '../etsi.js';
import { usageViolation } from '../path/usage.js';

/** A time-stamp token read by {@link readToken}: its SignedData, TSTInfo and the certificates it carries. */
export interface Token {
  sd: pkijs.SignedData;
  tst: pkijs.TSTInfo;
  certs: pkijs.Certificate[];
}

/**
 * The token's SignedData and TSTInfo, or why it is no RFC 3161 token (in words, lower case): not DER, bytes other
 * than zero after it, no id-ct-TSTInfo content, not exactly one SignerInfo, a genTime not in UTC.
 */
export function readToken(token: Uint8Array): Token | string {
  try {
    const known = takeParsedToken(token);
    const asn = known ? { offset: token.length, result: known } : asn1js.fromBER(toArrayBuffer(token));
    if (asn.offset === -1) return 'the token is not DER';
    // Zero padding (a PDF's /Contents) is allowed; anything else after the token is not (as for signature CMS).
    if (token.subarray(asn.offset).some((b) => b !== 0)) return 'non-zero bytes follow the token';
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID.signedData) return 'the token is not CMS SignedData';
    const sd = signedDataFromSchema(ci.content);
    const e = sd.encapContentInfo;
    if (e.eContentType !== OID.tstInfo || !e.eContent) return 'the token does not carry a TSTInfo';
    if (sd.signerInfos.length !== 1) return 'the token must have exactly one SignerInfo';
    // Read once: the same tree serves pkijs's TSTInfo (as TSTInfo.fromBER would build it) and the genTime check.
    const tstAsn = asn1js.fromBER(e.eContent.getValue());
    if (tstAsn.offset === -1) return 'the token could not be parsed';
    const tst = new pkijs.TSTInfo({ schema: tstAsn.result });
    // asn1js misreads a local time or an offset (the day of the week as the day): no proof of a time not written.
    if (!isZuluTime((tstAsn.result as asn1js.Sequence).valueBlock.value[4]))
      return 'the genTime is not a UTC time (RFC 3161 §2.4.2)';
    const certs = (sd.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    return { sd, tst, certs };
  } catch {
    return 'the token could not be parsed';
  }
}

/**
 * The TSA certificate the SignerInfo names: from the token, else from the certificates the caller supplied (a
 * TSA answering a request with certReq false leaves its certificate out, RFC 3161 §2.4.1; a PDF then carries it
 * in its /DSS). Among certificates with the same issuer and serial, the one the ESS attribute names and whose
 * key verifies the signature is taken, so a look-alike listed first cannot hide the real one.
 */
export function findTsa(
  si: pkijs.SignerInfo,
  own: readonly pkijs.Certificate[],
  supplied: () => readonly pkijs.Certificate[],
): pkijs.Certificate | undefined {
  return selectSigner(si, own) ?? selectSigner(si, supplied());
}

/** Why a SignerInfo check failed, as verifyTimeStampToken reports it. */
export interface SignerInfoFailure {
  indication: BlockIndication;
  subIndication?: SubIndication;
  message: string;
}

/**
 * The SignerInfo's attributes and signature: ESS signing-certificate(-v2) naming the TSA certificate (required,
 * RFC 3161 §2.4.1 and RFC 5816), contentType equal to the eContentType, messageDigest over the TSTInfo.
 */
export async function signerInfoProblem(
  t: Token,
  si: pkijs.SignerInfo,
  tsa: pkijs.Certificate,
): Promise<SignerInfoFailure | undefined> {
  const ess = essNames(si, tsa);
  if (ess !== true)
    return {
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      message:
        ess === undefined
          ? 'The token has no ESS signing-certificate(-v2) attribute'
          : 'The ESS signing-certificate does not name the TSA certificate',
    };
  const ct = attr(si, OID.contentType);
  if (
    !(ct instanceof asn1js.ObjectIdentifier) ||
    ct.valueBlock.toString() !== t.sd.encapContentInfo.eContentType
  )
    return {
      indication: 'FAILED',
      subIndication: 'FORMAT_FAILURE',
      message: 'The contentType attribute is missing or differs from the content type (id-ct-TSTInfo)',
    };
  const md = attr(si, OID.messageDigest);
  const mdAlg = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  const content = new Uint8Array(t.sd.encapContentInfo.eContent!.getValue());
  if (
    !(md instanceof asn1js.OctetString) ||
    !mdAlg ||
    !Buffer.from(md.valueBlock.valueHexView).equals(Buffer.from(await digest(mdAlg, content)))
  )
    return {
      indication: 'FAILED',
      subIndication: 'HASH_FAILURE',
      message: 'The messageDigest does not match the TSTInfo',
    };
  if (!verifySignerInfoSignature(si, tsa).ok)
    return {
      indication: 'FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
      message: 'The TSA signature does not verify',
    };
  return undefined;
}

/** What {@link receivedTokenProblem} found: the sound token's TSTInfo and TSA certificate, or why it is not. */
export type ReceivedToken =
  | { ok: true; tst: pkijs.TSTInfo; tsa: pkijs.Certificate }
  | {
      ok: false;
      reason: 'format' | 'no-tsa-certificate' | 'tsa-certificate' | 'signer-info';
      message: string;
    };

/**
 * Checks a token a signer has just received from its TSA as `verifyTimeStampToken` will check it, but for the
 * imprint (the signer compares it with its request) and the TSA's path (validated later, with the chain the
 * document will carry): the token's form ({@link readToken}), its TSA certificate — in the token, else among
 * `supplied` — with the `timestamping` usage (a critical extended key usage listing only id-kp-timeStamping,
 * RFC 3161 §2.3), and the SignerInfo ({@link signerInfoProblem}). `message` says what is wrong, in lower case.
 */
export async function receivedTokenProblem(
  token: Uint8Array,
  supplied: () => readonly pkijs.Certificate[],
): Promise<ReceivedToken> {
  const t = readToken(token);
  if (typeof t === 'string') return { ok: false, reason: 'format', message: t };
  const si = t.sd.signerInfos[0]!;
  const tsa = findTsa(si, t.certs, supplied);
  if (!tsa)
    return { ok: false, reason: 'no-tsa-certificate', message: 'the TSA certificate is not in the token' };
  const usage = usageViolation(tsa, 'timestamping');
  if (usage)
    return {
      ok: false,
      reason: 'tsa-certificate',
      message: `the TSA certificate may not sign time-stamps (RFC 3161 §2.3): ${usage.message}`,
    };
  const problem = await signerInfoProblem(t, si, tsa);
  if (problem)
    return {
      ok: false,
      reason: 'signer-info',
      message: problem.message.charAt(0).toLowerCase() + problem.message.slice(1),
    };
  return { ok: true, tst: t.tst, tsa };
}
