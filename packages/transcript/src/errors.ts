import { isThGovError, ThGovError } from '@thgov/core';

/** Stable error codes of @thgov/transcript (part of the semver contract). */
export const TRANSCRIPT_ERROR_CODES = {
  ERR_PDF_FORMAT: 'The PDF could not be read: its structure is broken or not a PDF at all.',
  ERR_PDF_LIMIT: 'The PDF exceeds a configured limit (size, object count, nesting depth or time).',
  ERR_PDF_ENCRYPTED:
    'The PDF is encrypted and needs a password or uses an unsupported security handler (a transcript that opens without a password is read and verified).',
  ERR_TRANSCRIPT_NO_ATTACHMENT: 'The PDF carries no transcript XML attachment.',
  ERR_TRANSCRIPT_XML: 'The transcript XML is malformed, too large, too deep or uses a DTD/entities.',
  ERR_TRANSCRIPT_ISSUE: 'A transcript could not be issued (bad key, chain, XML or PDF input).',
  ERR_TRANSCRIPT_TSA: 'The time-stamp authority did not return a usable time-stamp token.',
  ERR_TRANSCRIPT_DEPENDENCY:
    'Issuing needs optional peer dependencies that are not installed (pdf-lib, harfbuzzjs, @expo-google-fonts/sarabun); the message names the missing one.',
} as const;

/** The codes of `TRANSCRIPT_ERROR_CODES` a `TranscriptError` may carry. */
export type TranscriptErrorCode = keyof typeof TRANSCRIPT_ERROR_CODES;

/** A typed failure of the transcript package; messages never contain document content. */
export class TranscriptError extends ThGovError<TranscriptErrorCode> {
  constructor(code: TranscriptErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
    this.name = 'TranscriptError';
  }
}

/**
 * True for a {@link TranscriptError}, also one from another installed copy of the package (checked by the
 * thgov brand and the name, not `instanceof`). With `code`, also checks the code and narrows `err.code` to
 * it; a code that is not a {@link TranscriptErrorCode} fails to compile.
 *
 * @example
 * ```ts
 * if (isTranscriptError(err, 'ERR_PDF_ENCRYPTED')) console.error('encrypted transcripts are not supported');
 * ```
 */
export function isTranscriptError<C extends TranscriptErrorCode = TranscriptErrorCode>(
  value: unknown,
  code?: C,
): value is TranscriptError & { readonly code: C } {
  return isThGovError(value, code) && value.name === 'TranscriptError';
}
