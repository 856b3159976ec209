import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, type FaultProfile } from '../faults.js';
import { listen, sendJson, sendText } from '../http-server.js';
import { createRandom } from '../random.js';
import { ActionError } from './action-error.js';
import type { ActionContext, ActionSpec, CatalogFlavor, CatalogSettings } from './context.js';
import { DATASTORE_ACTIONS } from './datastore.js';
import { DataStoreTables } from './datastore-tables.js';
import { type GdCatalogHarvester, startGdCatalogHarvester } from './harvester.js';
import { PACKAGE_ACTIONS } from './packages.js';
import { RequestRejected, readActionRequest } from './request.js';
import { RESOURCE_ACTIONS } from './resources.js';
import type { SchemingSchema } from './scheming.js';
import { SEARCH_ACTIONS } from './search.js';
import { type CatalogAccounts, seedCatalog } from './seed.js';
import { SITE_ACTIONS } from './site.js';
import { CatalogStore, type CatalogUser } from './store.js';
import schema21 from './thai-gdc-2.1.json' with { type: 'json' };
import schema22 from './thai-gdc-2.2.json' with { type: 'json' };
import { sendDcatCatalog, sendDownload, sendDump } from './web-endpoints.js';

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
  Pick<CatalogSettings, 'ckanVersion' | 'thaiGdcVersion' | 'extensions'> & { schema: unknown }
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
    schema: schema22,
  },
  '2.9': {
    ckanVersion: '2.9.11',
    thaiGdcVersion: '2.1.0',
    extensions: ['thai_gdc', 'scheming_datasets', 'datastore', 'xloader', 'pages'],
    schema: schema21,
  },
};

const ACTIONS: Record<string, ActionSpec> = {
  ...SITE_ACTIONS,
  ...PACKAGE_ACTIONS,
  ...SEARCH_ACTIONS,
  ...RESOURCE_ACTIONS,
  ...DATASTORE_ACTIONS,
};

/** CKAN 2.9 and 2.10 read the token from X-CKAN-API-Key, then from Authorization as sent (no "Bearer"). */
function authenticate(
  req: IncomingMessage,
  store: CatalogStore,
  flavor: CatalogFlavor,
): CatalogUser | undefined {
  const raw = req.headers['x-ckan-api-key'] ?? req.headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const user = store.userByCredential(value);
  // Legacy API keys were removed in CKAN 2.10: such a key is simply not a login there.
  if (user && value === user.apiKey && flavor !== '2.9') return undefined;
  return user;
}

function envelope(
  res: ServerResponse,
  settings: CatalogSettings,
  action: string,
  status: number,
  body: Record<string, unknown>,
): void {
  sendJson(res, status, { help: `${settings.siteUrl}/api/3/action/help_show?name=${action}`, ...body });
}

async function runAction(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string,
  base: Omit<ActionContext, 'files' | 'via'>,
  via: 'api' | 'opend',
) {
  const spec = ACTIONS[name];
  if (!spec) {
    sendJson(res, 400, `Bad request - Action name not known: ${name}`);
    return;
  }
  const { params, files } = await readActionRequest(req, url, spec.sideEffectFree === true, {
    proxyBodyLimitBytes: base.settings.proxyBodyLimitBytes,
    keepFileBytes: base.settings.keepUploadBytes,
    chunkDelayInMs: base.faults.uploadChunkDelayInMs(url.pathname),
  });
  delete params.callback;
  try {
    const result = await spec.handler(params, { ...base, files, via });
    envelope(res, base.settings, name, 200, { success: true, result });
  } catch (err) {
    if (err instanceof ActionError)
      envelope(res, base.settings, name, err.status, { success: false, error: err.error });
    else
      envelope(res, base.settings, name, 500, {
        success: false,
        error: { __type: 'Internal Server Error', message: 'Internal Server Error' },
      });
  }
}

/**
 * An agency's CKAN catalog with ckanext-thai_gdc, as the Action API client meets it: envelopes and status codes of
 * ckan/views/api.py, token header rules, scheming validation with thai_gdc's schema (and its looseness), rows_max
 * and DataStore limits, the upload limit and the proxy's HTML 413, package_revise, status_show with thai_gdc's
 * fields, the DataStore dump, DCAT (2.10), and a GD Catalog harvester that harvests it.
 */
export async function startAgencyCatalog(options: AgencyCatalogOptions = {}): Promise<AgencyCatalog> {
  const flavor = options.flavor ?? '2.10';
  const seed = options.seed ?? 2026;
  const random = createRandom(seed + 13);
  const store = new CatalogStore(random);
  const tables = new DataStoreTables();
  const faults = new FaultInjector(options.faults ?? { seed, rules: [] });
  const f = FLAVORS[flavor];
  const baseSchema = structuredClone(f.schema) as SchemingSchema;
  const settings: CatalogSettings = {
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
  const { accounts, opendApiKey } = seedCatalog(store, tables, options.fixtures !== false);
  const base = { store, tables, settings, faults, user: undefined as CatalogUser | undefined };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (await faults.intercept(req, res)) return;
    const ctx = { ...base, user: authenticate(req, store, flavor) };
    try {
      await dispatch(req, res, url, ctx);
    } catch (err) {
      if (err instanceof RequestRejected) {
        if (err.html) {
          res.writeHead(err.status, { 'content-type': 'text/html', connection: 'close' });
          res.end(err.body);
          req.resume();
        } else sendText(res, err.status, err.body, { 'content-type': 'application/json;charset=utf-8' });
      } else if (err instanceof ActionError)
        envelope(res, settings, 'web', err.status, { success: false, error: err.error });
      else throw err;
    }
  }

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: typeof base,
  ): Promise<void> {
    const p = url.pathname;
    const action = /^\/api(?:\/3)?\/action\/([\w-]+)$/.exec(p)?.[1];
    if (action) return runAction(req, res, url, action, ctx, 'api');
    const opend = /^\/get-ckan\/([\w-]+)$/.exec(p)?.[1];
    if (opend) {
      if (req.headers['api-key'] !== opendApiKey)
        return sendJson(res, 401, { message: 'Unauthorized: a valid api-key header is required' });
      return runAction(req, res, url, opend, { ...ctx, user: undefined }, 'opend');
    }
    const ctxWeb = { ...ctx, files: new Map(), via: 'api' as const };
    const dump = /^\/datastore\/dump\/([\w-]+)$/.exec(p)?.[1];
    if (dump && req.method === 'GET') return sendDump(res, ctxWeb, dump, url.searchParams);
    if (p === '/catalog.jsonld' && flavor === '2.10') return sendDcatCatalog(res, ctxWeb, url.searchParams);
    const download = /^\/dataset\/[\w-]+\/resource\/([\w-]+)\/download\/[^/]*$/.exec(p)?.[1];
    if (download) return sendDownload(res, ctxWeb, download);
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!DOCTYPE html><html><head><title>Not found - CKAN</title></head><body><h1>404 Not Found</h1></body></html>',
    );
  }

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
