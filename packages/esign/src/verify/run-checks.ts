import { AbortError, invalidArgument, isThGovError } from '@thgov/core';
import { emptyPool } from '../cms/evidence.js';
import { EsignError } from '../errors.js';
import type { PdfDocument } from '../pdf/document.js';
import { Budget } from '../pdf/limits.js';
import { readDss } from '../pki/dss.js';
import type { DocumentContext, FoundSignature } from './context.js';
import { certificationLevel } from './docmdp.js';
import { inputGuards, structure } from './document-steps.js';
import type { VerificationExtension } from './engine.js';
import { upgradeLevels } from './level.js';
import type { NormalizedVerifyOptions } from './options.js';
import {
  aggregate,
  failed,
  finish,
  indeterminate,
  type SignatureReport,
  type VerificationReport,
} from './report.js';
import { verifySignature } from './signature.js';
import { discoverSignatures } from './steps/signature-discovery.js';
import { createTrustContext } from './trust.js';

// The verification engine proper: loaded by engine.ts when the first document is verified, not when
// @thgov/esign (or @thgov/transcript) is imported; see there.

const MAX_SIGNATURES = 64;

function abortIfNeeded(o: NormalizedVerifyOptions): void {
  if (o.abortSignal?.aborted) throw new AbortError(o.abortSignal.reason);
}

/** `verifyDocument` without its telemetry span. */
export async function verifyDocumentUntraced(
  pdf: Uint8Array,
  o: NormalizedVerifyOptions,
  extension?: VerificationExtension,
): Promise<VerificationReport> {
  if (!(pdf instanceof Uint8Array)) throw invalidArgument('pdf must be a Uint8Array');
  const report: VerificationReport = {
    indication: 'INDETERMINATE',
    policy: o.policy.name,
    validationTime: o.validationTime.toISOString(),
    fileSize: pdf.length,
    revisions: 0,
    anomalies: [],
    checks: [],
    signatures: [],
  };
  abortIfNeeded(o);
  try {
    await runChecks(pdf, o, report, extension);
  } catch (err) {
    if (isThGovError(err, 'ERR_ABORTED')) throw err;
    stoppedOn(err, report);
  }
  return report;
}

/** Anything unexpected while reading hostile bytes ends as a format failure, never as a pass. */
function stoppedOn(err: unknown, report: VerificationReport): void {
  const code = isThGovError(err) ? err.code : 'ERR_PDF_FORMAT';
  const message = isThGovError(err)
    ? err.message
    : `The file could not be processed (${(err as Error)?.name ?? 'error'})`;
  report.errorCode = code;
  const id = report.checks.some((c) => c.id === 'input-guards') ? 'structure' : 'input-guards';
  const c =
    code === 'ERR_PDF_FORMAT'
      ? failed(id, 'FORMAT_FAILURE', message)
      : indeterminate(id, code === 'ERR_PDF_LIMIT' ? 'POLICY_PROCESSING_ERROR' : 'FORMAT_FAILURE', message);
  c.evidence = { errorCode: code };
  report.checks.push(c);
  const agg = aggregate(report.checks);
  report.indication = agg.indication;
  if (agg.subIndication) report.subIndication = agg.subIndication;
}

async function runChecks(
  pdf: Uint8Array,
  o: NormalizedVerifyOptions,
  report: VerificationReport,
  extension: VerificationExtension | undefined,
): Promise<void> {
  const budget = new Budget(o.limits);
  const doc = inputGuards(pdf, o, budget, report);
  if (!doc) return finish(report);
  report.checks.push(structure(doc, report));
  abortIfNeeded(o);
  const discovery = discoverSignatures(doc);
  report.checks.push(discovery.check);
  const ctx = await verifySignatures(doc, discovery.found, o, budget);
  // Document time-stamps were verified first; the report keeps the document's order.
  const order = new Map(discovery.found.map((f, i) => [f.fieldName, i]));
  report.signatures = ctx.reports.sort(
    (a, b) => (order.get(a.fieldName) ?? 0) - (order.get(b.fieldName) ?? 0),
  );
  upgradeLevels(doc, report.signatures, ctx.timeStampRevocation);
  await extension?.afterSignatures({
    doc,
    report,
    signerCertificate: (s) => ctx.signerCertificates.get(s),
  });
  finish(report);
}

/**
 * Steps 4–12 for every signature, document time-stamps first (the latest first, as each proves when the earlier
 * ones existed): they prove when what they cover existed.
 */
async function verifySignatures(
  doc: PdfDocument,
  found: FoundSignature[],
  o: NormalizedVerifyOptions,
  budget: Budget,
): Promise<DocumentContext & { reports: SignatureReport[] }> {
  const ordered = [
    ...found.filter((f) => f.kind === 'document-timestamp').reverse(),
    ...found.filter((f) => f.kind === 'signature'),
  ];
  if (ordered.length > MAX_SIGNATURES)
    throw new EsignError('ERR_PDF_LIMIT', `More than ${MAX_SIGNATURES} signatures`);
  // Shared evidence: /DSS of the final revision, plus whatever the caller supplied.
  const pool = emptyPool();
  const ctx = {
    doc,
    options: o,
    trust: createTrustContext(o, pool, readDss(doc, pool)),
    docTimeStamps: [],
    found,
    certificationLevel: certificationLevel(doc, found),
    signerCertificates: new Map(),
    timeStampRevocation: new Map(),
    reports: [] as SignatureReport[],
  };
  try {
    for (const s of ordered) {
      abortIfNeeded(o);
      // Crypto work is asynchronous; the time budget is still enforced between signatures.
      budget.tick();
      ctx.reports.push(await verifySignature(s, ctx));
    }
  } finally {
    await ctx.trust.fetcher?.close();
  }
  return ctx;
}
