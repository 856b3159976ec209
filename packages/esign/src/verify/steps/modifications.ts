import type { Revision } from '../../pdf/document.js';
import type { DocumentContext, FoundSignature, SignatureStep } from '../context.js';
import { docMdpLevel } from '../docmdp.js';
import { withFieldLocks } from '../field-mdp.js';
import { modificationsCheck } from '../modifications.js';

/** The revision `f` signs, read from a direct four-integer /ByteRange; undefined when it names none. */
function signedRevision(ctx: DocumentContext, f: FoundSignature): Revision | undefined {
  const br = f.sig.get('ByteRange');
  if (!Array.isArray(br) || br.length !== 4 || !br.every((n) => typeof n === 'number' && Number.isInteger(n)))
    return undefined;
  return ctx.doc.revisionEndingAt((br[2] as number) + (br[3] as number));
}

/** Whether an approval signature (document time-stamps do not count) signs a revision after `rev`. */
function laterApproval(ctx: DocumentContext, self: FoundSignature, rev: Revision): boolean {
  return ctx.found.some((f) => {
    if (f === self || f.kind !== 'signature') return false;
    const r = signedRevision(ctx, f);
    return r !== undefined && r.index > rev.index;
  });
}

/**
 * What may change after this signature. Under `security-updates` only the last approval signature gets that rule
 * (the reference: after the last covering signature only /DSS, VRI and document time-stamps); an earlier one
 * gets its DocMDP rule: the certification level, or uncertified form filling (a later signature; no annotations,
 * nothing else).
 * Whatever follows the last signature is still held to security updates by that signature's own check.
 */
function allowedAfter(
  ctx: DocumentContext,
  found: FoundSignature,
  rev: Revision,
): 'security-updates' | 1 | 2 | 3 | undefined {
  if (ctx.options.policy.afterSigning !== 'security-updates') return ctx.certificationLevel;
  if (found.kind !== 'signature' || !laterApproval(ctx, found, rev)) return 'security-updates';
  return ctx.certificationLevel ?? 2;
}

/** Step 11: every change after the signed revision against what the policy (or the DocMDP level) allows. */
export const modifications: SignatureStep = (state, ctx) => {
  const { report } = state;
  const rev = state.revision!;
  const allowed = allowedAfter(ctx, state.found, rev);
  const mods = modificationsCheck(
    ctx.doc,
    rev,
    allowed,
    ctx.options.policy.afterSigning === 'security-updates',
  );
  report.modification = mods.level;
  const level = docMdpLevel(ctx.doc, state.found);
  if (level) report.docMdp = level;
  report.checks.push(withFieldLocks(ctx.doc, state.found, rev, mods.result));
  return true;
};
