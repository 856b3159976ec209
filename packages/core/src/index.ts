// Message signing (detached JWS over Content-Digest) and the hash-chained audit log.
export type { AuditAnchor, AuditAnchorStore } from './audit/anchor.js';
export { FileAnchorStore, type FileAnchorStoreOptions } from './audit/anchor-file.js';
export { GENESIS_HASH } from './audit/chain.js';
export { FileAuditSink, type FileAuditSinkOptions } from './audit/file-sink.js';
export { type AuditChainKey, parseAuditChainKeys } from './audit/keys.js';
export { MemoryAuditSink, type MemoryAuditSinkOptions } from './audit/memory-sink.js';
export {
  type AuditEvent,
  type AuditRecord,
  type AuditRecordFields,
  type AuditSink,
  createSubjectHasher,
  isHashedSubject,
  type KeyedAuditRecord,
  type LegacyAuditRecord,
  type SubjectHasher,
} from './audit/record.js';
export {
  type AuditLogError,
  type AuditLogErrorKind,
  type AuditLogVerification,
  type AuditLogWarning,
  type VerifyAuditLogOptions,
  verifyAuditLog,
  verifyAuditLogText,
} from './audit/verify.js';
export { createDispatcher, DEFAULT_TIMEOUTS, type DispatcherConfig } from './dispatcher.js';
export {
  AbortError,
  CodedRangeError,
  CodedTypeError,
  type CoreErrorCode,
  ERROR_CODES,
  type ErrorCode,
  type ExchangeContext,
  HttpError,
  type HttpErrorOptions,
  invalidArgument,
  isAbortError,
  isCoreError,
  isHttpError,
  isThGovError,
  isTimeoutError,
  outOfRange,
  type RedactedRequest,
  ResponseSchemaError,
  type SchemaIssue,
  ThGovError,
  type ThGovErrorOptions,
  TimeoutError,
  type TimeoutPhase,
  type TruncatedResponse,
} from './errors.js';
export {
  BE_OFFSET,
  type BeDate,
  beDateSchema,
  beDateToIso,
  citizenIdSchema,
  completeThaiId,
  formatBeDate,
  formatThaiId,
  isCitizenId,
  isJuristicId,
  isLaserCode,
  isoToBeDate,
  juristicIdSchema,
  laserCodeSchema,
  parseBeDate,
  parseCitizenId,
  parseJuristicId,
  parseLaserCode,
  thaiIdCheckDigit,
} from './identifiers.js';
export type { Logger, LogLevel } from './logger.js';
export {
  type MessageSigner,
  type MessageVerifier,
  type OperationOptions,
  type ResponseInfo,
  type RetryInfo,
  type TimeoutOptions,
  type TlsOptions,
  type TransportOptions,
  transportOptionsSchema,
} from './options.js';
export { SECRET_REGISTRY_LIMITS, type SecretKind } from './redact/secret-registry.js';
export {
  CITIZEN_ID_MASK,
  isSensitiveName,
  isSensitiveParam,
  NAME_MASK,
  REDACTED,
  type RegisterSecretOptions,
  redactHeaders,
  redactPreview,
  redactText,
  redactUrl,
  redactValue,
  registerSecret,
  type SecretRegistryStats,
  secretRegistryStats,
  unregisterSecret,
  withSecrets,
} from './redact.js';
export { type LazyErrorOptions, parseJsonBody, validateBody } from './response-body.js';
export {
  RetryBudget,
  type RetryBudgetOptions,
  type RetryOptions,
} from './retry.js';
export { CONTENT_DIGEST_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER } from './signing/canonical.js';
export { computeContentDigest, verifyContentDigest } from './signing/content-digest.js';
export { SIGNING_ALGORITHMS, type SigningAlgorithm, type SigningKeyInput } from './signing/keys.js';
export {
  MemoryReplayCache,
  type MemoryReplayCacheOptions,
  type ReplayCache,
} from './signing/replay-cache.js';
export {
  createRequestSigner,
  type RequestSigner,
  type RequestSignerOptions,
  type SignedHeaders,
  type SignRequestInput,
  type SignResponseInput,
} from './signing/signer.js';
export {
  createSignatureVerifier,
  type HeaderBag,
  type KeyResolver,
  type SignatureVerifier,
  type SignatureVerifierOptions,
  type VerificationKey,
  type VerifiedSignature,
  type VerifyRequestInput,
  type VerifyResponseInput,
} from './signing/verifier.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from './telemetry/index.js';
export {
  checkJsonText,
  checkRequestPath,
  type HttpMethod,
  type QueryValue,
  type RawResponse,
  type RequestBody,
  type RequestSpec,
  type ResponseType,
  type StreamRequestBody,
  Transport,
  type TransportResponse,
} from './transport.js';
export { PACKAGE_VERSION as CORE_VERSION } from './version.js';
