import { verifyCmsSignature } from '../../cms/verify-cms.js';
import { earliestProof, type SignatureState, type SignatureStep } from '../context.js';
import { check, failed, indeterminate } from '../report.js';
import { checkTimeStamp, revocationEvidence } from '../trust.js';

/**
 * Step 7 for a document time-stamp: the token is the signature (its imprint over the signed bytes, the TSA's
 * signature and path at its genTime, and at a later proven time). Its proven time is kept for step 9.
 */
async function documentTimeStamp(state: SignatureState, ctx: Parameters<SignatureStep>[1]): Promise<boolean> {
  const { report } = state;
  // Later document time-stamps were verified first: the earliest of them proves when this one existed.
  const provenLater = earliestProof(ctx.docTimeStamps, state.revision!.index + 1);
  const ts = await checkTimeStamp(ctx.trust, state.contents!, state.signedParts!, provenLater);
  if (ts.tsa) report.signer = ts.tsa;
  if (ts.path) {
    report.chain = ts.path.path;
    report.revocation = revocationEvidence(ts.path);
  }
  if (ts.indication !== 'PASSED' || !ts.genTime) {
    const sub = ts.subIndication ?? 'SIG_CRYPTO_FAILURE';
    const message = `Document time-stamp invalid: ${ts.message}`;
    report.checks.push(
      ts.indication === 'FAILED' ? failed('cms', sub, message) : indeterminate('cms', sub, message),
    );
    return false;
  }
  report.checks.push(
    check('cms', 'PASSED', 'Document time-stamp token verifies', {
      warnings: ts.warnings,
      evidence: { tsa: ts.tsa },
    }),
  );
  state.provenTime = new Date(ts.genTime);
  return true;
}

/** Step 7: the CMS of a signature (or the token of a document time-stamp). */
export const cms: SignatureStep = async (state, ctx) => {
  if (state.found.kind === 'document-timestamp') return documentTimeStamp(state, ctx);
  const outcome = await verifyCmsSignature(state.contents!, state.signedParts!, {
    cades: state.geometry!.subFilter === 'ETSI.CAdES.detached',
    pool: ctx.trust.pool,
    dssCerts: ctx.trust.dssCerts,
  });
  const { report } = state;
  report.checks.push(outcome.check);
  if (outcome.digestAlgorithm) report.digestAlgorithm = outcome.digestAlgorithm;
  if (outcome.claimedTime) report.signingTime.claimedCms = outcome.claimedTime.toISOString();
  state.cms = outcome;
  return outcome.check.status === 'PASSED';
};
