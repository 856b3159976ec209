export {
  type SandboxIdentity,
  type SandboxPki,
  type SandboxPkiOptions,
  startSandboxPki,
} from './sandbox-pki.js';
export { sandboxTranscriptXml } from './transcript-xml.js';
