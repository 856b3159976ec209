export type { AuditOptions, GdxAuditEvent, GdxAuditSink } from './audit.js';
export {
  type CitizenInput,
  ExchangeClient,
  type ExchangeStats,
  type GdxCallInput,
  type JuristicInput,
  type LaserCodeInput,
} from './client.js';
export { type CallContext, type GdxCallOptions, isAgentId } from './context.js';
export {
  EXCHANGE_ERROR_CODES,
  type ExchangeErrorCode,
  type GdxEnvelope,
  GdxError,
  type GdxErrorOptions,
  isGdxError,
  isGdxNotFound,
} from './errors.js';
export { looseKeys } from './loose-keys.js';
export { type ExchangeClientOptions, exchangeClientOptionsSchema, type XRoadOptions } from './options.js';
export type {
  AgentPermission,
  DopaAddress,
  DopaHouse,
  DopaHouseholdMembers,
  DopaPerson,
  JuristicProfile,
  JuristicProfilePdf,
  LaserCodeResult,
  SessionState,
} from './schemas.js';
export {
  LINKAGE_SERVICE_IDS,
  ROUTES as GDX_SERVICE_ROUTES,
  type ServiceRoute,
  type XRoadServiceKey,
} from './services.js';
export {
  isRetryableXRoadType,
  RETRYABLE_XROAD_TYPES,
  type XRoadMemberId,
  type XRoadSecurityServerId,
  type XRoadServiceId,
} from './xroad.js';
