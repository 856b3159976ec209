import { invalidArgument } from '@thgov/core';

/** One record of a DataStore table: column name → value. */
export type DataStoreRecord = Record<string, unknown>;

/** A batch ready to send: the records' JSON, joined once (each record is serialized exactly once). */
export interface EncodedBatch {
  /** `[{…},{…}]` */
  json: string;
  rows: number;
  /** Set when the caller asked for the batch's keys (refresh). */
  records?: DataStoreRecord[];
}

/**
 * Cuts records into batches of at most `rows` records and about `bytes` of JSON, serializing each record once:
 * the request body is assembled from these parts, so batching costs no second JSON pass.
 */
export async function* encodeBatches(
  records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
  rows: number,
  bytes: number,
  keepRecords = false,
): AsyncGenerator<EncodedBatch> {
  let parts: string[] = [];
  let kept: DataStoreRecord[] = [];
  let size = 2;
  for await (const record of records as AsyncIterable<DataStoreRecord>) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw invalidArgument('every DataStore record must be an object of column → value');
    }
    let json: string;
    try {
      json = JSON.stringify(record);
    } catch (cause) {
      throw Object.assign(invalidArgument('a DataStore record cannot be sent as JSON'), { cause });
    }
    if (parts.length > 0 && (parts.length >= rows || size + json.length + 1 > bytes)) {
      yield { json: `[${parts.join(',')}]`, rows: parts.length, records: keepRecords ? kept : undefined };
      parts = [];
      kept = [];
      size = 2;
    }
    parts.push(json);
    if (keepRecords) kept.push(record);
    size += json.length + 1;
  }
  if (parts.length > 0)
    yield { json: `[${parts.join(',')}]`, rows: parts.length, records: keepRecords ? kept : undefined };
}
