// @thgov/transcript/issue: issuing signed PDF/A-3 transcripts (universities, the sandbox, tests). Its
// dependencies (pdf-lib, harfbuzzjs, @expo-google-fonts/sarabun) are optional peers: a verifier installs none.
export { ISSUING_PACKAGES } from './issue/dependencies.js';
export { type IssueTranscriptInput, issueTranscript } from './issue/issue-transcript.js';
