import { PdfDocument } from '../pdf/document.js';
import type { Budget } from '../pdf/limits.js';
import type { NormalizedVerifyOptions } from './options.js';
import { type CheckResult, check, failed, indeterminate, type VerificationReport } from './report.js';
import { shadowSignals } from './shadow.js';

/**
 * Step 1: size, object count and encryption (the reader enforces the last two while it reads); JavaScript and the
 * actions weighed with it (/Launch, /SubmitForm, /ImportData) are never executed, and the policy's `javaScript`
 * decides whether their presence is only reported. Undefined: the file is too large
 * to read at all (the check says so).
 */
export function inputGuards(
  pdf: Uint8Array,
  o: NormalizedVerifyOptions,
  budget: Budget,
  report: VerificationReport,
): PdfDocument | undefined {
  if (pdf.length > o.limits.maxBytes) {
    report.errorCode = 'ERR_PDF_LIMIT';
    report.checks.push(
      indeterminate(
        'input-guards',
        'POLICY_PROCESSING_ERROR',
        `File larger than ${o.limits.maxBytes} bytes`,
        {
          evidence: { errorCode: 'ERR_PDF_LIMIT' },
        },
      ),
    );
    return undefined;
  }
  const doc = new PdfDocument(pdf, o.limits, budget, { openEncrypted: true });
  const signals = shadowSignals(doc, doc.last);
  const active = [
    ...(signals.javascript ? ['JavaScript'] : []),
    ...signals.actions.map((a) => `/${a} actions`),
  ];
  const what = active.join(', ');
  report.checks.push(
    active.length && o.policy.javaScript === 'refuse'
      ? indeterminate(
          'input-guards',
          'SIG_CONSTRAINTS_FAILURE',
          `The document contains ${what} (never executed; the policy does not allow it)`,
        )
      : check(
          'input-guards',
          'PASSED',
          `Size, object count and encryption within limits; nothing is ever executed${
            doc.encrypted ? ' (the PDF is encrypted and opens without a password)' : ''
          }`,
          {
            warnings: active.length ? [`The document contains ${what} (never executed)`] : [],
            evidence: { bytes: pdf.length, ...(doc.encryption ? { encryption: doc.encryption } : {}) },
          },
        ),
  );
  return doc;
}

/** Step 2: the revisions read and the parser-differential anomalies (errors fail, the rest are warnings). */
export function structure(doc: PdfDocument, report: VerificationReport): CheckResult {
  report.revisions = doc.revisions.length;
  report.anomalies = doc.anomalies.map((a) => ({
    code: a.code,
    severity: a.severity,
    message: a.message,
    ...(a.revision !== undefined ? { revision: a.revision } : {}),
  }));
  const errors = doc.anomalies.filter((a) => a.severity === 'error');
  if (errors.length)
    return failed(
      'structure',
      'FORMAT_FAILURE',
      `Parser-differential anomalies: ${errors
        .slice(0, 5)
        .map((a) => `${a.code} (${a.message})`)
        .join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`,
      { evidence: { anomalies: report.anomalies } },
    );
  return check('structure', 'PASSED', `${doc.revisions.length} revision(s) read`, {
    warnings: doc.anomalies.map((a) => `${a.code}: ${a.message}`),
    evidence: { revisions: doc.revisions.map((r) => ({ index: r.index, end: r.end, objects: r.own.size })) },
  });
}
