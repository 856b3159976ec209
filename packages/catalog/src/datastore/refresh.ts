import { invalidArgument } from '@thgov/core';
import type { CatalogCore } from '../context.js';
import type { DataStoreRecord } from './batches.js';
import type { CatalogDataStore } from './datastore.js';
import { type DataStoreLoadOptions, loadRecords } from './load.js';

/** Options of a refresh: the primary key, and those of a load. */
export interface DataStoreRefreshOptions extends Omit<DataStoreLoadOptions, 'method'> {
  /** The table's primary key (one column or several): how old and new rows are matched. */
  primaryKey: string | string[];
}

/** What a refresh changed. */
export interface DataStoreRefreshResult {
  /** Rows sent (inserted or overwritten). */
  upserted: number;
  /** Rows removed because their key was not in the new data. */
  deleted: number;
}

const DELETE_CHUNK = 500;

/** Key columns compared as text: the catalog returns typed values ("7" sent, 7 read back is the same row). */
function keyOf(record: DataStoreRecord, keys: string[]): string {
  return keys.map((k) => String(record[k] ?? '')).join('\u0000');
}

/**
 * Upsert-then-prune. CKAN addresses a table by its resource id, and a DataStore table cannot be renamed or
 * swapped, so "load a new table and switch" would change the id every consumer uses; truncating and reloading
 * leaves a window where readers see nothing. Upserting by key keeps every row readable throughout (old values
 * until overwritten), and stale rows go last, in bounded deletes.
 */
export async function refreshTable(
  core: CatalogCore,
  datastore: CatalogDataStore,
  resourceId: string,
  records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
  o: DataStoreRefreshOptions,
): Promise<DataStoreRefreshResult> {
  const keys = Array.isArray(o?.primaryKey) ? o.primaryKey : [o?.primaryKey];
  if (keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw invalidArgument('refresh needs the primaryKey column(s) to match old and new rows');
  }
  const fresh = new Set<string>();
  const loaded = await loadRecords(core, resourceId, records, { ...o, method: 'upsert' }, (batch) => {
    for (const r of batch.records ?? []) fresh.add(keyOf(r, keys));
  });
  const op = { abortSignal: o.abortSignal, timeoutInMs: o.timeoutInMs, requestId: o.requestId };
  const stale: DataStoreRecord[] = [];
  for await (const page of datastore.search(resourceId, { fields: keys }, op)) {
    for (const r of page.records) if (!fresh.has(keyOf(r, keys))) stale.push(r);
  }
  for (let i = 0; i < stale.length; i += keys.length === 1 ? DELETE_CHUNK : 1) {
    const chunk = stale.slice(i, i + (keys.length === 1 ? DELETE_CHUNK : 1));
    // One column: one call per chunk with a list filter (SQL IN); several: one call per row.
    const filters =
      keys.length === 1
        ? { [keys[0] as string]: chunk.map((r) => r[keys[0] as string]) }
        : Object.fromEntries(keys.map((k) => [k, chunk[0]?.[k]]));
    await datastore.delete(resourceId, { ...op, filters, force: o.force });
  }
  return { upserted: loaded.rows, deleted: stale.length };
}
