export { DigitalIdClient, type ProviderMetadata } from './client.js';
export { dgaHashSecret } from './dga-secret.js';
export {
  DIGITAL_ID_ERROR_CODES,
  DigitalIdError,
  type DigitalIdErrorCode,
  type DigitalIdErrorOptions,
  type DigitalIdTransportErrorCode,
  isDigitalIdError,
} from './errors.js';
export type { DigitalIdentity, PersonName, TokenSet } from './identity.js';
export type {
  CreateLoginRequestInput,
  DigitalIdClientOptions,
  HandleCallbackOptions,
  IntrospectionResult,
  LoginRequest,
  LogoutUrlInput,
  RefreshOptions,
  RevokeOptions,
} from './options.js';
export {
  type BasicCredentialEncoding,
  type ClaimsSource,
  DGA_PRESET,
  GENERIC_PRESET,
  type LogoutRedirectParameter,
  PROVIDER_PRESETS,
  type ProviderName,
  type ProviderPreset,
  type StaticEndpoints,
  THAID_PRESET,
  type TokenEndpointAuthMethod,
} from './presets.js';
export {
  type LoginState,
  MemoryStateStore,
  type MemoryStateStoreOptions,
  type StateConsumeResult,
  type StateStore,
} from './state-store.js';
