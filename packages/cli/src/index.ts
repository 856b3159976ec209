export { AUDIT_KEYS_ENV, AUDIT_VERIFY_USAGE, auditVerify } from './audit/verify-command.js';
export {
  doctorCommand,
  pdfExtend,
  pdfSign,
  pdfVerify,
  runDoctor,
  transcriptVerify,
  verifyCommand,
} from './commands.js';
export {
  auditSink,
  auditSinkOptions,
  catalogClientOptions,
  digitalIdClientOptions,
  digitalIdProviders,
  type ExchangeClientConfigOptions,
  ecmsClientOptions,
  ecmsStore,
  exchangeClientOptions,
  mergeTransport,
  postgresAuditSinkOptions,
  postgresConnection,
  transcriptVerifyOptions,
} from './config/client-options.js';
export {
  CONFIG_ERROR_CODES,
  ConfigError,
  type ConfigErrorCode,
  type ConfigIssue,
  isConfigError,
} from './config/errors.js';
export {
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  loadConfig,
  type ParseConfigOptions,
  parseConfig,
} from './config/load.js';
export {
  type AuditConfig,
  type CatalogConfig,
  configJsonSchema,
  type DigitalIdConfig,
  type DigitalIdProviderConfig,
  type DoctorConfig,
  type EcmsConfig,
  type ExchangeConfig,
  type PostgresStoreConfig,
  type ThgovConfig,
  type TranscriptConfig,
  type TransportConfig,
  thgovConfigSchema,
} from './config/schema.js';
export type { DoctorOptions } from './doctor/doctor.js';
export { configuredPlatforms } from './doctor/platforms.js';
export {
  type DoctorJunitOptions,
  renderHuman as renderDoctorReport,
  renderJunit as renderDoctorJunit,
} from './doctor/render.js';
export {
  type CheckResult,
  type CheckStatus,
  DOCTOR_REPORT_VERSION,
  type DoctorReport,
  PLATFORMS,
  type Platform,
} from './doctor/report.js';
export { DOCTOR_USAGE } from './doctor/usage.js';
export { CLI_ERROR_CODES, CliError, type CliErrorCode, isCliError } from './errors.js';
export { type CliIo, type CliWriter, EXIT, terminalSafeIo, UsageError } from './io.js';
export { PDF_EXTEND_USAGE, PDF_SIGN_USAGE, PDF_VERIFY_USAGE } from './pdf/usage.js';
export { COMMANDS, run, TOP_LEVEL_COMMANDS } from './run.js';
export { SANDBOX_USAGE, type SandboxCommandOptions, sandboxCommand } from './sandbox/command.js';
export { SANDBOX_FAULT_PROFILES, type SandboxFaultProfileName } from './sandbox/faults.js';
export { type SandboxEndpoints, sandboxConfig } from './sandbox/sandbox-config.js';
export { escapeControls } from './terminal-text.js';
export { summaryLine } from './transcript/summary.js';
export { TRANSCRIPT_VERIFY_USAGE } from './transcript/usage.js';
export type { FileReport, VerifyCommandSpec } from './transcript/verify-command.js';
export { CLI_VERSION } from './version.js';
export { type WriteOutputOptions, writeOutputFile } from './write-file.js';
