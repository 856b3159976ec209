import type { Revision } from '../../pdf/document.js';
import { dictOf, PdfRef } from '../../pdf/objects.js';
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

type Allowed = 'security-updates' | 1 | 2 | 3 | undefined;

/** The stricter of two rules (security updates allow what P=1 allows; undefined allows annotations). */
function stricter(a: Allowed, b: Allowed): Allowed {
  if (a === undefined || b === undefined) return a ?? b;
  if (a === 'security-updates' || b === 'security-updates') return 'security-updates';
  return Math.min(a, b) as 1 | 2 | 3;
}

/**
 * What may change after this signature. Under `security-updates` only the last approval signature gets that rule
 * (the reference: after the last covering signature only /DSS, VRI and document time-stamps); an earlier one
 * gets its DocMDP rule: the certification level, or uncertified form filling (a later signature; no annotations,
 * nothing else).
 * Whatever follows the last signature is still held to security updates by that signature's own check.
 * A signature's own DocMDP transform binds it whether or not the catalog's /Perms names it (PDF 32000-1
 * §12.8.2.2, as pyHanko): the report's DocMDP level is the rule it is judged by.
 */
function allowedAfter(ctx: DocumentContext, found: FoundSignature, rev: Revision, own: Allowed): Allowed {
  if (ctx.options.policy.afterSigning !== 'security-updates') return stricter(ctx.certificationLevel, own);
  if (found.kind !== 'signature' || !laterApproval(ctx, found, rev)) return 'security-updates';
  return stricter(ctx.certificationLevel ?? 2, own);
}

/** A certification signature the catalog's `/Perms /DocMDP` does not designate: a non-conforming file. */
function undesignated(ctx: DocumentContext, found: FoundSignature): string[] {
  const perms = dictOf(ctx.doc.resolve(ctx.doc.catalog(ctx.doc.last)?.get('Perms'), ctx.doc.last));
  const ref = perms?.get('DocMDP');
  if (ref instanceof PdfRef && found.sigRef?.num === ref.num) return [];
  return [
    "The signature's DocMDP permissions are not designated by the catalog's /Perms /DocMDP (PDF 32000-1 " +
      '§12.8.2.2); they are enforced for this signature',
  ];
}

/**
 * Step 11: every change after the signed revision against what the policy (or the DocMDP level) allows; an XMP
 * /Metadata replacement as the policy's `metadataUpdates` says (refused when it says nothing).
 */
export const modifications: SignatureStep = (state, ctx) => {
  const { report } = state;
  const rev = state.revision!;
  const level = docMdpLevel(ctx.doc, state.found);
  const allowed = allowedAfter(ctx, state.found, rev, level);
  const { afterSigning, metadataUpdates = 'refuse' } = ctx.options.policy;
  const mods = modificationsCheck(
    ctx.doc,
    rev,
    allowed,
    afterSigning === 'security-updates',
    metadataUpdates,
  );
  report.modification = mods.level;
  if (level) {
    report.docMdp = level;
    mods.result.warnings.push(...undesignated(ctx, state.found));
  }
  report.checks.push(withFieldLocks(ctx.doc, state.found, rev, mods.result));
  return true;
};
