import { randomBytes } from 'node:crypto';
import { isThGovError, Transport } from '@thgov/core';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import { findBySid, OID_BY_DIGEST, toArrayBuffer } from '@thgov/pki/internal';
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

/**
 * The token of a granted TimeStampResp (status 0 or 1) that answers this request: no other nonce than ours and,
 * as certReq was true, the TSA certificate inside (RFC 3161 §2.4.2) — without it the signature would silently be
 * B-B. Anything else is ERR_ESIGN_TSA, naming the status and PKIFailureInfo of a refusal.
 */
function tokenOf(body: Uint8Array, nonce: Uint8Array): Uint8Array {
  try {
    const resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(body));
    const status = resp.status.status;
    if ((status !== 0 && status !== 1) || !resp.timeStampToken)
      throw new EsignError('ERR_ESIGN_TSA', refusal(resp.status));
    const sd = new pkijs.SignedData({ schema: resp.timeStampToken.content });
    // A nonce other than ours: the answer to another request (a replay, a mixed-up proxy cache). A token without
    // any nonce is still taken — RFC 3161 wants it echoed, but TSAs that ignore it exist (this SDK's own sandbox
    // TSA among them), and the imprint check below already binds the token to this very signature.
    const echoed = tstInfoOf(sd)?.nonce;
    if (echoed && !integerBytes(echoed).equals(Buffer.from(nonce)))
      throw new EsignError(
        'ERR_ESIGN_TSA',
        'The time-stamp token answers another request: its nonce is not the one sent',
      );
    const certs = (sd.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    if (!sd.signerInfos[0] || !findBySid(sd.signerInfos[0].sid, certs))
      throw new EsignError(
        'ERR_ESIGN_TSA',
        'The time-stamp token does not carry the TSA certificate although the request asked for it',
      );
    return new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
  } catch (err) {
    if (err instanceof EsignError) throw err;
    throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp authority answered with an unreadable response');
  }
}

/** The imprint a token's TSTInfo carries, or undefined when the token cannot be read. */
function tokenImprint(token: Uint8Array): Uint8Array | undefined {
  try {
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(token)).content });
    const info = tstInfoOf(sd);
    return info ? new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView) : undefined;
  } catch {
    return undefined;
  }
}

/** A token over another imprint would embed a time-stamp that proves nothing: refuse it while signing. */
function checked(stamp: TimeStampFunction): TimeStampFunction {
  return async (req) => {
    const token = await stamp(req);
    const imprint = tokenImprint(token);
    if (!imprint || Buffer.compare(Buffer.from(imprint), Buffer.from(req.imprint)) !== 0)
      throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp token does not cover the requested imprint');
    return token;
  };
}

/**
 * A {@link TimeStampFunction} for `source`: a URL gets an RFC 3161 client over core's Transport (deadline,
 * size cap, abort); a function is wrapped so that its failures become ERR_ESIGN_TSA.
 */
export function timeStamper(
  source: TimeStampSource,
  options: { abortSignal?: AbortSignal; timeoutInMs?: number } = {},
): { stamp: TimeStampFunction; close(): Promise<void> } {
  if (typeof source === 'function') {
    return {
      stamp: checked(async (req) => {
        try {
          return await source(req);
        } catch (err) {
          if (isThGovError(err, 'ERR_ABORTED')) throw err;
          throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp function failed', { cause: err });
        }
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
    return tokenOf(res.body, nonce);
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
