import type { OperationOptions } from '@thgov/core';
import { validateOptions, z } from '@thgov/core/internal';
import type { CatalogCore } from '../context.js';
import { CatalogError } from '../errors.js';
import { allRead, nextProbe, openedPast, type ShiftProbe } from '../offset-recovery.js';
import type { DataStoreRecord } from './batches.js';

/** A `datastore_search` query, paged by offset (Thai catalogs run CKAN < 2.11: no keyset `next_page`). */
export interface DataStoreSearchQuery {
  /** Exact matches; a list value matches any of its items. */
  filters?: Record<string, unknown>;
  /** Full-text query: a string over all columns, or column → text. */
  q?: string | Record<string, string>;
  /** Columns to return (default all). `_id` is read all the same, to page safely, but left out of the rows. */
  fields?: string[];
  /** Default `_id`: a stable order, so offset pages neither skip nor repeat rows. */
  sort?: string;
  /** Rows asked per page; the catalog caps it (10,000 under thai_gdc, 32,000 in CKAN). Default 10,000. */
  pageSize?: number;
  /** First offset. Default 0. */
  offset?: number;
  /** Stop after this many rows. */
  limit?: number;
}

/** One page of DataStore rows. */
export interface DataStoreSearchPage {
  /**
   * The rows. A number a JavaScript number cannot hold exactly (an int8 past 2^53, a numeric with more
   * significant digits than a double keeps) comes as a string of its exact digits, as the catalog wrote it:
   * sent back (upsert, refresh, a copy) it writes the same value. Every other number is a number.
   */
  records: DataStoreRecord[];
  offset: number;
  /** Matching rows (may be estimated, see `totalWasEstimated`). */
  total: number | undefined;
  totalWasEstimated: boolean;
  /** Columns and their types (every page carries them). */
  fields: Array<{ id: string; type: string }>;
  /** The page size the catalog applied (its rows_max when the request asked for more). */
  appliedLimit: number;
}

const querySchema = z
  .object({
    filters: z.record(z.string(), z.unknown()).optional(),
    q: z.union([z.string().max(10_000), z.record(z.string(), z.string().max(10_000))]).optional(),
    fields: z.array(z.string().min(1).max(200)).max(1000).optional(),
    sort: z.string().max(1000).optional(),
    pageSize: z.number().int().min(1).max(1_000_000).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).optional(),
  })
  .strict();

const resultSchema = z
  .object({
    records: z.array(z.record(z.string(), z.unknown())).max(1_000_000),
    total: z.number().int().min(0).optional(),
    total_was_estimated: z.boolean().optional(),
    limit: z.number().int().min(0).optional(),
    fields: z
      .array(z.object({ id: z.string(), type: z.string() }).loose())
      .max(10_000)
      .default([]),
  })
  .loose();

const MAX_PAGES = 1_000_000;
/** Requests in a row that bring no row not read before (looking past deletions takes a few). */
const MAX_IDLE_PAGES = 64;

/** The `_id`s of a page when every row has one, and the last of them. */
interface PageIds {
  ids: Set<number>;
  last: number;
}

function pageIds(records: DataStoreRecord[]): PageIds | undefined {
  const ids = new Set<number>();
  let last = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    if (typeof r._id !== 'number') return undefined;
    ids.add(r._id);
    last = r._id;
  }
  return { ids, last };
}

/** False when a page brings no row past the page before: sorted by `_id`, a higher last `_id`; else a new `_id`. */
function progressed(before: PageIds | undefined, page: PageIds | undefined, byId: boolean): boolean {
  if (!before || !page || page.ids.size === 0) return true;
  if (byId) return page.last > before.last;
  for (const id of page.ids) if (!before.ids.has(id)) return true;
  return false;
}

function noProgress(offset: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_PROTOCOL',
    `datastore_search: the page at offset ${offset} brought no row past the page before it: paging stopped`,
    {
      action: 'datastore_search',
      hint: 'The catalog (or a cache in front of it) answers every offset alike.',
    },
  );
}

