import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../faults.js';
import { sendJson, sendText } from '../http-server.js';
import { ActionError } from './action-error.js';
import type { ActionContext, ActionSpec, CatalogFlavor, CatalogSettings } from './context.js';
import { DATASTORE_ACTIONS } from './datastore.js';
import type { DataStoreTables } from './datastore-tables.js';
import { exactJson } from './datastore-tables.js';
import { type RdfFormat, sendDcatDataset, sendDcatJson } from './dcat.js';
import { PACKAGE_ACTIONS } from './packages.js';
import { RequestRejected, readActionRequest } from './request.js';
import { RESOURCE_ACTIONS } from './resources.js';
import { SEARCH_ACTIONS } from './search.js';
import { SITE_ACTIONS } from './site.js';
import type { CatalogStore, CatalogUser } from './store.js';
import { sendDcatCatalog, sendDownload, sendDump } from './web-endpoints.js';

/**
 * The catalog's HTTP routes: the Action API (`/api/3/action/{action}`, and the data.go.th-style gateway
 * `/get-ckan/{action}`), the DataStore dump, DCAT (2.10 only) and downloads; CKAN's answers for the rest.
 */

type BaseContext = Omit<ActionContext, 'files' | 'via'>;

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
  // An int8 or numeric past a double's precision goes out as PostgreSQL writes it: a bare number token.
  const text = exactJson({ help: `${settings.siteUrl}/api/3/action/help_show?name=${action}`, ...body });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

async function runAction(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string,
  base: BaseContext,
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

/** What the router needs: the state, the settings, the faults and the gateway's key. */
export interface RouterState {
  store: CatalogStore;
  tables: DataStoreTables;
  settings: CatalogSettings;
  faults: FaultInjector;
  opendApiKey: string;
}

function rejectRequest(
  req: IncomingMessage,
  res: ServerResponse,
  settings: CatalogSettings,
  err: unknown,
): void {
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

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: BaseContext,
  s: RouterState,
): Promise<void> {
  const p = url.pathname;
  const action = /^\/api(?:\/3)?\/action\/([\w-]+)$/.exec(p)?.[1];
  if (action) return runAction(req, res, url, action, ctx, 'api');
  const opend = /^\/get-ckan\/([\w-]+)$/.exec(p)?.[1];
  if (opend) {
    if (req.headers['api-key'] !== s.opendApiKey) {
      return sendJson(res, 401, { message: 'Unauthorized: a valid api-key header is required' });
    }
    return runAction(req, res, url, opend, { ...ctx, user: undefined }, 'opend');
  }
  const web = { ...ctx, files: new Map(), via: 'api' as const };
  const dump = /^\/datastore\/dump\/([\w-]+)$/.exec(p)?.[1];
  if (dump && req.method === 'GET') return sendDump(res, web, dump, url.searchParams);
  if (s.settings.flavor === '2.10') {
    // ckanext-dcat: the catalog and each dataset as RDF, and dcat_json_interface's /dcat.json.
    const catalogFormat = /^\/catalog\.(jsonld|ttl|rdf)$/.exec(p)?.[1] as RdfFormat | undefined;
    if (catalogFormat) return sendDcatCatalog(res, web, url.searchParams, catalogFormat);
    const dataset = /^\/dataset\/([\w-]+)\.(jsonld|ttl|rdf)$/.exec(p);
    if (dataset) return sendDcatDataset(res, web, dataset[1] as string, dataset[2] as RdfFormat);
    if (p === '/dcat.json') return sendDcatJson(res, web, url.searchParams);
  }
  const download = /^\/dataset\/[\w-]+\/resource\/([\w-]+)\/download\/[^/]*$/.exec(p)?.[1];
  if (download) return sendDownload(res, web, download);
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    '<!DOCTYPE html><html><head><title>Not found - CKAN</title></head><body><h1>404 Not Found</h1></body></html>',
  );
}

/** The request handler of a catalog. */
export function catalogRouter(s: RouterState): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (await s.faults.intercept(req, res)) return;
    const ctx: BaseContext = {
      store: s.store,
      tables: s.tables,
      settings: s.settings,
      faults: s.faults,
      user: authenticate(req, s.store, s.settings.flavor),
    };
    try {
      await dispatch(req, res, url, ctx, s);
    } catch (err) {
      rejectRequest(req, res, s.settings, err);
    }
  };
}
