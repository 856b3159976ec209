import { notFound, required, validationError } from './action-error.js';
import type { ActionContext, ActionSpec } from './context.js';
import { PgExact, type Row, type Table } from './datastore-tables.js';
import { findEditable, savePackage } from './packages.js';
import { resourceAccess } from './resources.js';
import type { Dict } from './store.js';

/** CKAN's datastore_* actions over the in-memory tables (datastore_search_sql is off under thai_gdc). */

function tableOf(ctx: ActionContext, resourceId: string): Table {
  const table = ctx.tables.get(resourceId);
  if (!table) throw notFound(`Resource "${resourceId}" was not found.`);
  return table;
}

function checkReadOnly(res: Dict, force: unknown): void {
  // An uploaded file's table is xloader's: writes need force=True (CKAN's _check_read_only).
  if (force !== true && force !== 'true' && force !== 'True' && res.url_type !== 'datastore') {
    throw validationError({
      'read-only': [
        'Cannot edit read-only resource. Either pass"force=True" or change url_type to "datastore"',
      ],
    });
  }
}

function keyList(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v)) return v.map(String);
  throw validationError({ primary_key: ['must be a list or a comma-separated string'] });
}

function datastoreCreate(params: Dict, ctx: ActionContext): Dict {
  let resourceId: string;
  if (params.resource && typeof params.resource === 'object') {
    // A new resource whose data lives only in the DataStore (url_type "datastore").
    const r = params.resource as Dict;
    const pkg = findEditable(ctx, r.package_id);
    const id = ctx.store.newId();
    const saved = savePackage(
      {
        ...pkg,
        resources: [
          ...pkg.resources,
          { ...r, id, url: `${ctx.settings.siteUrl}/datastore/dump/${id}`, url_type: 'datastore' },
        ],
      },
      ctx,
      pkg,
    ) as { resources: Dict[] };
    resourceId = String(saved.resources.at(-1)?.id);
  } else {
    resourceId = String(required(params, 'resource_id'));
    const { res } = resourceAccess.editable(ctx, resourceId);
    checkReadOnly(res, params.force);
  }
  const pk = keyList(params.primary_key);
  const table = ctx.tables.create(resourceId, params.fields ?? [], pk);
  if (params.records !== undefined) ctx.tables.write(table, params.records, 'insert');
  const found = ctx.store.findResource(resourceId);
  if (found) found.res.datastore_active = true;
  return { resource_id: resourceId, fields: table.fields, primary_key: table.primaryKey, method: 'insert' };
}

function datastoreUpsert(params: Dict, ctx: ActionContext): Dict {
  const resourceId = String(required(params, 'resource_id'));
  const { res } = resourceAccess.editable(ctx, resourceId);
  checkReadOnly(res, params.force);
  const method = String(params.method ?? 'upsert');
  if (!['upsert', 'insert', 'update'].includes(method))
    throw validationError({ method: [`"${method}" is not a valid method`] });
  const records = ctx.tables.write(tableOf(ctx, resourceId), params.records, method);
  // CKAN (2.9, 2.10) answers with the records it wrote.
  return { resource_id: resourceId, method, records };
}

function datastoreDelete(params: Dict, ctx: ActionContext): Dict {
  const resourceId = String(required(params, 'resource_id'));
  const { res } = resourceAccess.editable(ctx, resourceId);
  checkReadOnly(res, params.force);
  const table = tableOf(ctx, resourceId);
  const filters = params.filters;
  if (filters !== undefined && filters !== null && (typeof filters !== 'object' || Array.isArray(filters))) {
    throw validationError({ filters: ['filters must be either a dict or null.'] });
  }
  if (!filters || Object.keys(filters).length === 0) {
    ctx.tables.drop(resourceId);
    res.datastore_active = false;
  } else ctx.tables.delete(table, filters as Record<string, unknown>);
  return { resource_id: resourceId, filters: filters ?? {} };
}

function natural(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw validationError({ [name]: ['Must be a natural number'] });
  return n;
}

/**
 * PostgreSQL's ORDER BY: rows equal on every sort column come in no set order, and a LIMIT/OFFSET query (a top-N
 * heapsort) orders them differently from one window to the next. Modelled by ordering ties by a hash of `_id` and
 * the window's end, so that a reader paging a sort that is not total by offset sees ties move between pages.
 */
