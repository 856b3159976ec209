import { FaultInjector, type FaultProfile } from '../faults.js';
import { listen } from '../http-server.js';
import { createRandom } from '../random.js';
import type { CatalogFlavor, CatalogSettings } from './context.js';
import { DataStoreTables } from './datastore-tables.js';
import { type GdCatalogHarvester, startGdCatalogHarvester } from './harvester.js';
import { catalogRouter } from './router.js';
import type { SchemingSchema } from './scheming.js';
import { type CatalogAccounts, seedCatalog } from './seed.js';
import { CatalogStore } from './store.js';

/** Options of the sandbox agency catalog: flavour, limits, faults, fixtures, harvester. */
export interface AgencyCatalogOptions {
  /** '2.10' = CKAN 2.10.7 + thai_gdc 2.2.4 (default); '2.9' = CKAN 2.9 + thai_gdc 2.1.0 (legacy API keys, no DCAT). */
  flavor?: CatalogFlavor;
  host?: string;
  port?: number;
  seed?: number;
  /** ckan.search.rows_max (default 1000). */
  rowsMax?: number;
  /** ckan.datastore.search.rows_max (thai_gdc: 10000). */
  datastoreRowsMax?: number;
  /** Organization list cap (thai_gdc: 300). */
  orgListMax?: number;
  /** ckan.max_resource_size in bytes (default 100 MiB, as NECTEC deploys). */
  uploadLimitBytes?: number;
  /** The reverse proxy's client_max_body_size (default 110 MiB): larger bodies get nginx's HTML 413. */
  proxyBodyLimitBytes?: number;
  /** Uploads up to this size are kept for download (default 8 MiB). */
  keepUploadBytes?: number;
  faults?: FaultProfile;
  /** Load the Thai agency datasets (default true). */
  fixtures?: boolean;
  /** Change the schema the catalog serves and enforces (tests of "the server's schema wins"). */
  adjustSchema?: (schema: SchemingSchema) => SchemingSchema;
  /** The GD Catalog harvester started with the catalog (default on); `false` for none (deletes are then refused). */
  harvester?: false | { port?: number; autoApprove?: boolean; faults?: FaultProfile };
}

/** A running sandbox catalog: its URL, users and tokens, faults, harvester, and state for tests. */
export interface AgencyCatalog {
  url: string;
  port: number;
  flavor: CatalogFlavor;
  /** Users with their API tokens (and the 2.9 legacy API key). */
  accounts: CatalogAccounts;
  /** Key for the data.go.th-style gateway (`/get-ckan/{action}`, header `api-key`). */
  opendApiKey: string;
  faults: FaultInjector;
  harvester: GdCatalogHarvester | undefined;
  settings: CatalogSettings;
  store: CatalogStore;
  tables: DataStoreTables;
  close(): Promise<void>;
}

const FLAVORS: Record<
  CatalogFlavor,
  Pick<CatalogSettings, 'ckanVersion' | 'thaiGdcVersion' | 'extensions'> & {
    schema: () => Promise<{ default: unknown }>;
  }
> = {
  '2.10': {
    ckanVersion: '2.10.7',
    thaiGdcVersion: '2.2.4',
    extensions: [
      'thai_gdc',
      'scheming_datasets',
      'datastore',
      'xloader',
      'dcat',
      'dcat_json_interface',
      'activity',
      'pages',
    ],
    // The schemas (0.13 MB between them) are read when a catalog of that flavour starts, not at import.
    schema: () => import('./thai-gdc-2.2.json', { with: { type: 'json' } }),
  },
  '2.9': {
    ckanVersion: '2.9.11',
    thaiGdcVersion: '2.1.0',
    extensions: ['thai_gdc', 'scheming_datasets', 'datastore', 'xloader', 'pages'],
    schema: () => import('./thai-gdc-2.1.json', { with: { type: 'json' } }),
  },
};

/** ckan.ini and thai_gdc's update_config for a flavour, with the test overrides. */
async function settingsFor(flavor: CatalogFlavor, options: AgencyCatalogOptions): Promise<CatalogSettings> {
  const f = FLAVORS[flavor];
  const baseSchema = structuredClone((await f.schema()).default) as SchemingSchema;
  return {
    flavor,
    ckanVersion: f.ckanVersion,
    thaiGdcVersion: f.thaiGdcVersion,
    extensions: f.extensions,
    schema: options.adjustSchema ? options.adjustSchema(baseSchema) : baseSchema,
    siteUrl: '',
    siteTitle: 'บัญชีข้อมูลหน่วยงาน (sandbox)',
    rowsMax: options.rowsMax ?? 1000,
    datastoreRowsMax: options.datastoreRowsMax ?? 10_000,
    orgListMax: options.orgListMax ?? 300,
    maxNameLength: 70,
    uploadLimitBytes: options.uploadLimitBytes ?? 100 * 1024 * 1024,
    proxyBodyLimitBytes:
      options.proxyBodyLimitBytes ?? (options.uploadLimitBytes ?? 100 * 1024 * 1024) + 10 * 1024 * 1024,
    keepUploadBytes: options.keepUploadBytes ?? 8 * 1024 * 1024,
    harvesterUrl: undefined,
  };
}

/**
 * An agency's CKAN catalog with ckanext-thai_gdc, as the Action API client meets it: envelopes and status codes of
 * ckan/views/api.py, token header rules, scheming validation with thai_gdc's schema (and its looseness), rows_max
 * and DataStore limits, the upload limit and the proxy's HTML 413, package_revise, status_show with thai_gdc's
 * fields, the DataStore dump, DCAT (2.10), and a GD Catalog harvester that harvests it.
 *
 * @example
 * ```ts
 * const agency = await startAgencyCatalog({ flavor: '2.9' });
 * const client = new CatalogClient({ baseUrl: agency.url, apiToken: agency.accounts.editor.token });
 * ```
 */
export async function startAgencyCatalog(options: AgencyCatalogOptions = {}): Promise<AgencyCatalog> {
  const flavor = options.flavor ?? '2.10';
  const seed = options.seed ?? 2026;
  const random = createRandom(seed + 13);
  const store = new CatalogStore(random);
  const tables = new DataStoreTables();
  const faults = new FaultInjector(options.faults ?? { seed, rules: [] });
  const settings = await settingsFor(flavor, options);
  const { accounts, opendApiKey } = seedCatalog(store, tables, options.fixtures !== false);

  const route = catalogRouter({ store, tables, settings, faults, opendApiKey });
  const server = await listen(route, { host: options.host, port: options.port });
  settings.siteUrl = server.url;
  const harvester =
    options.harvester === false
      ? undefined
      : await startGdCatalogHarvester({ ...options.harvester, host: options.host });
  if (harvester) {
    harvester.register(server.url);
    settings.harvesterUrl = harvester.url;
  }
  return {
    url: server.url,
    port: server.port,
    flavor,
    accounts,
    opendApiKey,
    faults,
    harvester,
    settings,
    store,
    tables,
    close: async () => {
      await harvester?.close();
      await server.close();
    },
  };
}
