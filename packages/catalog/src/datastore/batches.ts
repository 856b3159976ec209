import { checkJsonText, invalidArgument } from '@thgov/core';

/** One record of a DataStore table: column name → value. */
export type DataStoreRecord = Record<string, unknown>;

/** A batch ready to send: the records' JSON, serialized once. */
export interface EncodedBatch {
  /** `[{…},{…}]` */
  json: string;
  rows: number;
  /** Set when the caller asked for the batch's keys (refresh). */
  records?: DataStoreRecord[];
}

/**
 * Accumulates records and cuts a batch at `rows` records. The batch is serialized once, as a whole (as a caller
 * of datastore_upsert would); a batch over `bytes` is halved until each half fits, which only unusually wide
 * records ever cause.
 */
class BatchBuilder {
  #records: DataStoreRecord[] = [];

  constructor(
    private readonly rows: number,
    private readonly bytes: number,
    private readonly keep: boolean,
  ) {}

  /** Adds a record; returns the batches it completed. */
  add(record: DataStoreRecord): EncodedBatch[] {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw invalidArgument('every DataStore record must be an object of column → value');
    }
    this.#records.push(record);
    return this.#records.length >= this.rows ? this.flush() : [];
  }

  flush(): EncodedBatch[] {
    const records = this.#records;
    this.#records = [];
    return records.length === 0 ? [] : this.#encode(records);
  }

  #encode(records: DataStoreRecord[]): EncodedBatch[] {
    let json: string;
    try {
      json = JSON.stringify(records);
    } catch (cause) {
      throw invalidArgument('a DataStore record cannot be sent as JSON', undefined, { cause });
    }
    // NUL and lone surrogates: refused, naming the record and column (`records.3.first_name`), never the value.
    checkJsonText(json, records, 'records');
    // UTF-8 bytes, as sent: Thai text is 3 bytes a character but 1 UTF-16 unit (json.length).
    if (Buffer.byteLength(json, 'utf8') > this.bytes && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      return [...this.#encode(records.slice(0, half)), ...this.#encode(records.slice(half))];
    }
    return [{ json, rows: records.length, records: this.keep ? records : undefined }];
  }
}

/**
 * Cuts records into batches of at most `rows` records and at most `bytes` bytes of UTF-8 JSON (unless one record
 * alone is larger). A synchronous iterable is read synchronously (an `await` per record would cost more than the
 * serialization).
 */
export async function* encodeBatches(
  records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
  rows: number,
  bytes: number,
  keepRecords = false,
): AsyncGenerator<EncodedBatch> {
  const builder = new BatchBuilder(rows, bytes, keepRecords);
  if (typeof (records as Iterable<DataStoreRecord>)[Symbol.iterator] === 'function') {
    for (const record of records as Iterable<DataStoreRecord>) yield* builder.add(record);
  } else if (typeof (records as AsyncIterable<DataStoreRecord>)[Symbol.asyncIterator] === 'function') {
    for await (const record of records as AsyncIterable<DataStoreRecord>) yield* builder.add(record);
  } else {
    throw invalidArgument('records must be an iterable or async iterable of objects');
  }
  yield* builder.flush();
}
