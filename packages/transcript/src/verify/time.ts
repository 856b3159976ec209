import type { CmsOutcome } from '../cms/verify-cms.js';
import { type CheckResult, check, failed, indeterminate, type SignatureReport } from './report.js';
import { checkTimeStamp, revocationEvidence, type TrustContext } from './trust.js';

/** Times proven by the file's document time-stamps, with the revision each covers. */
export type ProvenTimes = { revision: number; genTime: Date }[];

/** A claimed signing time this much later than the proven one is an ordering failure. */
const ORDER_TOLERANCE_MS = 5 * 60_000;

/** A time-stamp result that is not PASSED, as a check of step `id`. */
function notPassed(
  id: 'cms' | 'time',
  r: { indication: string; subIndication?: CheckResult['subIndication']; message: string },
  prefix: string,
): CheckResult {
  const sub = r.subIndication ?? 'SIG_CRYPTO_FAILURE';
  return r.indication === 'FAILED'
    ? failed(id, sub, `${prefix}: ${r.message}`)
    : indeterminate(id, sub, `${prefix}: ${r.message}`);
}

/**
 * Steps 7–10 for a document time-stamp: the token is the signature, its TSA path the chain. A valid one proves
 * that its revision (and every signature inside it) existed at its genTime.
 */
export async function documentTimeStampStep(
  ctx: TrustContext,
  rep: SignatureReport,
  contents: Uint8Array,
  parts: Uint8Array[],
  revision: number,
  proven: ProvenTimes,
): Promise<boolean> {
  const ts = await checkTimeStamp(ctx, contents, parts);
  if (ts.tsa) rep.signer = ts.tsa;
  if (ts.path) {
    rep.chain = ts.path.path;
    rep.revocation = revocationEvidence(ts.path);
  }
  if (ts.indication !== 'PASSED' || !ts.genTime) {
    rep.checks.push(notPassed('cms', ts, 'Document time-stamp invalid'));
    return false;
  }
  rep.checks.push(
    check('cms', 'PASSED', 'Document time-stamp token verifies', {
      warnings: ts.warnings,
      evidence: { tsa: ts.tsa },
    }),
  );
  rep.signingTime = { proven: ts.genTime, proof: 'document-timestamp' };
  rep.checks.push(check('time', 'PASSED', `Proof of existence at ${ts.genTime}`));
  proven.push({ revision, genTime: new Date(ts.genTime) });
  return true;
}

/**
 * Step 9: the earliest time proven by a valid signature time-stamp, else by a document time-stamp covering the
 * signed revision. Claims (/M, CMS signing-time) are reported but never used. Undefined means "stop here".
 */
export async function signatureTimeStep(
  ctx: TrustContext,
  rep: SignatureReport,
  cms: CmsOutcome,
  revision: number,
  docTs: ProvenTimes,
): Promise<{ proven: Date | undefined } | undefined> {
  let proven: Date | undefined;
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const token of cms.timeStampTokens) {
    const ts = await checkTimeStamp(ctx, token, [cms.signatureValue!]);
    if (ts.indication === 'PASSED' && ts.genTime) {
      const t = new Date(ts.genTime);
      if (!proven || t < proven) proven = t;
      warnings.push(...ts.warnings.map((w) => `Time-stamp: ${w}`));
    } else problems.push(ts.message);
  }
  if (proven) rep.signingTime.proof = 'signature-timestamp';
  else {
    const cover = docTs
      .filter((t) => t.revision >= revision)
      .sort((x, y) => x.genTime.getTime() - y.genTime.getTime())[0];
    if (cover) {
      proven = cover.genTime;
      rep.signingTime.proof = 'document-timestamp';
    }
  }
  if (proven) rep.signingTime.proven = proven.toISOString();
  if (problems.length && ctx.strict) {
    rep.checks.push(
      indeterminate('time', 'NO_POE', `Signature time-stamp does not verify: ${problems.join('; ')}`),
    );
    return undefined;
  }
  if (proven && cms.claimedTime && cms.claimedTime.getTime() > proven.getTime() + ORDER_TOLERANCE_MS) {
    rep.checks.push(
      indeterminate(
        'time',
        'TIMESTAMP_ORDER_FAILURE',
        'The claimed signing time is later than the time-stamp',
      ),
    );
    return undefined;
  }
  const all = [...problems, ...warnings];
  rep.checks.push(
    proven
      ? check('time', 'PASSED', `Signing time proven at ${proven.toISOString()} (${rep.signingTime.proof})`, {
          warnings: all,
        })
      : check(
          'time',
          'NOT_APPLICABLE',
          'No time-stamp: the signing time is only a claim; validating at the validation time',
          {
            warnings: all,
          },
        ),
  );
  return { proven };
}
