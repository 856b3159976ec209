import { verifyDocument } from './engine.js';
import { normalizeVerifyOptions, type VerifyPdfOptions } from './options.js';
import type { VerificationReport } from './report.js';

/**
 * Verifies every signature and document time-stamp of any signed PDF (official letters, certificates,
 * transcripts…) in the ETSI EN 319 102-1 report model: structure and parser-differential anomalies, each
 * signature's byte range, coverage, CMS, signer, proven time, path to your trust anchors with revocation, the
 * changes made after it (as DocMDP allows) and shadow-attack signals; with the PAdES level each signature reaches.
 * Throws only for bad arguments or an abort: a bad file is a report.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { verifyPdfSignatures } from '@thgov/esign';
 *
 * const report = await verifyPdfSignatures(new Uint8Array(await readFile('letter.pdf')), {
 *   trustAnchors: await readFile('trust/root.pem', 'utf8'),
 *   revocation: { online: true },
 * });
 * console.log(report.indication, report.signatures.map((s) => s.level));
 * ```
 */
export function verifyPdfSignatures(
  pdf: Uint8Array,
  options?: VerifyPdfOptions,
): Promise<VerificationReport> {
  return verifyDocument(pdf, normalizeVerifyOptions(options));
}
