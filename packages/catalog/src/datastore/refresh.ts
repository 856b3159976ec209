import { invalidArgument } from '@thgov/core';
import type { CatalogCore } from '../context.js';
import { CatalogError } from '../errors.js';
import { parseCkanTimestamp } from '../timestamps.js';
import type { DataStoreRecord } from './batches.js';
import type { CatalogDataStore } from './datastore.js';
import { canonicalDecimal } from './exact-json.js';
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

const INT_TYPES = new Set([
  'int',
  'int2',
  'int4',
  'int8',
  'integer',
  'smallint',
  'bigint',
  'serial',
  'bigserial',
]);
const DECIMAL_TYPES = new Set([
  'numeric',
  'decimal',
  'float',
  'float4',
  'float8',
  'real',
  'double precision',
]);

/**
 * A `timestamp` (PostgreSQL ignores a zone written on one) as `YYYY-MM-DDTHH:MM:SS[.ffffff]`, microseconds
 * without trailing zeros; a `date` as `YYYY-MM-DD`; a `timestamptz` as its UTC instant.
 */
function canonicalTime(v: unknown, type: string): string | undefined {
  const text = v instanceof Date ? v.toISOString() : String(v).trim();
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      text,
    );
  if (!m) return undefined;
  const p2 = (x: string | undefined) => (x ?? '0').padStart(2, '0');
  const date = `${m[1]}-${p2(m[2])}-${p2(m[3])}`;
  if (type === 'date') return date;
  const micros = Math.min(999_999, Math.round(Number(`0.${m[7] ?? '0'}`) * 1e6));
  const frac = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  const local = `${date}T${p2(m[4])}:${p2(m[5])}:${p2(m[6])}${frac}`;
  if (type !== 'timestamptz' && type !== 'timestamp with time zone') return local;
  const instant = parseCkanTimestamp(text);
  return instant === undefined ? local : `${instant.toISOString().slice(0, 19)}${frac}Z`;
}

/**
 * One key value as the DataStore holds it, by the column's type: CKAN reads keys back typed and normalised
 * (`"007"` in an int column is 7, `2024-01-01` in a timestamp column is `2024-01-01T00:00:00`), so a key is
 * compared in that form on both sides. A value the type cannot read stays as sent (the upsert would have failed).
 */
export function canonicalKey(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined || value === '') return '\u0001null';
  const t = (type ?? 'text').toLowerCase();
  let out: string | undefined;
  if (INT_TYPES.has(t) || DECIMAL_TYPES.has(t)) out = canonicalDecimal(value);
  else if (t === 'timestamp' || t === 'timestamptz' || t.startsWith('timestamp ') || t === 'date')
    out = canonicalTime(value, t);
  else if (t === 'bool' || t === 'boolean') {
    const s = String(value).trim().toLowerCase();
    out = ['t', 'true', 'y', 'yes', 'on', '1'].includes(s)
      ? 'true'
      : ['f', 'false', 'n', 'no', 'off', '0'].includes(s)
        ? 'false'
        : undefined;
  }
  if (out !== undefined) return out;
  return typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : String(value);
}

function keyOf(record: DataStoreRecord, keys: string[], types: Map<string, string>): string {
  return keys.map((k) => canonicalKey(record[k], types.get(k))).join('\u0000');
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
  // The sent keys, kept raw until the table's column types are known (the first page of the read-back).
  const sent: unknown[][] = [];
  const loaded = await loadRecords(core, resourceId, records, { ...o, method: 'upsert' }, (batch) => {
    for (const r of batch.records ?? []) sent.push(keys.map((k) => r[k]));
  });
  const op = { abortSignal: o.abortSignal, timeoutInMs: o.timeoutInMs, requestId: o.requestId };
  const stale: DataStoreRecord[] = [];
  let fresh: Set<string> | undefined;
  const found = new Set<string>();
  let types = new Map<string, string>();
  for await (const page of datastore.search(resourceId, { fields: keys }, op)) {
    if (fresh === undefined) {
      types = new Map(page.fields.map((f) => [f.id, f.type]));
      fresh = new Set(
        sent.map((values) => keyOf(Object.fromEntries(keys.map((k, i) => [k, values[i]])), keys, types)),
      );
      sent.length = 0;
    }
    for (const r of page.records) {
      const key = keyOf(r, keys, types);
      if (fresh.has(key)) found.add(key);
      else stale.push(r);
    }
  }
  // Every row just upserted must be among the rows read back; if one is not, the keys did not compare (a column
  // type this client cannot normalise) or the table changed meanwhile: delete nothing rather than fresh rows.
  if (fresh !== undefined && found.size < fresh.size) {
    throw new CatalogError(
      'ERR_CATALOG_PROTOCOL',
      `refresh: ${fresh.size - found.size} of the ${fresh.size} keys just upserted were not found when the table was read back; nothing was deleted`,
      {
        action: 'datastore.refresh',
        hint: 'Check the primary key columns and their types; the upserted rows are in place, stale rows remain.',
      },
    );
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
