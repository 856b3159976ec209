import { isThGovError } from '@thgov/core';
import { z } from '@thgov/core/internal';
import { sha256Hex } from './evidence.js';
import type { Letter } from './model.js';
import type { EvidenceRecord } from './store/letter-store.js';

/** What an injected PDF verifier concludes about one letter PDF (e.g. from `@thgov/esign`'s report). */
export interface PdfSignatureCheck {
  /** True when the PDF carries a signature that passes, by the sender department's certificate. */
  valid: boolean;
  /** The verifier's verdict, e.g. `TOTAL_PASSED`, `TOTAL_FAILED`, `INDETERMINATE`. */
  indication: string;
  subIndication?: string;
  /** The full report, stored as JSON with the letter's evidence. */
  report?: unknown;
}

/**
 * Verifies the signed main letter PDF of each incoming letter, with a function the application injects (so
 * that `@thgov/ecms` does not depend on `@thgov/esign`), and stores the result with the letter's evidence.
 */
export interface PdfVerifierOptions {
  /**
   * Checks one PDF. `senderDepartmentId` is there to require that the signer belongs to the sending
   * department (its certificate, or a CA that only certifies that department).
   */
  verify: (
    pdf: Uint8Array,
    context: { senderDepartmentId: string; letterId: string },
  ) => Promise<PdfSignatureCheck>;
  /**
   * `record` (default): the check is stored as evidence, the letter goes on as usual. `require`: a letter whose
   * PDF signature is not valid is stored with status `failed:ERR_ECMS_PDF_SIGNATURE` and handed to `onLetter`,
   * but neither acknowledged nor registered (as for a failing XML signature).
   */
  policy?: 'record' | 'require';
}

/** Schema of {@link PdfVerifierOptions}. */
export const pdfVerifierSchema = z
  .object({
    verify: z.custom<PdfVerifierOptions['verify']>((v) => typeof v === 'function', 'must be a function'),
    policy: z.enum(['record', 'require']).optional(),
  })
  .strict();

/** The evidence operation a PDF signature check is stored under. */
export const PDF_VERIFICATION_OPERATION = 'PdfSignatureVerification';

/**
 * Runs the verifier on the letter's main PDF. Returns the evidence to store and, under `require`, the failed
 * status; undefined when the main letter is not a PDF. A verifier that throws counts as not valid.
 */
export async function checkLetterPdf(
  letter: Letter,
  options: PdfVerifierOptions,
  processId: string,
): Promise<{ evidence: Omit<EvidenceRecord, 'journalId'>; failedStatus?: string } | undefined> {
  if (letter.mainLetter.mimeCode !== 'application/pdf') return undefined;
  let check: PdfSignatureCheck;
  try {
    check = await options.verify(new Uint8Array(letter.mainLetter.content), {
      senderDepartmentId: letter.sender.departmentId,
      letterId: letter.id,
    });
  } catch (err) {
    check = {
      valid: false,
      indication: 'INDETERMINATE',
      report: { error: isThGovError(err) ? err.code : 'ERR_UNKNOWN' },
    };
  }
  const json = new TextEncoder().encode(
    JSON.stringify({
      valid: check.valid === true,
      indication: check.indication,
      subIndication: check.subIndication,
      report: check.report,
    }),
  );
  return {
    evidence: {
      processId,
      operation: PDF_VERIFICATION_OPERATION,
      direction: 'received',
      xml: json,
      sha256: sha256Hex(json),
      at: new Date(),
    },
    ...((options.policy ?? 'record') === 'require' && check.valid !== true
      ? { failedStatus: 'failed:ERR_ECMS_PDF_SIGNATURE' }
      : {}),
  };
}
