import type { SignatureStep } from '../context.js';
import { check, failed } from '../report.js';

/** Step 6: which revision the signature covers (it must end at a revision boundary and contain the dictionary). */
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