function sortRows(rows: Row[], sort: unknown, known: Set<string>, windowEnd: number): Row[] {
  const parts = String(sort ?? '_id')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [field = '', dir = 'asc'] = s.replace(/"/g, '').split(/\s+/);
      if (!known.has(field)) throw validationError({ sort: [`field "${field}" not in table`] });
      return { field, desc: dir.toLowerCase() === 'desc' };
    });
  const tie = (r: Row) => Math.imul(Number(r._id) ^ windowEnd, 0x9e3779b1) >>> 0;
  return rows.sort((a, b) => {
    for (const { field, desc } of parts) {
      const x = a[field] as never;
      const y = b[field] as never;
      if (x === y) continue;
      return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return tie(a) - tie(b);
  });
}

function matchesQ(row: Row, q: unknown): boolean {
  if (q === undefined || q === null || q === '') return true;
  if (typeof q === 'object')
    return Object.entries(q as Dict).every(([k, v]) =>
      String(row[k] ?? '')
        .toLowerCase()
        .includes(String(v).toLowerCase()),
    );
  const needle = String(q).toLowerCase();
  return Object.values(row).some((v) =>
    String(v ?? '')
      .toLowerCase()
      .includes(needle),
  );
}

function datastoreSearch(params: Dict, ctx: ActionContext): Dict {
  const resourceId = String(required(params, 'resource_id'));
  resourceAccess.readable(ctx, resourceId);
  const table = tableOf(ctx, resourceId);
  const limit = natural(params.limit, 'limit', 100);
  const offset = natural(params.offset, 'offset', 0);
  const applied = Math.min(limit, ctx.settings.datastoreRowsMax);
  const known = new Set(['_id', ...table.fields.map((f) => f.id)]);
  const fields = params.fields === undefined ? [...known] : keyList(params.fields);
  for (const f of fields) if (!known.has(f)) throw validationError({ fields: [`field "${f}" not in table`] });
  const filters = params.filters as Record<string, unknown> | undefined;
  const all = sortRows(
    ctx.tables.select(table, filters).filter((r) => matchesQ(r, params.q)),
    params.sort,
    known,
    offset + applied,
  );
  const page = all
    .slice(offset, offset + applied)
    .map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));
  const format = String(params.records_format ?? 'objects');
  const cols = [{ id: '_id', type: 'int' }, ...table.fields].filter((c) => fields.includes(c.id));
  const base = `/api/3/action/datastore_search?resource_id=${resourceId}`;
  const out: Dict = {
    resource_id: resourceId,
    fields: cols,
    records_format: format,
    records: formatRecords(page, fields, format),
    limit: applied,
    offset,
    _links: { start: base, next: `${base}&offset=${offset + applied}` },
  };
  if (params.include_total !== false && params.include_total !== 'false') {
    out.total = all.length;
    out.total_was_estimated = false;
  }
  return out;
}

function formatRecords(page: Row[], fields: string[], format: string): unknown {
  if (format === 'objects') return page;
  const lists = page.map((r) => fields.map((f) => r[f] ?? null));
  if (format === 'lists') return lists;
  const sep = format === 'tsv' ? '\t' : ',';
  if (format !== 'csv' && format !== 'tsv')
    throw validationError({ records_format: ['Value must be one of objects, lists, csv, tsv'] });
  return lists.map((l) => l.map((v) => csvCell(v, sep)).join(sep)).join('\n') + (lists.length ? '\n' : '');
}

/** One CSV cell, quoted when it holds the separator, a quote or a line break. */
export function csvCell(v: unknown, sep: string): string {
  const s =
    v === null || v === undefined
      ? ''
      : typeof v === 'object' && !(v instanceof PgExact)
        ? JSON.stringify(v)
        : String(v);
  return s.includes(sep) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
}

function datastoreInfo(params: Dict, ctx: ActionContext): Dict {
  const id = String(required(params, 'id'));
  resourceAccess.readable(ctx, id);
  const table = tableOf(ctx, id);
  if (ctx.settings.flavor === '2.9') {
    return {
      meta: { count: table.rows.size },
      schema: Object.fromEntries(table.fields.map((f) => [f.id, f.type])),
    };
  }
  return {
    meta: { count: table.rows.size, table_type: 'BASE TABLE', aliases: [], id },
    fields: table.fields.map((f) => ({
      id: f.id,
      type: f.type,
      schema: { native_type: f.type, is_index: table.primaryKey.includes(f.id) },
    })),
  };
}

/** The datastore_* actions thai_gdc leaves on. */
export const DATASTORE_ACTIONS: Record<string, ActionSpec> = {
  datastore_create: { handler: datastoreCreate },
  datastore_upsert: { handler: datastoreUpsert },
  datastore_delete: { handler: datastoreDelete },
  datastore_search: { handler: datastoreSearch, sideEffectFree: true },
  datastore_info: { handler: datastoreInfo, sideEffectFree: true },
};
