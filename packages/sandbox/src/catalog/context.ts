import type { FaultInjector } from '../faults.js';
import type { DataStoreTables } from './datastore-tables.js';
import type { SchemingSchema } from './scheming.js';
import type { CatalogStore, CatalogUser, Dict } from './store.js';

/** Which CKAN + thai_gdc the sandbox catalog behaves as. */
export type CatalogFlavor = '2.10' | '2.9';

/** The catalog's configuration, as ckan.ini and thai_gdc's update_config would set it. */
export interface CatalogSettings {
  flavor: CatalogFlavor;
  ckanVersion: string;
  thaiGdcVersion: string;
  extensions: string[];
  schema: SchemingSchema;
  /** ckan.site_url (set once the server listens). */
  siteUrl: string;
  siteTitle: string;
  /** ckan.search.rows_max */
  rowsMax: number;
  /** ckan.datastore.search.rows_max (thai_gdc: 10000) */
  datastoreRowsMax: number;
  /** ckan.group_and_organization_list_max / _all_fields_max (thai_gdc: 300) */
  orgListMax: number;
  /** thai_gdc's package_name_validator */
  maxNameLength: number;
  /** ckan.max_resource_size, in bytes */
  uploadLimitBytes: number;
  /** The reverse proxy's body limit (nginx client_max_body_size), in bytes. */
  proxyBodyLimitBytes: number;
  /** Uploaded files up to this size are kept for download; larger ones only as size and digest. */
  keepUploadBytes: number;
  /** thai_gdc.gdcatalog_harvester_url: package_delete asks it whether the dataset is published. */
  harvesterUrl: string | undefined;
}

/** A file part of a multipart request, already read through (digest and size; bytes when small). */
export interface ReceivedFile {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  bytes: Buffer | undefined;
}

/** What every action gets. */
export interface ActionContext {
  store: CatalogStore;
  tables: DataStoreTables;
  settings: CatalogSettings;
  faults: FaultInjector;
  user: CatalogUser | undefined;
  files: Map<string, ReceivedFile>;
  /** 'api' for the Action API, 'opend' for the data.go.th-style gateway (read-only). */
  via: 'api' | 'opend';
}

/** One action: params in, result out (or an ActionError). */
export type ActionHandler = (params: Dict, ctx: ActionContext) => unknown;

/** An action and whether it is side-effect free (may be called with GET and URL parameters). */
export interface ActionSpec {
  handler: ActionHandler;
  sideEffectFree?: boolean;
}
