import type { Revision } from '../../pdf/document.js';
import { dictOf, PdfDict, PdfRef } from '../../pdf/objects.js';
import type { DocumentContext, FoundSignature, SignatureStep } from '../context.js';
import { check, failed } from '../report.js';

/** Whether field `f.fieldNum`, as revision `rev` has it, holds this signature dictionary as its /V. */
function heldBy(ctx: DocumentContext, f: FoundSignature, rev: Revision): boolean {
  const v = dictOf(ctx.doc.getObject(f.fieldNum, rev))?.get('V');
  return f.sigRef ? v instanceof PdfRef && v.num === f.sigRef.num : v instanceof PdfDict;
}

/**
 * Why the signature does not belong to its field: the field did not hold it in the revision it signs (a field added
 * or filled later that points at another field's signature), or another field held it too (which one was signed is
 * ambiguous). Undefined when it does.
 */
function fieldProblem(ctx: DocumentContext, found: FoundSignature, rev: Revision): string | undefined {
  if (!heldBy(ctx, found, rev)) return 'The field did not hold this signature in the revision it signs';
  const others = ctx.found.filter(
    (f) => f !== found && f.containerNum === found.containerNum && heldBy(ctx, f, rev),
  );
  return others.length ? 'Several signature fields hold this signature dictionary' : undefined;
}

/**
 * Step 6: which revision the signature covers (it must end at a revision boundary and contain the dictionary, and
 * the field must hold the dictionary in that revision, alone).
 */
export const coverage: SignatureStep = (state, ctx) => {
  const { doc } = ctx;
  const { report, found } = state;
  const [, b, c, d] = state.geometry!.byteRange;
  const end = c + d;
  const rev = doc.revisionEndingAt(end);
  const sigOffset = doc.offsetOf(found.containerNum, doc.last) ?? Number.MAX_SAFE_INTEGER;
  if (!rev) {
    report.checks.push(
      failed('coverage', 'FORMAT_FAILURE', 'The signed bytes do not end at a revision boundary', {
        evidence: { signedEnd: end },
      }),
    );
    return false;
  }
  if (sigOffset >= rev.end || sigOffset < rev.start) {
    report.checks.push(
      failed('coverage', 'FORMAT_FAILURE', 'The signature dictionary is not part of the revision it signs', {
        evidence: { signedEnd: end },
      }),
    );
    return false;
  }
  const problem = fieldProblem(ctx, found, rev);
  if (problem) {
    report.checks.push(failed('coverage', 'FORMAT_FAILURE', problem, { evidence: { signedEnd: end } }));
    return false;
  }
  report.coverage = end === doc.bytes.length ? 'ENTIRE_FILE' : 'ENTIRE_REVISION';
  const later = doc.revisions.filter((r) => r.index > rev.index).map((r) => r.index);
  report.checks.push(
    check(
      'coverage',
      'PASSED',
      report.coverage === 'ENTIRE_FILE'
        ? 'Covers the entire file'
        : `Covers revision ${rev.index}; ${later.length} later revision(s)`,
      {
        evidence: { revision: rev.index, signedEnd: end, fileSize: doc.bytes.length, laterRevisions: later },
      },
    ),
  );
  report.revision = rev.index;
  state.revision = rev;
  state.signedParts = [doc.bytes.subarray(0, b), doc.bytes.subarray(c, end)];
  state.contents = state.geometry!.contents.bytes;
  return true;
};
