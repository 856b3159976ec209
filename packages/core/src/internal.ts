// @thgov/core/internal: the plumbing sibling thgov packages share (option checking, the transport's option shape,
// the safe logger, telemetry, deadlines, the response guard, retry timing). Not part of the semver contract and not
// documented for applications, which use the root entry; a sibling depends on the core version it was released with.

// The name of a file kind that is not a regular file, for the CLI's refusals (the audit readers use it too).
export { fileKind } from './audit/regular-file.js';
export { abortReason, type Deadline, type DeadlineOptions, raceSignal, startDeadline } from './deadline.js';
export { withResponseGuard } from './dispatcher.js';
export { buildSchema, isZodLoaded, loadZod, z } from './lazy-zod.js';
export { SafeLogger } from './logger.js';
// How a `proxy: 'env'` client routes a URL, for `thgov doctor`, which must reach an endpoint the same way.
export { envProxyFor } from './no-proxy.js';
export { is, type OptionCheck, optionCheckOf, withOptionCheck } from './option-check.js';
export { tlsOptionsShape, transportOptionsShape } from './options.js';
// The citizen-ID detector redaction uses, for guards that must find what redaction would mask (catalog uploads).
export { findCitizenIds } from './redact/citizen-id.js';
export { fastPathOf, UNDECIDED, withFastPath } from './response-body.js';
export { type BodyThroughput, DEFAULT_BODY_THROUGHPUT, responseGuardInterceptor } from './response-guard.js';
export {
  fullJitterDelay,
  isRepeatableCall,
  markUnprocessed,
  parseRetryAfter,
  settledAfterSend,
} from './retry.js';
export {
  errorType,
  loadOtelApi,
  redactUrlForSpan,
  sanitizeAttribute,
  sharedTelemetry,
  TELEMETRY_NAMES,
  Telemetry,
  type TelemetryAttributes,
  TelemetrySpan,
} from './telemetry/index.js';
// TLS certificate entries as Node reads them, for `thgov doctor`'s own handshake and the CLI's configuration.
export { clientCertificatePem, trustedCaPem } from './tls-certificates.js';
export { checkOptions, validateOptions } from './validate.js';
export { type PackageIdentity, userAgent } from './version.js';
