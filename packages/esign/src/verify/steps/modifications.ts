import type { SignatureStep } from '../context.js';
import { docMdpLevel } from '../docmdp.js';
import { withFieldLocks } from '../field-mdp.js';
import { modificationsCheck } from '../modifications.js';

/** Step 11: every change after the signed revision against what the policy (or the DocMDP level) allows. */
export const modifications: SignatureStep = (state, ctx) => {
  const { report } = state;
  const allowed =
    ctx.options.policy.afterSigning === 'security-updates' ? 'security-updates' : ctx.certificationLevel;
  const mods = modificationsCheck(ctx.doc, state.revision!, allowed);
  report.modification = mods.level;
  const level = docMdpLevel(ctx.doc, state.found);
  if (level) report.docMdp = level;
  report.checks.push(withFieldLocks(ctx.doc, state.found, state.revision!, mods.result));
  return true;
};
