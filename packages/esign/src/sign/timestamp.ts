import { randomBytes } from 'node:crypto';
import { isThGovError, Transport } from '@thgov/core';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import { findBySid, OID_BY_DIGEST, receivedTokenProblem, toArrayBuffer } from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EsignError } from '../errors.js';
import { PACKAGE } from '../version.js';

/** A time-stamp authority: its URL (RFC 3161 over HTTP, through core's Transport) or a function returning tokens. */
export type TimeStampSource = string | TimeStampFunction;

/** Largest time-stamp response read: tokens are a few kilobytes. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

function timeStampRequest(imprint: Uint8Array, hashAlgorithm: DigestName, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_BY_DIGEST[hashAlgorithm]! }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

/**
 * A random nonce whose bytes are already a minimal, positive DER INTEGER (first byte 0x01–0x7f): a TSA that reads
 * it as a number and encodes it again echoes the very same bytes.
 */
function newNonce(): Uint8Array {
  const nonce = new Uint8Array(randomBytes(8));
  nonce[0] = (nonce[0]! % 0x7f) + 1;
  return nonce;
}

/** The value bytes of a DER INTEGER without sign padding, to compare two encodings of one positive number. */
function integerBytes(i: asn1js.Integer): Buffer {
  const bytes = Buffer.from(i.valueBlock.valueHexView);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

const STATUS_NAMES = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];

/** RFC 3161 §2.4.2 PKIFailureInfo bits. */
const FAIL_INFO_NAMES: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

function failInfoNames(bits: asn1js.BitString | undefined): string[] {
  if (!bits) return [];
  const bytes = bits.valueBlock.valueHexView;
  const total = Math.min(bytes.length * 8 - bits.valueBlock.unusedBits, 64);
  const out: string[] = [];
  for (let i = 0; i < total; i++)
    if ((bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0) out.push(FAIL_INFO_NAMES[i] ?? `bit ${i}`);
  return out;
}

function refusal(status: pkijs.PKIStatusInfo): string {
  const name = STATUS_NAMES[status.status] ?? `status ${status.status}`;
  const fail = failInfoNames(status.failInfo);
  return `The time-stamp authority refused the request (${name}${fail.length ? `: ${fail.join(', ')}` : ''})`;
}

function tstInfoOf(sd: pkijs.SignedData): pkijs.TSTInfo | undefined {
  const content = sd.encapContentInfo.eContent;
  if (!content) return undefined;
  return pkijs.TSTInfo.fromBER(toArrayBuffer(new Uint8Array(content.getValue())));
}

/** The token's TSTInfo when @thgov/pki finds the token sound, else ERR_ESIGN_TSA saying why. */
async function soundToken(token: Uint8Array, known: KnownCertificates): Promise<pkijs.TSTInfo> {
  const r = await receivedTokenProblem(token, () => known.map(certificateOf).filter((c) => c !== undefined));
  if (r.ok) return r.tst;
  if (r.reason === 'no-tsa-certificate')
    throw new EsignError(
      'ERR_ESIGN_TSA',
      'The time-stamp token does not carry the TSA certificate (asked for with certReq), and the signature would carry it nowhere else: supply it in validationData.certificates with level B-LT',
    );
  if (r.reason === 'format')
    throw new EsignError(
      'ERR_ESIGN_TSA',
      `The time-stamp token is not a well-formed RFC 3161 token: ${r.message}`,
    );
  throw new EsignError('ERR_ESIGN_TSA', `The time-stamp token proves nothing: ${r.message}`);
}

function certificateOf(der: Uint8Array): pkijs.Certificate | undefined {
  try {
    return pkijs.Certificate.fromBER(toArrayBuffer(der));
  } catch {
    return undefined;
  }
}

/** Certificates the document will carry besides the token (B-LT's /DSS), which may hold the TSA certificate. */
type KnownCertificates = readonly Uint8Array[];

/**
 * What a token must show to answer this request: what @thgov/pki's verifyTimeStampToken will ask of it but for the
 * imprint and the TSA's path ({@link soundToken}: one SignerInfo over an id-ct-TSTInfo with a UTC genTime, a
 * time-stamping TSA certificate, ESS signing-certificate, contentType, messageDigest, signature) — the TSA
 * certificate inside the token (certReq was true) or among the certificates the document will carry: without it
 * the signature would silently be B-B, its time unverifiable — and no other nonce than ours, and ours at all when
 * `echo` says the TSA was sent it over RFC 3161, which requires the echo (§2.4.2; a token without it could be any
 * earlier answer for this imprint). Throws ERR_ESIGN_TSA saying which.
 */
async function checkToken(
  token: Uint8Array,
  nonce: Uint8Array,
  echo: 'required' | 'if-present',
  known: KnownCertificates,
): Promise<void> {
  const echoed = (await soundToken(token, known)).nonce;
  if (!echoed && echo === 'required')
    throw new EsignError(
      'ERR_ESIGN_TSA',
      'The time-stamp token does not carry the nonce the request sent (RFC 3161 requires the TSA to echo it)',
    );
  if (echoed && !integerBytes(echoed).equals(Buffer.from(nonce)))
    throw new EsignError(
      'ERR_ESIGN_TSA',
      'The time-stamp token answers another request: its nonce is not the one sent',
    );
}

/**
 * The token of a granted TimeStampResp (status 0 or 1) that answers this request ({@link checkToken}). Anything
 * else is ERR_ESIGN_TSA, naming the status and PKIFailureInfo of a refusal.
 */
async function tokenOf(body: Uint8Array, nonce: Uint8Array, known: KnownCertificates): Promise<Uint8Array> {
  try {
    const resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(body));
    const status = resp.status.status;
    if ((status !== 0 && status !== 1) || !resp.timeStampToken)
      throw new EsignError('ERR_ESIGN_TSA', refusal(resp.status));
    const token = new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
    await checkToken(token, nonce, 'required', known);
    return token;
  } catch (err) {
    if (err instanceof EsignError) throw err;
    throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp authority answered with an unreadable response');
  }
}

