import { type VerificationReport, verifyTranscript } from '@thgov/transcript';
import type { DemoContext } from '../context.js';
import { maskCitizenId } from '../mask.js';
import { tamperTranscript } from '../tamper.js';
import { withTimeout } from '../with-timeout.js';
import type { Officer } from './login.js';

/** The check that decided the result: the first failed (or indeterminate) one, in step order. */
export function failureReason(report: VerificationReport): string {
  const checks = [...report.checks, ...report.signatures.flatMap((s) => s.checks)].sort(
    (a, b) => a.step - b.step,
  );
  const bad = checks.find((c) => c.status === 'FAILED') ?? checks.find((c) => c.status === 'INDETERMINATE');
  return bad ? `step ${bad.step} ${bad.id}: ${bad.message}` : (report.errorCode ?? 'no reason given');
}

function label(report: VerificationReport): string {
  return `${report.indication}${report.subIndication ? ` / ${report.subIndication}` : ''}`;
}

/**
 * d. The sandbox university issues a signed, time-stamped PDF/A-3 transcript; the agency verifies it
 * against the university's root (TOTAL_PASSED), then a copy with one byte changed (TOTAL_FAILED).
 */
export async function transcriptCheck(ctx: DemoContext, officer: Officer): Promise<void> {
  const { sandbox, report } = ctx;
  await withTimeout('transcript verification', ctx.stepTimeoutInMs, async (abortSignal) => {
    const graduate = sandbox.population.people[7];
    if (!graduate) throw new Error('the sandbox population is too small');
    const pdf = await sandbox.pki.issueSandboxTranscript(graduate);
    report.detail(
      `Sandbox University issued a transcript for ${maskCitizenId(graduate.citizenId)} (${pdf.length.toLocaleString('en')} bytes, PAdES + RFC 3161 time-stamp)`,
    );
    // A wrong trust anchor (the TSA's own certificate, not the university's root) shows a chain failure.
    const trust = ctx.breakAt === 'transcript' ? sandbox.pki.tsa.certificate : sandbox.pki.rootPem;
    const good = await verifyTranscript(pdf, { trust, abortSignal });
    const sig = good.signatures[0];
    report.detail(
      `original: ${label(good)} (signer "${sig?.signer?.subject ?? '?'}", time ${sig?.signingTime.proof ?? '?'}, coverage ${sig?.coverage ?? '?'}, attachment ${good.attachment?.fileName ?? 'none'})`,
    );
    if (good.indication !== 'TOTAL_PASSED')
      throw new Error(`original transcript: ${label(good)}: ${failureReason(good)}`);

    const bad = await verifyTranscript(tamperTranscript(pdf), { trust, abortSignal });
    report.detail(`tampered copy (one byte of the embedded XML changed): ${label(bad)}`);
    report.detail(`reason: ${failureReason(bad)}`);
    if (bad.indication !== 'TOTAL_FAILED')
      throw new Error(`the tampered copy was not refused: ${label(bad)}`);
    await ctx.audit.append({
      who: officer.citizenId,
      client: 'thgov-demo',
      service: 'transcript',
      operation: 'verifyTranscript',
      subject: graduate.citizenId,
      purpose: 'check an applicant transcript',
      caseRef: 'DEMO-2569-0001',
      status: 'ok',
      extra: { original: good.indication, tampered: bad.indication },
    });
  });
}
