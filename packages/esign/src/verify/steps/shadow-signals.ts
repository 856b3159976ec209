import type { SignatureStep } from '../context.js';
import { shadowCheck } from '../shadow.js';

/** Step 12: material in the signed revision that a later update could reveal (shadow attacks). */
export const shadowSignals: SignatureStep = (state, ctx) => {
  const refuse = ctx.options.policy.shadowSignals === 'refuse';
  state.report.checks.push(shadowCheck(ctx.doc, state.revision!, refuse));
  return true;
};
