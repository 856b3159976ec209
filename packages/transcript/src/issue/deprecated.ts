import type { IssueTranscriptInput as Input } from './issue-transcript.js';

/**
 * The input of `issueTranscript`.
 * @deprecated Import from `@thgov/transcript/issue`.
 */
export type IssueTranscriptInput = Input;

/**
 * Issues a signed PDF/A-3 transcript; the work is loaded from `@thgov/transcript/issue` on first call, so
 * verifiers never load pdf-lib or the shaper.
 *
 * @deprecated Import `issueTranscript` from `@thgov/transcript/issue`.
 */
export async function issueTranscript(input: Input): Promise<Uint8Array> {
  const issuing = await import('./issue-transcript.js');
  return issuing.issueTranscript(input);
}
