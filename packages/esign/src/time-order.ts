import { toArrayBuffer } from '@thgov/pki/internal';
import * as pkijs from 'pkijs';

/**
 * How much later than a time-stamp's genTime a claimed signing time may be before the verifier calls the order
 * broken (TIMESTAMP_ORDER_FAILURE): clocks of signer and TSA differ a little. Signing refuses what verification
 * would refuse.
 */
export const ORDER_TOLERANCE_MS = 5 * 60_000;

/** The genTime a time-stamp token states, or undefined when it cannot be read. */
export function tokenGenTime(token: Uint8Array): Date | undefined {
  try {
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(token)).content });
    const content = sd.encapContentInfo.eContent;
    return content
      ? pkijs.TSTInfo.fromBER(toArrayBuffer(new Uint8Array(content.getValue()))).genTime
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a signing time cannot go with this signature time-stamp token (later than its genTime beyond the clocks'
 * tolerance: verification would call the signature INDETERMINATE, TIMESTAMP_ORDER_FAILURE), or undefined.
 */
export function signingTimeAfterToken(signingTime: Date, token: Uint8Array | undefined): string | undefined {
  const genTime = token && tokenGenTime(token);
  if (!genTime || signingTime.getTime() <= genTime.getTime() + ORDER_TOLERANCE_MS) return undefined;
  return (
    `signingTime ${signingTime.toISOString()} is later than the time-stamp the TSA gave (${genTime.toISOString()}): ` +
    'verification would call the signature INDETERMINATE (TIMESTAMP_ORDER_FAILURE). Leave signingTime out, ' +
    "or give the time of signing (check this machine's clock)."
  );
}
