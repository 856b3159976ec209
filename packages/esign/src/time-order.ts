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

/**
 * A PDF date string (ISO 32000-1 §7.9.4: `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional, `Z`, `+`
 * or `-` for the offset), or undefined when it is not one.
 */
export function parsePdfDate(text: string): Date | undefined {
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = m.slice(1, 7);
  const out = [+mo < 1 || +mo > 12, +d < 1 || +d > 31, +h > 23, +mi > 59, +s > 59, +(m[8] ?? 0) > 23];
  if (out.some(Boolean)) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0));
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const date = new Date(ms - offset * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The warning for a /M claim (ETSI.CAdES.detached's only claimed signing time) later than the proven time beyond
 * the clocks' tolerance, or undefined. Only a warning: /M is a claim the proof supersedes (see the time step).
 */
export function pdfClaimAfterProof(
  claimedPdf: string | undefined,
  proven: Date,
  proof: 'signature-timestamp' | 'document-timestamp',
): string | undefined {
  const claimed = claimedPdf === undefined ? undefined : parsePdfDate(claimedPdf);
  if (!claimed || claimed.getTime() <= proven.getTime() + ORDER_TOLERANCE_MS) return undefined;
  return (
    `The /M signing time claimed (${claimed.toISOString()}) is later than the ${proof === 'signature-timestamp' ? 'signature' : 'document'} time-stamp ` +
    `(${proven.toISOString()}): the claim is wrong, or a clock is; only the time-stamp's time is proven`
  );
}
