export { CatalogClient } from './client.js';
export type { DataStoreRecord } from './datastore/batches.js';
export type {
  CatalogDataStore,
  DataStoreCreateInput,
  DataStoreCreateResult,
  DataStoreExportFormat,
  DataStoreField,
  DataStoreTarget,
} from './datastore/datastore.js';
export type { DataStoreLoadOptions, DataStoreLoadResult, DataStoreProgress } from './datastore/load.js';
export type { DataStoreRefreshOptions, DataStoreRefreshResult } from './datastore/refresh.js';
export type { DataStoreSearchPage, DataStoreSearchQuery } from './datastore/search.js';
export type { DcatDatasetChange, DcatPage } from './dcat.js';
export type { CatalogDataset, CatalogOrganization, CatalogResource, CatalogText } from './entities.js';
export {
  CATALOG_ERROR_CODES,
  CatalogError,
  type CatalogErrorCode,
  type CatalogErrorOptions,
  type FieldError,
  isCatalogError,
} from './errors.js';
export type { GovernanceState, PublicationState } from './harvester.js';
export {
  DATA_CATEGORIES_21,
  DATA_CATEGORIES_22,
  DATA_CATEGORY,
  DATA_CLASSIFICATIONS,
  DATA_COLLECTS,
  DATA_FORMATS,
  DATA_LANGUAGES,
  DATA_SUPPORTS,
  DATA_TYPE,
  DATA_TYPES,
  DISAGGREGATES,
  EQUIVALENT_SCALES,
  GEO_COVERAGES,
  GEOGRAPHIC_DATA_SETS,
  GOVERNANCE_STATES,
  LICENSES_21,
  LICENSES_22,
  OBJECTIVES,
  OTHER,
  TRUE_FALSE,
  UNIT_MULTIPLIERS,
  UPDATE_FREQUENCY_UNITS,
} from './metadata/choices.js';
export {
  type FieldKind,
  type FieldSpec,
  type MetadataSpec,
  THAI_GDC_21,
  THAI_GDC_22,
} from './metadata/fields.js';
export type { ValidationIssue } from './metadata/rules.js';
export {
  datasetSchemaFor,
  type ThaiGdcDataset21,
  type ThaiGdcDataset22,
  type ThaiGdcResource21,
  type ThaiGdcResource22,
  type TrueFalse,
  thaiGdcDatasetSchema21,
  thaiGdcDatasetSchema22,
  thaiGdcResourceSchema21,
  thaiGdcResourceSchema22,
} from './metadata/schema.js';
export { specFromScheming } from './metadata/scheming.js';
export {
  type DatasetValidation,
  type ValidateDatasetOptions,
  validateDataset,
  validateResource,
} from './metadata/validate.js';
export {
  CATALOG_DEFAULTS,
  type CatalogClientOptions,
  type CatalogGateway,
  type CatalogOperationOptions,
  catalogClientOptionsSchema,
  type DataStoreDefaults,
  type PolitenessOptions,
  type SchemaVersionOption,
} from './options.js';
export { countCitizenIds } from './privacy.js';
export type { PublishOptions, UpdateDatasetOptions } from './publish.js';
export type { UpdateResourceOptions } from './resources.js';
export type { SearchDatasetsQuery, SearchPage } from './search.js';
export { type CatalogStatus, schemaVersionOf } from './status.js';
export type { UploadProgress } from './upload/multipart.js';
export { asciiFileName, type UploadResourceInput, type UploadResourceOptions } from './upload/upload.js';
