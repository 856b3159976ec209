export { type Caught, type CodedError, caught, expectCode } from './caught.js';
export { type ChildScriptOptions, runScriptInChild } from './child-script.js';
export { cpuMsOf, cpuMsOfAsync } from './cpu-time.js';
export { changedOutsideGap, type MutateOptions, mutateBytes, PDF_FUZZ_TOKENS, prng } from './fuzz.js';
export { loggableText } from './loggable.js';
export { type CapturedLogger, captureLogger, type LogEntry } from './logger.js';
export { expectRedirect, type LoginOutcome, type LoginStarter, type LoginWalker, loginAs } from './login.js';
export { modulesResolvedBy } from './modules.js';
export {
  expectCheckWithinSchema,
  type FieldValues,
  STRAY_VALUES,
  sampleOptions,
  type ValuePool,
} from './option-samples.js';
export { connectProxy, type FrontProxyOptions, frontProxy, type TestProxy } from './proxy.js';
export {
  closedPort,
  httpServer,
  httpsServer,
  type Listening,
  listen,
  silentTcpServer,
  type TestHandler,
  type TestServer,
  trackSockets,
} from './servers.js';
export { flipByte, replaceOnce } from './tamper.js';
export {
  certsOnlyPkcs7,
  createSelfSigned,
  createTestCa,
  type TestCa,
  type TestCertificate,
  type TestCertificateOptions,
  type TestCertificateUsage,
  type TestKeyType,
} from './tls.js';
export {
  ALLOW_MISSING_TOOLS_ENV,
  gate,
  hasTool,
  installCommand,
  type MissingRequirement,
  missingCommands,
  missingToolsFail,
  type RequirementName,
  requireTool,
  SKIP_DIR_ENV,
  type SkipRecord,
  SYSTEM_TOOLS,
  type SystemToolName,
  skipDir,
  type ToolGate,
} from './tools.js';
