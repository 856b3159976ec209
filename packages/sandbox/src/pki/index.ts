export {
  createSampleTranscripts,
  REVOKED_SAMPLE_SIGNER,
  type SampleTranscripts,
} from './sample-transcripts.js';
export {
  type SandboxIdentity,
  type SandboxPki,
  type SandboxPkiOptions,
  startSandboxPki,
} from './sandbox-pki.js';
export { sandboxTranscriptXml } from './transcript-xml.js';
