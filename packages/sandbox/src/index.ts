export {
  type AgencyCatalog,
  type AgencyCatalogOptions,
  startAgencyCatalog,
} from './catalog/catalog.js';
export type { CatalogFlavor, CatalogSettings } from './catalog/context.js';
export { FIXTURE_DATASETS, FIXTURE_ORGANIZATIONS, FIXTURE_POPULATION } from './catalog/fixtures.js';
export {
  type GdCatalogHarvester,
  type GdCatalogHarvesterOptions,
  type GovernanceState,
  type HarvestedDataset,
  type HarvestReport,
  startGdCatalogHarvester,
} from './catalog/harvester.js';
export type { SchemingField, SchemingSchema } from './catalog/scheming.js';
export type { CatalogAccount, CatalogAccounts } from './catalog/seed.js';
export type { SandboxCscCredential, SandboxOfficer } from './csc/credentials.js';
export { type CscService, type CscServiceOptions, startCscService } from './csc/service.js';
export {
  CSC_SCOPES,
  DGA_SCOPES,
  type DgaProvider,
  type DgaProviderOptions,
  startDgaProvider,
} from './digital-id/dga-provider.js';
export { dgaHashSecret } from './digital-id/dga-secret.js';
export {
  type GenericProvider,
  type GenericProviderOptions,
  startGenericProvider,
} from './digital-id/generic-provider.js';
export type { PeopleSource, RunningOidcProvider, SandboxClientMetadata } from './digital-id/oidc-server.js';
export type { SandboxOidcClient } from './digital-id/people-source.js';
export { type BrowserOutcome, type LoginStepOptions, SandboxBrowser } from './digital-id/sandbox-browser.js';
export {
  startThaidProvider,
  THAID_SCOPES,
  type ThaidProvider,
  type ThaidProviderOptions,
} from './digital-id/thaid-provider.js';
export {
  ECMS_MIME_CODES,
  ECMS_MINISTRIES,
  ECMS_ORGANIZATIONS,
  ECMS_SECRET_CODES,
  ECMS_SPEED_CODES,
  type EcmsCode,
  type EcmsMinistry,
  type EcmsOrganizationSpec,
} from './ecms/directory.js';
export {
  ECMS_ENDPOINT_PATH,
  type EcmsItemKind,
  type EcmsNetwork,
  type EcmsNetworkOptions,
  type EcmsNodeHandle,
  type EcmsOutboundRecord,
  type EcmsOutboundStatusProfile,
  type EcmsQueueItem,
  type InjectedItem,
  startEcmsNetwork,
} from './ecms/network.js';
export {
  type SoapRelay,
  type SoapRelayContext,
  type SoapRelayOptions,
  startSoapRelay,
} from './ecms/relay.js';
export {
  type FaultAnswers,
  type FaultBody,
  type FaultCounters,
  type FaultDecision,
  FaultInjector,
  type FaultProfile,
  type FaultRule,
} from './faults.js';
export {
  GDX_SERVICES,
  type GdxConsumer,
  type GdxConsumerSpec,
  type GdxServiceName,
} from './gdx/consumers.js';
export {
  type GdxGateway,
  type GdxGatewayOptions,
  type GdxQuirks,
  type GdxXRoadInfo,
  type OfficerSessionState,
  startGdxGateway,
} from './gdx/gateway.js';
export { buildSimplePdf } from './gdx/pdf.js';
export {
  SecurityServerProfile,
  type XRoadFault,
  type XRoadReceived,
} from './gdx/security-server.js';
export { type GdxTokenRecord, GdxTokenStore } from './gdx/tokens.js';
export { type GdxUsageEntry, GdxUsageLog } from './gdx/usage-log.js';
export type { GatewayFaultFormat } from './gdx/wso2.js';
export type { XRoadClientSpec, XRoadSettings } from './gdx/xroad.js';
export {
  listen,
  type RequestHandler,
  type RunningServer,
  readBody,
  sendJson,
  sendText,
} from './http-server.js';
export {
  englishFullName,
  type Gender,
  generatePopulation,
  type Population,
  type PopulationOptions,
  type SandboxAddress,
  type SandboxCompany,
  type SandboxPerson,
  samplePeopleLines,
  thaiFullName,
} from './people.js';
export {
  createSampleTranscripts,
  REVOKED_SAMPLE_SIGNER,
  type SampleTranscripts,
  type SandboxIdentity,
  type SandboxPki,
  type SandboxPkiOptions,
  sandboxTranscriptXml,
  startSandboxPki,
} from './pki/index.js';
export { createRandom, type Random } from './random.js';
export { type Sandbox, type SandboxOptions, startSandbox } from './sandbox.js';