/**
 * A token a {@link TimeStampFunction} returned for a request carrying `nonce`: the same checks as an HTTP answer,
 * except that a function may not pass the nonce on (a CSC `signatures/timestamp` call without one, a function
 * written before the request had a nonce), so only a different nonce is refused.
 */
async function functionToken(
  token: Uint8Array,
  nonce: Uint8Array,
  known: KnownCertificates,
): Promise<Uint8Array> {
  if (!(token instanceof Uint8Array))
    throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp function returned an unreadable token');
  await checkToken(token, nonce, 'if-present', known);
  return token;
}

/** The imprint a token's TSTInfo carries (its bytes and algorithm OID), or undefined when it cannot be read. */
function tokenImprint(token: Uint8Array): { hashed: Uint8Array; algorithm: string } | undefined {
  try {
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(token)).content });
    const info = tstInfoOf(sd);
    if (!info) return undefined;
    const { hashAlgorithm, hashedMessage } = info.messageImprint;
    return {
      hashed: new Uint8Array(hashedMessage.valueBlock.valueHexView),
      algorithm: hashAlgorithm.algorithmId,
    };
  } catch {
    return undefined;
  }
}

/**
 * A token over another imprint — or over these bytes named as another algorithm's digest (a TSA labelling them
 * with its own default) — would embed a time-stamp that proves nothing: refuse it while signing.
 */
function checked(stamp: TimeStampFunction): TimeStampFunction {
  return async (req) => {
    const token = await stamp(req);
    const imprint = tokenImprint(token);
    if (!imprint || Buffer.compare(Buffer.from(imprint.hashed), Buffer.from(req.imprint)) !== 0)
      throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp token does not cover the requested imprint');
    if (imprint.algorithm !== OID_BY_DIGEST[req.hashAlgorithm])
      throw new EsignError(
        'ERR_ESIGN_TSA',
        `The time-stamp token names another imprint algorithm than the requested ${req.hashAlgorithm}`,
      );
    return token;
  };
}

/**
 * A {@link TimeStampFunction} for `source`: a URL gets an RFC 3161 client over core's Transport (deadline,
 * size cap, abort); a function is wrapped so that its failures become ERR_ESIGN_TSA. Either way the token is
 * checked ({@link checkToken}); `knownCertificates` are those the document will carry in /DSS (B-LT and up).
 */
export function timeStamper(
  source: TimeStampSource,
  options: { abortSignal?: AbortSignal; timeoutInMs?: number; knownCertificates?: KnownCertificates } = {},
): { stamp: TimeStampFunction; close(): Promise<void> } {
  const known = options.knownCertificates ?? [];
  if (typeof source === 'function') {
    return {
      stamp: checked(async ({ imprint, hashAlgorithm }) => {
        const nonce = newNonce();
        let token: Uint8Array;
        try {
          token = await source({ imprint, hashAlgorithm, nonce });
        } catch (err) {
          if (isThGovError(err, 'ERR_ABORTED')) throw err;
          throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp function failed', { cause: err });
        }
        return functionToken(token, nonce, known);
      }),
      close: async () => {},
    };
  }
  const url = new URL(source);
  const transport = new Transport(
    { baseUrl: url.origin, maxResponseBytes: MAX_RESPONSE_BYTES, retry: { maxRetries: 1, budget: false } },
    PACKAGE,
  );
  const stamp: TimeStampFunction = async ({ imprint, hashAlgorithm }) => {
    const nonce = newNonce();
    const body = timeStampRequest(imprint, hashAlgorithm, nonce);
    const res = await transport.request<Uint8Array>(
      {
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        body: { raw: body, contentType: 'application/timestamp-query' },
        // Both spellings are in use (RFC 3161 registers timestamp-reply; many TSAs send timestamp-response); the
        // answer is read by its content whatever its Content-Type.
        headers: { accept: 'application/timestamp-reply, application/timestamp-response' },
        responseType: 'bytes',
        operation: 'esign.timestamp',
        idempotent: true,
      },
      {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(options.timeoutInMs ? { timeoutInMs: options.timeoutInMs } : {}),
      },
    );
    return tokenOf(res.body, nonce, known);
  };
  return { stamp: checked(stamp), close: () => transport.close() };
}

/** The certificates a time-stamp token carries (the TSA's chain), for the document security store. */
export function tokenCertificates(token: Uint8Array): Uint8Array[] {
  try {
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
    const sd = new pkijs.SignedData({ schema: ci.content });
    return (sd.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => new Uint8Array(c.toSchema().toBER(false)));
  } catch {
    return [];
  }
}

/**
 * The TSA's chain as a path validation wants it, TSA certificate first: the certificates the token carries and
 * `known` (those the document will carry besides), the one the token's signer identifier names put first. Empty
 * when the token cannot be read or no certificate is the TSA's.
 */
export function tokenChain(token: Uint8Array, known: readonly Uint8Array[] = []): Uint8Array[] {
  try {
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(token)).content });
    const all = [...tokenCertificates(token), ...known];
    const parsed = all.map(certificateOf);
    const tsa = findBySid(
      sd.signerInfos[0]?.sid,
      parsed.filter((c) => c !== undefined),
    );
    const at = tsa ? parsed.indexOf(tsa) : -1;
    return at < 0 ? [] : [all[at]!, ...all.filter((_, i) => i !== at)];
  } catch {
    return [];
  }
}
