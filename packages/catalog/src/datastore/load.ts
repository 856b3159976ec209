import { invalidArgument, type OperationOptions } from '@thgov/core';
import type { CatalogCore } from '../context.js';
import { CATALOG_DEFAULTS } from '../options.js';
import { guardCitizenIds } from '../privacy.js';
import { type DataStoreRecord, type EncodedBatch, encodeBatches } from './batches.js';

/** Progress of a DataStore load: rows the catalog has accepted so far. */
export interface DataStoreProgress {
  phase: 'datastore';
  rowsDone: number;
  batchesDone: number;
}

/** Options of a DataStore load (upsert, insert or update in batches). */
export interface DataStoreLoadOptions extends OperationOptions {
  /** upsert (needs a primary key; CKAN's default), insert, or update. Default upsert. */
  method?: 'upsert' | 'insert' | 'update';
  /** Records per call; default the client's `datastore.batchRows` (1000). */
  batchRows?: number;
  /** Largest JSON body per call, in UTF-8 bytes; default the client's `datastore.batchBytes` (8 MiB). */
  batchBytes?: number;
  onProgress?: (progress: DataStoreProgress) => void;
  /**
   * Load even if the records hold checksum-valid citizen IDs (off by default). Every batch is scanned before it is
   * sent; a load stopped by the guard keeps the batches sent before it.
   */
  allowCitizenIds?: boolean;
  /** Edit a read-only (e.g. xloader-made) table (`force`). */
  force?: boolean;
}

/** Rows and calls of a load. */
export interface DataStoreLoadResult {
  rows: number;
  batches: number;
}

const positiveInt = (v: unknown, name: string, max: number) => {
  if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max)) {
    throw invalidArgument(`${name} must be an integer from 1 to ${max}`);
  }
};

/**
 * Sends records to `datastore_upsert` batch by batch, in order (a later row with the same key must win). An
 * upsert by key can be repeated safely, so it is retried; a plain insert is not.
 */
export async function loadRecords(
  core: CatalogCore,
  resourceId: string,
  records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
  o: DataStoreLoadOptions = {},
  onBatch?: (batch: EncodedBatch) => void,
): Promise<DataStoreLoadResult> {
  if (records === null || typeof records !== 'object')
    throw invalidArgument('records must be an iterable of objects');
  positiveInt(o.batchRows, 'batchRows', 100_000);
  positiveInt(o.batchBytes, 'batchBytes', 512 * 1024 * 1024);
  const method = o.method ?? 'upsert';
  if (!['upsert', 'insert', 'update'].includes(method))
    throw invalidArgument('method must be upsert, insert or update');
  const rows = o.batchRows ?? core.options.datastore?.batchRows ?? CATALOG_DEFAULTS.batchRows;
  const bytes = o.batchBytes ?? core.options.datastore?.batchBytes ?? CATALOG_DEFAULTS.batchBytes;
  const head = `{"resource_id":${JSON.stringify(resourceId)},"method":"${method}","force":${o.force === true},"records":`;
  // batchBytes bounds the whole body (UTF-8 bytes): the records get what the envelope leaves.
  const recordBytes = Math.max(1, bytes - Buffer.byteLength(head, 'utf8') - 1);
  let done = 0;
  let batches = 0;
  for await (const batch of encodeBatches(records, rows, recordBytes, onBatch !== undefined)) {
    // Every batch: a register appended after a clean first batch leaks the same way.
    guardCitizenIds(
      batch.json,
      o.allowCitizenIds === true,
      'datastore.upsert',
      `batch ${batches + 1} of the records`,
    );
    await core.action(
      'datastore_upsert',
      {},
      {
        body: { raw: `${head}${batch.json}}`, contentType: 'application/json; charset=utf-8' },
        idempotent: method !== 'insert',
        op: o,
      },
    );
    onBatch?.(batch);
    done += batch.rows;
    batches++;
    o.onProgress?.({ phase: 'datastore', rowsDone: done, batchesDone: batches });
  }
  return { rows: done, batches };
}