/** `_id`s remembered to tell rows read from rows never read under another sort (a Set of numbers: ~30 MB). */
const MAX_REMEMBERED_IDS = 1_000_000;

function changedUnderneath(offset: number): CatalogError {
  return new CatalogError(
    'ERR_CATALOG_CONFLICT',
    `datastore_search: rows before offset ${offset} were deleted or added while the table was read by a sort other than _id, past ${MAX_REMEMBERED_IDS} rows: rows may have been skipped, paging stopped`,
    {
      action: 'datastore_search',
      hint: 'Read the table again, sort by _id (rows deleted meanwhile are then handled at any size), or narrow it with filters.',
    },
  );
}

/**
 * What the reader knows of the rows delivered, to tell a row already read from one never read. Sorted by `_id`,
 * the highest `_id` is enough; under another sort (made total by `_id`), the `_id`s delivered, up to a bound.
 */
interface ReadRows {
  byId: boolean;
  /** The `_id` of the last row delivered. */
  last: number | undefined;
  /** Under another sort: the `_id`s delivered; undefined once past MAX_REMEMBERED_IDS. */
  ids: Set<number> | undefined;
}

function wasRead(read: ReadRows, id: number): boolean {
  if (read.last === undefined) return false;
  if (read.byId) return id <= read.last;
  return read.ids ? read.ids.has(id) : id === read.last;
}

function remember(read: ReadRows, ids: PageIds): void {
  read.last = ids.last;
  if (read.byId || !read.ids) return;
  for (const id of ids.ids) read.ids.add(id);
  if (read.ids.size > MAX_REMEMBERED_IDS) read.ids = undefined;
}

/** The rows of a page not delivered before (after the anchor, in a consistent order: the end of the page). */
function freshRows(records: DataStoreRecord[], read: ReadRows): DataStoreRecord[] {
  if (read.last === undefined) return records;
  return records.filter((r) => typeof r._id !== 'number' || !wasRead(read, r._id));
}

/** True when a page read from the anchor opens on a row never read (rows before it were deleted), or is empty. */
function openedPastAnchor(records: DataStoreRecord[], read: ReadRows): boolean {
  const first = records[0]?._id;
  return first === undefined || (typeof first === 'number' && !wasRead(read, first));
}

/**
 * The sort sent: the caller's, with `_id` last when it is a plain list of columns without it. PostgreSQL orders
 * ties as it likes, differently from one LIMIT/OFFSET to the next; made total, the order of the rows read stays
 * the same between requests, which anchoring on the last row read relies on.
 */
export function totalSort(sort: string | undefined): string {
  if (sort === undefined) return '_id';
  const items = sort.split(',').map((s) => s.trim());
  const plain = /^(?:"[^"]+"|[^\s"]+)(?:\s+(?:asc|desc))?$/i;
  if (!items.every((i) => plain.test(i))) return sort;
  if (items.some((i) => /^"?_id"?(?:\s|$)/i.test(i))) return sort;
  return `${sort}, _id`;
}

/** Where the next page is asked for, and what the pages so far have taught. */
interface RowCursor {
  from: number;
  origin: number;
  /** What was delivered, to tell rows read from rows never read. */
  read: ReadRows;
  /** Whether the row at `from` was read already: after a page, and while probing past the origin. */
  anchored: boolean;
  probe: ShiftProbe | undefined;
  idle: number;
}

/**
 * Pages `datastore_search` by offset, stepping by the rows each page really held and learning the catalog's
 * cap from the `limit` it reports, until a short or empty page, the total, or `limit`. Each page after the first
 * opens on the last row read (whatever the sort, made total by `_id`), so that rows deleted meanwhile (a refresh
 * removing stale rows, a datastore_delete) make none go missing (offset-recovery.ts). A page that brings no row
 * past the one before is ERR_CATALOG_PROTOCOL: the catalog is not moving on.
 */
