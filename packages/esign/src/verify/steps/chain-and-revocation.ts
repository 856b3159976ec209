import { certDer } from '@thgov/pki/internal';
import type { SignatureStep } from '../context.js';
import { chainCheck, checkSignerPath, revocationEvidence } from '../trust.js';

/**
 * Step 10: the signer's path to the configured anchors at the proven time (or at the validation time: claims
 * never count), with revocation from all the evidence. A document time-stamp's TSA path was checked in step 7.
 */
export const chainAndRevocation: SignatureStep = async (state, ctx) => {
  if (state.found.kind === 'document-timestamp') return true;
  const { report } = state;
  const cms = state.cms!;
  const path = await checkSignerPath(
    ctx.trust,
    certDer(cms.signerCert!),
    cms.certs.map((c) => certDer(c)),
    state.provenTime ?? ctx.options.validationTime,
    state.provenTime !== undefined,
  );
  report.chain = path.path;
  report.revocation = revocationEvidence(path);
  const result = chainCheck(path);
  report.checks.push(result);
  return result.status === 'PASSED';
};
