import type { ServerResponse } from 'node:http';
import { ActionError } from './action-error.js';
import type { ActionContext } from './context.js';
import { csvCell } from './datastore.js';
import { exactJson } from './datastore-tables.js';
import { datasetNode, type RdfFormat, sendRdf } from './dcat.js';
import { resourceAccess } from './resources.js';

/**
 * The catalog's plain HTTP endpoints next to the Action API: the DataStore dump (streamed, as CKAN streams it),
 * ckanext-dcat's paged catalog (2.10 only) and uploaded-file downloads.
 */

const DUMP_ROWS_PER_WRITE = 500;

async function write(res: ServerResponse, text: string): Promise<void> {
  if (!res.write(text)) await new Promise<void>((r) => res.once('drain', r));
}

/** `/datastore/dump/{id}?format=csv|tsv|json|xml&bom=true` */
export async function sendDump(
  res: ServerResponse,
  ctx: ActionContext,
  resourceId: string,
  query: URLSearchParams,
) {
  resourceAccess.readable(ctx, resourceId);
  const table = ctx.tables.get(resourceId);
  if (!table)
    throw new ActionError(404, {
      __type: 'Not Found Error',
      message: 'Not found: DataStore resource not found',
    });
  const format = query.get('format') ?? 'csv';
  const cols = ['_id', ...table.fields.map((f) => f.id)];
  const rows = [...table.rows.values()];
  const types: Record<string, string> = {
    csv: 'text/csv',
    tsv: 'text/tab-separated-values',
    json: 'application/json',
    xml: 'text/xml',
  };
  const type = types[format];
  if (!type)
    throw new ActionError(400, {
      __type: 'Validation Error',
      format: ['format: must be one of csv, tsv, json, xml'],
    });
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-disposition': `attachment; filename="${resourceId}.${format}"`,
  });
  if (query.get('bom') === 'true' || query.get('bom') === 'True') await write(res, '\ufeff');
  const sep = format === 'tsv' ? '\t' : ',';
  if (format === 'csv' || format === 'tsv') await write(res, `${cols.join(sep)}\n`);
  if (format === 'json')
    await write(res, `{\n  "fields": ${JSON.stringify(cols.map((id) => ({ id })))},\n  "records": [\n`);
  if (format === 'xml') await write(res, '<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n');
  for (let i = 0; i < rows.length; i += DUMP_ROWS_PER_WRITE) {
    const slice = rows.slice(i, i + DUMP_ROWS_PER_WRITE);
    const text = slice
      .map((r, j) => {
        if (format === 'json')
          return `    ${exactJson(cols.map((c) => r[c] ?? null))}${i + j === rows.length - 1 ? '' : ','}\n`;
        if (format === 'xml')
          return `  <row _id="${r._id}">${cols
            .slice(1)
            .map((c) => `<${c}>${xml(r[c])}</${c}>`)
            .join('')}</row>\n`;
        return `${cols.map((c) => csvCell(r[c], sep)).join(sep)}\n`;
      })
      .join('');
    await write(res, text);
  }
  if (format === 'json') await write(res, '  ]\n}\n');
  if (format === 'xml') await write(res, '</data>\n');
  res.end();
}

function xml(v: unknown): string {
  return String(v ?? '').replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );
}

const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const XSD_INTEGER = 'http://www.w3.org/2001/XMLSchema#integer';

/**
 * ckanext-dcat's `modified_since`: `dateutil_parse(v).isoformat() + 'Z'` (logic.py), then Solr's
 * `metadata_modified:[… TO NOW]`. dateutil fills a missing month or day from today; a value with a zone becomes
 * `…+00:00Z`, which Solr refuses ("Invalid Date in Date Math String"): CKAN's SearchError, which the DCAT view does
 * not catch, so the caller gets a 500. Returns the naive UTC bound, `'zone'`, or undefined when unparseable.
 */
