import { sharedTelemetry } from '@thgov/core/internal';
import type { PdfDocument } from '../pdf/document.js';
import type { NormalizedVerifyOptions } from './options.js';
import type { SignatureReport, VerificationReport } from './report.js';

/**
 * Document-level checks a profile adds after the signatures (the transcript profile: the PDF/A-3 attachment and
 * its XML, steps 13 and 14). They see the document, the report so far, and each signature's signer certificate.
 */
export interface VerificationExtension {
  afterSignatures(input: {
    doc: PdfDocument;
    report: VerificationReport;
    signerCertificate(signature: SignatureReport): Uint8Array | undefined;
  }): Promise<void>;
}

// The steps (CMS, chain and revocation, modifications, shadow signals, levels) are a third of the package's code:
// they load with the first verification, so importing @thgov/esign or @thgov/transcript does not compile them
// (cold start; a process that only signs, or only reads a PDF, never does).
let runChecks: Promise<typeof import('./run-checks.js')> | undefined;

/**
 * Verifies every signature of `pdf` under `o.policy`, steps 1–12 (and the extension's), and aggregates. Never
 * throws for a bad file: a typed error while reading ends the report with its code; only an abort is thrown.
 */
export function verifyDocument(
  pdf: Uint8Array,
  o: NormalizedVerifyOptions,
  extension?: VerificationExtension,
): Promise<VerificationReport> {
  return sharedTelemetry('@thgov/esign').operation(
    'pdf.verify',
    async () => {
      runChecks ??= import('./run-checks.js');
      return (await runChecks).verifyDocumentUntraced(pdf, o, extension);
    },
    {
      'thgov.policy': o?.policy?.name,
    },
  );
}
