import { invalidArgument } from '@thgov/core';
import { checkOptions, is, withOptionCheck, z } from '@thgov/core/internal';
import type { PdfLimits } from '@thgov/esign';
// From the internal entry: importing the root one would load esign's signing modules with every verification.
import { isEsignError, PdfDocument, pdfLimitsSchema } from '@thgov/esign/internal';
import { TranscriptError } from './errors.js';
import {
  isXmlAttachment,
  listEmbeddedFiles,
  pickTranscript,
  readXmp,
  type XmpInfo,
} from './verify/attachment.js';

/** The transcript XML attached to a PDF, as `extractTranscript` returns it, with its file name and metadata. */
export interface ExtractedTranscript {
  /** The XML exactly as attached. */
  xml: Uint8Array;
  fileName: string;
  relationship?: string;
  mimeType?: string;
  /** Declared /Params /Size, when present. */
  declaredSize?: number;
  xmp?: XmpInfo;
}

/** extractTranscript's options (unknown keys refused); the hand-written check spares loading zod. */
export const extractOptionsSchema = withOptionCheck(
  z.object({ limits: pdfLimitsSchema.optional() }).strict(),
  is.shape({ limits: is.schema(pdfLimitsSchema) }),
);

/**
 * Returns the transcript XML attachment and the XMP data. It does not verify anything: call
 * verifyTranscript first and trust the bytes only when it says TOTAL_PASSED. A PDF encrypted with an empty user
 * password (an owner password only) is read as verification reads it; one that needs a password is
 * ERR_PDF_ENCRYPTED. Options are checked as verifyTranscript's are: an unknown key or a limit that is not a
 * positive integer is ERR_INVALID_ARG.
 *
 * @example
 * ```ts
 * const report = await verifyTranscript(pdfBytes, { trust: rootCaPem });
 * if (report.indication === 'TOTAL_PASSED') {
 *   const { xml, fileName } = extractTranscript(pdfBytes);
 * }
 * ```
 */
export function extractTranscript(
  pdf: Uint8Array,
  options?: { limits?: Partial<PdfLimits> },
): ExtractedTranscript {
  if (!(pdf instanceof Uint8Array)) throw invalidArgument('pdf must be a Uint8Array');
  // Checked as verifyTranscript's are: a NaN or misspelt limit must not leave the document unbounded.
  checkOptions(extractOptionsSchema, options ?? {}, 'extractTranscript options');
  const doc = readPdf(pdf, options?.limits ?? {});
  const pick = pickTranscript(listEmbeddedFiles(doc, doc.last).filter(isXmlAttachment));
  if (!pick) throw new TranscriptError('ERR_TRANSCRIPT_NO_ATTACHMENT', 'The PDF has no XML attachment');
  const xmp = readXmp(doc, doc.last);
  return {
    xml: pick.bytes,
    fileName: pick.fileName,
    ...(pick.relationship ? { relationship: pick.relationship } : {}),
    ...(pick.mimeType ? { mimeType: pick.mimeType } : {}),
    ...(pick.declaredSize !== undefined ? { declaredSize: pick.declaredSize } : {}),
    ...(xmp ? { xmp } : {}),
  };
}

/** The engine's reader, with the codes this function has always raised as `TranscriptError`s. */
function readPdf(pdf: Uint8Array, limits: Partial<PdfLimits>): PdfDocument {
  try {
    // Read-only: a PDF encrypted with an empty user password (an owner password only) is read as verification
    // reads it; one that needs a password, or another handler, is still ERR_PDF_ENCRYPTED.
    return new PdfDocument(pdf, limits, undefined, { openEncrypted: true });
  } catch (err) {
    if (
      isEsignError(err, 'ERR_PDF_FORMAT') ||
      isEsignError(err, 'ERR_PDF_LIMIT') ||
      isEsignError(err, 'ERR_PDF_ENCRYPTED')
    )
      throw new TranscriptError(err.code, err.message, { cause: err });
    throw err;
  }
}
