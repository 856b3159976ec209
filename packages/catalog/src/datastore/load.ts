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

/** A batch ready to send: checked by the guard, its body as UTF-8 bytes. */
interface ReadyBatch {
  batch: EncodedBatch;
  body: Uint8Array;
}

/**
 * The next batch, scanned for citizen IDs and encoded once. The body is made of JSON.stringify's output, which is
 * well formed (a lone surrogate is written as an escape, which encodeBatches refuses), so it goes as bytes: a
 * string body would be checked for lone surrogates again and encoded again as it is written to the socket.
 */
async function nextBatch(
  batchesOf: AsyncIterator<EncodedBatch>,
  head: string,
  allow: boolean,
  n: number,
): Promise<ReadyBatch | undefined> {
  const next = await batchesOf.next();
  if (next.done === true) return undefined;
  const batch = next.value;
  // Every batch: a register appended after a clean first batch leaks the same way.
  guardCitizenIds(batch.json, allow, 'datastore.upsert', `batch ${n} of the records`);
  return { batch, body: Buffer.from(`${head}${batch.json}}`, 'utf8') };
}

/** Lets the request just made reach the socket before the next batch's synchronous work starts. */
const afterSend = () => new Promise<void>((resolve) => setImmediate(resolve));

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects (its failure is raised later, in order, by `unwrap`). */
function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

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
  const allow = o.allowCitizenIds === true;
  const idempotent = method !== 'insert';
  const batchesOf = encodeBatches(records, rows, recordBytes, onBatch !== undefined)[Symbol.asyncIterator]();
  let done = 0;
  let batches = 0;
  try {
    let next = await nextBatch(batchesOf, head, allow, 1);
    while (next !== undefined) {
      const { batch, body } = next;
      const sent = core.action(
        'datastore_upsert',
        {},
        { body: { raw: body, contentType: 'application/json; charset=utf-8' }, idempotent, op: o },
      );
      // The next batch is read, encoded and scanned while this one is on its way; it is sent only after this one
      // is accepted, and its failure (the guard, the caller's records) is raised only then, as before.
      const following = settled(afterSend().then(() => nextBatch(batchesOf, head, allow, batches + 2)));
      try {
        await sent;
      } catch (err) {
        await following;
        throw err;
      }
      onBatch?.(batch);
      done += batch.rows;
      batches++;
      o.onProgress?.({ phase: 'datastore', rowsDone: done, batchesDone: batches });
      next = unwrap(await following);
    }
  } finally {
    // As a for-await loop does: the caller's records are closed when the load stops early.
    await batchesOf.return?.(undefined);
  }
  return { rows: done, batches };
}
