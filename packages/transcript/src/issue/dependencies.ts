import { importOptional } from '@thgov/esign/internal';
import { TranscriptError } from '../errors.js';

/** pdf-lib, loaded on first issue: verifying never loads (nor needs to install) it. */
export type PdfLib = typeof import('pdf-lib');

let pdfLib: Promise<PdfLib> | undefined;

/**
 * pdf-lib, an optional peer dependency of this package (only issuing needs it).
 * @throws TranscriptError `ERR_TRANSCRIPT_DEPENDENCY` naming the package to install when it is missing.
 */
export function loadPdfLib(): Promise<PdfLib> {
  pdfLib ??= importOptional(
    () => import('pdf-lib'),
    (missing) =>
      new TranscriptError(
        'ERR_TRANSCRIPT_DEPENDENCY',
        `Issuing transcripts needs ${missing}, which is not installed`,
        {
          hint: `Install the issuing dependencies next to @thgov/transcript: npm install ${ISSUING_PACKAGES}`,
        },
      ),
  ).catch((err: unknown) => {
    pdfLib = undefined;
    throw err;
  });
  return pdfLib;
}

/** What an issuer installs besides @thgov/transcript (the versions this package is tested with). */
export const ISSUING_PACKAGES = 'pdf-lib@^1.17.1 harfbuzzjs@~1.6.4 @expo-google-fonts/sarabun@0.4.1';