export async function* searchRecordPages(
  core: CatalogCore,
  resourceId: string,
  query: DataStoreSearchQuery = {},
  op?: OperationOptions,
): AsyncGenerator<DataStoreSearchPage, void, undefined> {
  const q = validateOptions(querySchema, query, 'datastore.search query');
  const origin = q.offset ?? 0;
  const byId = /^\s*"?_id"?(\s+asc)?\s*$/i.test(q.sort ?? '_id');
  const read: ReadRows = { byId, last: undefined, ids: byId ? undefined : new Set() };
  const c: RowCursor = { from: origin, origin, read, anchored: false, probe: undefined, idle: 0 };
  // `_id` is asked for although the caller's columns leave it out (the anchor needs it), and left out again.
  const hideId = q.fields !== undefined && !q.fields.includes('_id');
  let delivered = 0;
  let total: number | undefined;
  let before: PageIds | undefined;
  for (let page = 0; page < MAX_PAGES; page++, c.idle++) {
    const anchored = c.anchored && read.last !== undefined;
    const want =
      q.limit === undefined ? (q.pageSize ?? 10_000) : Math.min(q.pageSize ?? 10_000, q.limit - delivered);
    const res = await recordPage(core, resourceId, q, c.from, want + (anchored ? 1 : 0), page === 0, op);
    const applied = Math.min(res.limit ?? want, want + (anchored ? 1 : 0));
    if (anchored && openedPastAnchor(res.records, read)) {
      if (!byId && !read.ids && res.records.length > 0) throw changedUnderneath(c.from);
      stepBack(c, openedPast(c.probe, c.from, origin), res.records.length || want);
      continue;
    }
    const short = res.records.length === 0 || res.records.length < applied;
    const records = freshRows(res.records, read);
    if (records.length === 0 && short) return;
    if (records.length === 0 && c.probe !== undefined) {
      stepBack(c, allRead(c.probe, c.from, res.records.length), res.records.length);
      continue;
    }
    const ids = pageIds(records);
    if (!progressed(before, ids, byId) || records.length === 0) throw noProgress(c.from);
    before = ids;
    if (ids) remember(read, ids);
    c.probe = undefined;
    c.idle = -1;
    total ??= res.total_was_estimated ? undefined : res.total;
    delivered += records.length;
    yield {
      records: hideId ? records.map(({ _id, ...rest }) => rest) : records,
      // The rows not read before are the end of the page (the anchor opens it).
      offset: c.from + res.records.length - records.length,
      total: res.total,
      totalWasEstimated: res.total_was_estimated === true,
      fields: res.fields.filter((f) => !hideId || f.id !== '_id').map((f) => ({ id: f.id, type: f.type })),
      appliedLimit: applied,
    };
    const end = c.from + res.records.length;
    if (short || (total !== undefined && end >= total)) return;
    if (q.limit !== undefined && delivered >= q.limit) return;
    c.anchored = ids !== undefined;
    c.from = c.anchored ? end - 1 : end;
  }
}

/** Moves the cursor to the next probe for the first unread row; a contradiction or too long a search stops. */
function stepBack(c: RowCursor, probe: ShiftProbe | undefined, pageLength: number): void {
  if (probe === undefined || c.idle >= MAX_IDLE_PAGES) throw noProgress(c.from);
  c.probe = probe;
  c.from = nextProbe(probe, pageLength);
  c.anchored = c.from > c.origin;
}

/** One `datastore_search` request. */
function recordPage(
  core: CatalogCore,
  resourceId: string,
  q: DataStoreSearchQuery,
  offset: number,
  limit: number,
  includeTotal: boolean,
  op: OperationOptions | undefined,
) {
  return core.action(
    'datastore_search',
    {
      resource_id: resourceId,
      filters: q.filters,
      q: q.q,
      fields: q.fields && !q.fields.includes('_id') ? [...q.fields, '_id'] : q.fields,
      sort: totalSort(q.sort),
      limit,
      offset,
      include_total: includeTotal,
      records_format: 'objects',
    },
    { read: true, schema: resultSchema, exactNumbers: true, op },
  );
}
