import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-server.js';
import { ActionError } from './action-error.js';
import type { ActionContext } from './context.js';
import { csvCell } from './datastore.js';
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
          return `    ${JSON.stringify(cols.map((c) => r[c] ?? null))}${i + j === rows.length - 1 ? '' : ','}\n`;
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

/** ckanext-dcat's `/catalog.jsonld?page=n&modified_since=…`: public datasets, 100 a page, hydra paging. */
export function sendDcatCatalog(res: ServerResponse, ctx: ActionContext, query: URLSearchParams): void {
  const perPage = 100;
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const since = query.get('modified_since');
  const sinceKey = since ? new Date(since).toISOString().replace('Z', '') : undefined;
  if (since && Number.isNaN(Date.parse(since))) {
    sendJson(res, 400, { success: false, error: { message: 'Wrong modified date format' } });
    return;
  }
  const all = [...ctx.store.packages.values()]
    .filter((p) => p.state === 'active' && !p.private && (!sinceKey || p.metadata_modified > sinceKey))
    .sort((a, b) => (a.metadata_modified < b.metadata_modified ? 1 : -1));
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const site = ctx.settings.siteUrl;
  const pageUrl = (n: number) =>
    `${site}/catalog.jsonld?page=${n}${since ? `&modified_since=${encodeURIComponent(since)}` : ''}`;
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const graph: unknown[] = [
    {
      '@id': pageUrl(page),
      '@type': 'hydra:PagedCollection',
      'hydra:firstPage': pageUrl(1),
      'hydra:lastPage': pageUrl(last),
      'hydra:itemsPerPage': perPage,
      'hydra:totalItems': all.length,
      ...(page < last ? { 'hydra:nextPage': pageUrl(page + 1) } : {}),
      ...(page > 1 ? { 'hydra:previousPage': pageUrl(page - 1) } : {}),
    },
    {
      '@id': site,
      '@type': 'dcat:Catalog',
      'dct:title': ctx.settings.siteTitle,
      'dcat:dataset': slice.map((p) => ({ '@id': `${site}/dataset/${p.id}` })),
    },
    ...slice.map((p) => ({
      '@id': `${site}/dataset/${p.id}`,
      '@type': 'dcat:Dataset',
      'dct:identifier': p.id,
      'dct:title': p.title,
      'dct:description': p.notes,
      'dct:modified': { '@type': 'xsd:dateTime', '@value': p.metadata_modified },
      'dct:issued': { '@type': 'xsd:dateTime', '@value': p.metadata_created },
      'dcat:keyword': ((p.tags as Array<{ name: string }>) ?? []).map((t) => t.name),
    })),
  ];
  sendJson(res, 200, {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      hydra: 'http://www.w3.org/ns/hydra/core#',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
    },
    '@graph': graph,
  });
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
