import { ORDER_TOLERANCE_MS, pdfClaimAfterProof } from '../../time-order.js';
import { type DocumentContext, earliestProof, type SignatureState, type SignatureStep } from '../context.js';
import type { RevocationEvidence } from '../report.js';
import { check, indeterminate } from '../report.js';
import { checkTimeStamp, revocationEvidence } from '../trust.js';

/**
 * The earliest time a valid signature time-stamp proves, with the problems and warnings of the others. The
 * revocation evidence of each valid token's TSA path is kept for the level (B-LT needs it in /DSS).
 */
async function signatureTimeStamps(
  state: SignatureState,
  ctx: DocumentContext,
): Promise<{ proven?: Date; problems: string[]; warnings: string[] }> {
  let proven: Date | undefined;
  const problems: string[] = [];
  const warnings: string[] = [];
  const tsaEvidence: RevocationEvidence[][] = [];
  const provenLater = earliestProof(ctx.docTimeStamps, state.revision!.index);
  for (const token of state.cms!.timeStampTokens) {
    const ts = await checkTimeStamp(ctx.trust, token, [state.cms!.signatureValue!], provenLater);
    if (ts.indication === 'PASSED' && ts.genTime) {
      const t = new Date(ts.genTime);
      if (!proven || t < proven) proven = t;
      warnings.push(...ts.warnings.map((w) => `Time-stamp: ${w}`));
      if (ts.path) tsaEvidence.push(revocationEvidence(ts.path));
    } else problems.push(ts.message);
  }
  ctx.timeStampRevocation.set(state.report, tsaEvidence);
  return { ...(proven ? { proven } : {}), problems, warnings };
}

/**
 * Step 9: the earliest time proven by a valid signature time-stamp, else by a document time-stamp covering the
 * signed revision. Claims (/M, CMS signing-time) are reported but never used. A document time-stamp's own time is
 * the proof it gives (recorded for the signatures it covers).
 */
export const time: SignatureStep = async (state, ctx) => {
  const { report } = state;
  if (state.found.kind === 'document-timestamp') {
    const genTime = state.provenTime!.toISOString();
    report.signingTime = { proven: genTime, proof: 'document-timestamp' };
    report.checks.push(check('time', 'PASSED', `Proof of existence at ${genTime}`));
    ctx.docTimeStamps.push({ revision: state.revision!.index, genTime: state.provenTime! });
    return true;
  }
  const { problems, warnings, ...stamped } = await signatureTimeStamps(state, ctx);
  let proven = stamped.proven;
  if (proven) report.signingTime.proof = 'signature-timestamp';
  else {
    const cover = earliestProof(ctx.docTimeStamps, state.revision!.index);
    if (cover) {
      proven = cover;
      report.signingTime.proof = 'document-timestamp';
    }
  }
  if (proven) report.signingTime.proven = proven.toISOString();
  if (problems.length && ctx.options.policy.invalidSignatureTimeStamp === 'refuse') {
    const message = `Signature time-stamp does not verify: ${problems.join('; ')}`;
    report.checks.push(indeterminate('time', 'NO_POE', message));
    return false;
  }
  const claimed = state.cms!.claimedTime;
  if (proven && claimed && claimed.getTime() > proven.getTime() + ORDER_TOLERANCE_MS) {
    const message = 'The claimed signing time is later than the time-stamp';
    report.checks.push(indeterminate('time', 'TIMESTAMP_ORDER_FAILURE', message));
    return false;
  }
  // /M (CAdES's only claim, signed too) later than the proof: a warning, not a failure (the proof is what counts).
  const { proof, claimedPdf } = report.signingTime;
  const pdfClaim =
    proven && !claimed && proof !== 'none' ? pdfClaimAfterProof(claimedPdf, proven, proof) : undefined;
  const all = { warnings: [...problems, ...warnings, ...(pdfClaim ? [pdfClaim] : [])] };
  report.checks.push(
    proven
      ? check(
          'time',
          'PASSED',
          `Signing time proven at ${proven.toISOString()} (${report.signingTime.proof})`,
          all,
        )
      : check(
          'time',
          'NOT_APPLICABLE',
          'No time-stamp: the signing time is only a claim; validating at the validation time',
          all,
        ),
  );
  state.provenTime = proven;
  return true;
};
