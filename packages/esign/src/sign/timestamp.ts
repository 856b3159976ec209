import { randomBytes } from 'node:crypto';
import { isThGovError, Transport } from '@thgov/core';
import type { DigestName, TimeStampFunction } from '@thgov/pki';
import { OID_BY_DIGEST, toArrayBuffer } from '@thgov/pki/internal';
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

/** The token of a granted TimeStampResp (status 0 or 1); anything else is ERR_ESIGN_TSA. */
function tokenOf(body: Uint8Array): Uint8Array {
  try {
    const resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(body));
    const status = resp.status.status;
    if ((status === 0 || status === 1) && resp.timeStampToken)
      return new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
    throw new EsignError('ERR_ESIGN_TSA', `The time-stamp authority refused the request (status ${status})`);
  } catch (err) {
    if (err instanceof EsignError) throw err;
    throw new EsignError('ERR_ESIGN_TSA', 'The time-stamp authority answered with an unreadable response');
  }
}

/** The imprint a token's TSTInfo carries, or undefined when the token cannot be read. */
function tokenImprint(token: Uint8Array): Uint8Array | undefined {
  try {
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(token)).content });
    const content = sd.encapContentInfo.eContent;
    if (!content) return undefined;
    const info = pkijs.TSTInfo.fromBER(toArrayBuffer(new Uint8Array(content.getValue())));
    return new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView);
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
    const body = timeStampRequest(imprint, hashAlgorithm, randomBytes(8));
    const res = await transport.request<Uint8Array>(
      {
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        body: { raw: body, contentType: 'application/timestamp-query' },
        headers: { accept: 'application/timestamp-reply' },
        responseType: 'bytes',
        operation: 'esign.timestamp',
        idempotent: true,
      },
      {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(options.timeoutInMs ? { timeoutInMs: options.timeoutInMs } : {}),
      },
    );
    return tokenOf(res.body);
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