function dcatModifiedSince(value: string): string | 'zone' | undefined {
  const m =
    /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ](\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      value.trim(),
    );
  if (!m) return undefined;
  const today = new Date();
  const year = Number(m[1]);
  const month = m[2] === undefined ? today.getUTCMonth() + 1 : Number(m[2]);
  const day = m[3] === undefined ? today.getUTCDate() : Number(m[3]);
  const [h, mi, sec] = [m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || h > 23 || mi > 59 || sec > 59)
    return undefined;
  if (m[8] !== undefined) return 'zone';
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${p2(month)}-${p2(day)}T${p2(h)}:${p2(mi)}:${p2(sec)}.${(m[7] ?? '').padEnd(6, '0')}`;
}

/**
 * ckanext-dcat's `/catalog.jsonld?page=n&modified_since=…`: public datasets, 100 a page, newest first, hydra
 * paging. Serialized as rdflib does without a context (processors.py serialize_catalog): expanded JSON-LD, a list
 * of nodes keyed by full IRIs, every value a list of `{"@value"}` / `{"@id"}` objects.
 */
export function sendDcatCatalog(
  res: ServerResponse,
  ctx: ActionContext,
  query: URLSearchParams,
  format: RdfFormat = 'jsonld',
): void {
  const perPage = 100;
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const since = query.get('modified_since');
  const sinceKey = since ? dcatModifiedSince(since) : undefined;
  if (since && sinceKey === undefined) {
    res.writeHead(409, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!DOCTYPE html><html><body><h1>409 Conflict</h1><p>Wrong modified date format. Use ISO-8601 format</p></body></html>',
    );
    return;
  }
  if (sinceKey === 'zone') {
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!DOCTYPE html><html><head><title>Internal server error - CKAN</title></head><body><h1>Internal server error</h1></body></html>',
    );
    return;
  }
  const all = [...ctx.store.packages.values()]
    .filter((p) => p.state === 'active' && !p.private && (!sinceKey || p.metadata_modified >= sinceKey))
    .sort((a, b) => (a.metadata_modified < b.metadata_modified ? 1 : -1));
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const site = ctx.settings.siteUrl;
  const pageUrl = (n: number) =>
    `${site}/catalog.${format}?${since ? `modified_since=${encodeURIComponent(since)}&` : ''}page=${n}`;
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const lit = (v: unknown, type?: string) => [type ? { '@type': type, '@value': v } : { '@value': v }];
  const paging: Record<string, unknown> = {
    '@id': pageUrl(page),
    '@type': [`${HYDRA}PagedCollection`],
    [`${HYDRA}firstPage`]: lit(pageUrl(1)),
    [`${HYDRA}first`]: lit(pageUrl(1)),
    [`${HYDRA}lastPage`]: lit(pageUrl(last)),
    [`${HYDRA}last`]: lit(pageUrl(last)),
    [`${HYDRA}itemsPerPage`]: lit(perPage, XSD_INTEGER),
    [`${HYDRA}totalItems`]: lit(all.length, XSD_INTEGER),
  };
  if (page < last) {
    paging[`${HYDRA}nextPage`] = lit(pageUrl(page + 1));
    paging[`${HYDRA}next`] = lit(pageUrl(page + 1));
  }
  if (page > 1) {
    paging[`${HYDRA}previousPage`] = lit(pageUrl(page - 1));
    paging[`${HYDRA}previous`] = lit(pageUrl(page - 1));
  }
  const nodes: unknown[] = [
    paging,
    {
      '@id': site,
      '@type': [`${DCAT}Catalog`],
      [`${DCT}title`]: lit(ctx.settings.siteTitle),
      [`${DCAT}dataset`]: slice.map((p) => ({ '@id': `${site}/dataset/${p.id}` })),
    },
    ...slice.map((p) => datasetNode(p, site)),
  ];
  sendRdf(res, nodes, format);
}

/** `/dataset/{id}/resource/{rid}/download/{file}`: the bytes of a small upload. */
export function sendDownload(res: ServerResponse, ctx: ActionContext, resourceId: string): void {
  resourceAccess.readable(ctx, resourceId);
  const upload = ctx.store.uploads.get(resourceId);
  if (!upload?.bytes)
    throw new ActionError(404, { __type: 'Not Found Error', message: 'Not found: no stored file' });
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(upload.bytes.length),
  });
  res.end(upload.bytes);
}
