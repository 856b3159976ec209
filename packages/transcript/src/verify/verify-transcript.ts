import { sharedTelemetry } from '@thgov/core/internal';
import type { VerificationReport } from '@thgov/esign';
import { verifyDocument } from '@thgov/esign/internal';
import { normalizeOptions, type VerifyOptions } from './options.js';
import { transcriptSteps } from './transcript-policy.js';

/**
 * Verifies a signed PDF/A-3 transcript: every signature under the strict transcript policy (steps 1–12 of
 * `@thgov/esign`), then the attachment (13) and its XML (14). Throws only for bad arguments or an abort.
 *
 * @example
 * ```ts
 * const report = await verifyTranscript(pdfBytes, { trust: rootCaPem });
 * if (report.indication === 'TOTAL_PASSED') console.log(extractTranscript(pdfBytes).fileName);
 * ```
 */
export async function verifyTranscript(
  pdf: Uint8Array,
  options?: VerifyOptions,
): Promise<VerificationReport> {
  return sharedTelemetry('@thgov/transcript').operation('transcript.verify', async () => {
    const o = normalizeOptions(options, 'transcript');
    return verifyDocument(pdf, o, transcriptSteps(o));
  });
}

/**
 * Verifies every signature of any PDF under the generic `pdf` policy by default, with this package's option names.
 *
 * @deprecated Import `verifyPdfSignatures` from `@thgov/esign` (options `trustAnchors`, `tsaTrustAnchors`,
 * `revocation.online`; the same report, with each signature's PAdES level).
 */
export async function verifyPdfSignatures(
  pdf: Uint8Array,
  options?: VerifyOptions,
): Promise<VerificationReport> {
  return verifyDocument(pdf, normalizeOptions(options, 'pdf'));
}
