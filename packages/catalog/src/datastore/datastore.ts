import { pipeline, type Readable } from 'node:stream';
import { invalidArgument, type OperationOptions } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { CatalogCore } from '../context.js';
import { resourceIdArg } from '../resources.js';
import type { DataStoreRecord } from './batches.js';
import { ExactNumberStream } from './exact-json.js';
import { type DataStoreLoadOptions, type DataStoreLoadResult, loadRecords } from './load.js';
import { type DataStoreRefreshOptions, type DataStoreRefreshResult, refreshTable } from './refresh.js';
import { type DataStoreSearchPage, type DataStoreSearchQuery, searchRecordPages } from './search.js';

/** A DataStore column: `id` and a PostgreSQL type (text, int, numeric, timestamp, …). */
export interface DataStoreField {
  id: string;
  type?: string;
  info?: Record<string, unknown>;
}

/** Where `datastore.create` puts the table: an existing resource, or a new resource of a dataset. */
export type DataStoreTarget =
  | string
  | {
      packageId: string;
      name: string;
      description?: string;
      format?: string;
      metadata?: Record<string, unknown>;
    };

/** The table to create: columns, key, indexes, and the records to load. */
export interface DataStoreCreateInput {
  fields: DataStoreField[];
  primaryKey?: string | string[];
  indexes?: string[];
  /** Records to load after the table exists (in batches, with progress). */
  records?: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>;
}

/** The table's resource id and what was loaded. */
export interface DataStoreCreateResult extends DataStoreLoadResult {
  resourceId: string;
}

/** `export()` formats of CKAN's `/datastore/dump/{id}`. */
export type DataStoreExportFormat = 'csv' | 'tsv' | 'json' | 'xml';

const createResult = z.object({ resource_id: z.string().min(1).max(200) }).loose();
const FIELD_ID = /^[^"\0]{1,63}$/;

function keysOf(primaryKey: string | string[] | undefined): string[] {
  return primaryKey === undefined ? [] : Array.isArray(primaryKey) ? primaryKey : [primaryKey];
}

/**
 * The DataStore of a catalog (CKAN's ckanext-datastore): tables behind resources, loaded in batches, read page
 * by page, exported as a stream, refreshed without a moment where readers see an empty table.
 *
 * @example
 * ```ts
 * await catalog.datastore.upsert(resourceId, rows, { batchRows: 1000, onProgress: (p) => log(p.rowsDone) });
 * for await (const page of catalog.datastore.search(resourceId)) handle(page.records);
 * ```
 */
export class CatalogDataStore {
  readonly #core: CatalogCore;

  /** @internal Made by CatalogClient. */
  constructor(core: CatalogCore) {
    this.#core = core;
  }

  /**
   * Creates the table (`datastore_create`) and loads `records` in batches. An existing uploaded resource is
   * read-only to the DataStore in CKAN: pass `force: true` to load it.
   */
  async create(
    target: DataStoreTarget,
    input: DataStoreCreateInput,
    o: DataStoreLoadOptions = {},
  ): Promise<DataStoreCreateResult> {
    if (
      typeof input !== 'object' ||
      input === null ||
      !Array.isArray(input.fields) ||
      input.fields.length === 0
    ) {
      throw invalidArgument('fields must be a non-empty list of { id, type }');
    }
    for (const f of input.fields) {
      if (typeof f?.id !== 'string' || !FIELD_ID.test(f.id))
        throw invalidArgument('every field needs an id (1–63 characters)');
    }
    const params: Record<string, unknown> = {
      fields: input.fields,
      primary_key: keysOf(input.primaryKey),
      indexes: input.indexes,
      force: o.force === true,
    };
    if (typeof target === 'string') params.resource_id = resourceIdArg(target);
    else {
      const { packageId, name, description, format, metadata } = target;
      params.resource = { ...(metadata ?? {}), package_id: packageId, name, description, format };
    }
    const created = await this.#core.action('datastore_create', params, { schema: createResult, op: o });
    const loaded = input.records
      ? await loadRecords(this.#core, created.resource_id, input.records, {
          ...o,
          method: o.method ?? (keysOf(input.primaryKey).length > 0 ? 'upsert' : 'insert'),
        })
      : { rows: 0, batches: 0 };
    return { resourceId: created.resource_id, ...loaded };
  }

  /** Sends records with `datastore_upsert` in batches (upsert by default: needs a primary key). */
  async upsert(
    resourceId: string,
    records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
    o?: DataStoreLoadOptions,
  ): Promise<DataStoreLoadResult> {
    return loadRecords(this.#core, resourceIdArg(resourceId), records, o);
  }

  /** Rows page by page (`for await (const page of catalog.datastore.search(id))`). */
  search(
    resourceId: string,
    query?: DataStoreSearchQuery,
    op?: OperationOptions,
  ): AsyncGenerator<DataStoreSearchPage> {
    return searchRecordPages(this.#core, resourceIdArg(resourceId), query, op);
  }

  /** Columns and row count (`datastore_info`, which takes `id`, not `resource_id`). */
  async info(resourceId: string, op?: OperationOptions): Promise<Record<string, unknown>> {
    return this.#core.action('datastore_info', { id: resourceIdArg(resourceId) }, { read: true, op });
  }

  /** Deletes matching rows, or the whole table without `filters`. */
  async delete(
    resourceId: string,
    o: OperationOptions & { filters?: Record<string, unknown>; force?: boolean } = {},
  ) {
    await this.#core.action(
      'datastore_delete',
      { resource_id: resourceIdArg(resourceId), filters: o.filters, force: o.force === true },
      { idempotent: true, op: o },
    );
  }

  /**
   * The whole table as a stream (`/datastore/dump/{id}`): CSV, TSV, JSON or XML, never held in memory. In JSON,
   * an int8 or numeric value a JavaScript number cannot hold exactly comes as a string of its exact digits (as in
   * search()): the dump writes them as bare number tokens, which JSON.parse would round without a word.
   */
  async export(
    resourceId: string,
    o: OperationOptions & { format?: DataStoreExportFormat; bom?: boolean } = {},
  ): Promise<Readable> {
    const format = o.format ?? 'csv';
    if (!['csv', 'tsv', 'json', 'xml'].includes(format))
      throw invalidArgument('format must be csv, tsv, json or xml');
    const res = await this.#core.get<Readable>(
      `/datastore/dump/${encodeURIComponent(resourceIdArg(resourceId))}`,
      { format, bom: o.bom ? 'true' : undefined },
      'stream',
      'datastore.export',
      o,
    );
    if (format !== 'json') return res.body;
    // A failure of either side ends the other; the error reaches the caller through the stream returned.
    return pipeline(res.body, new ExactNumberStream(), () => {});
  }

  /**
   * Replaces the table's rows with `records` so that readers never see it empty: upsert every record by the
   * primary key (old rows are overwritten in place, new ones added), then delete the rows whose key was not sent.
   * See docs/guides/catalog.md for why this beats "load a new table, then swap" on CKAN.
   */
  async refresh(
    resourceId: string,
    records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
    o: DataStoreRefreshOptions,
  ): Promise<DataStoreRefreshResult> {
    return refreshTable(this.#core, this, resourceIdArg(resourceId), records, o);
  }
}
