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

/** Accumulates serialized records and cuts a batch at `rows` records or about `bytes` of JSON. */
class BatchBuilder {
  #parts: string[] = [];
  #kept: DataStoreRecord[] = [];
  #size = 2;

  constructor(
    private readonly rows: number,
    private readonly bytes: number,
    private readonly keep: boolean,
  ) {}

  /** Adds a record; returns the batch it completed, if adding it had to cut one first. */
  add(record: DataStoreRecord): EncodedBatch | undefined {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw invalidArgument('every DataStore record must be an object of column → value');
    }
    let json: string;
    try {
      json = JSON.stringify(record);
    } catch (cause) {
      throw Object.assign(invalidArgument('a DataStore record cannot be sent as JSON'), { cause });
    }
    const full =
      this.#parts.length > 0 &&
      (this.#parts.length >= this.rows || this.#size + json.length + 1 > this.bytes);
    const done = full ? this.flush() : undefined;
    this.#parts.push(json);
    if (this.keep) this.#kept.push(record);
    this.#size += json.length + 1;
    return done;
  }

  flush(): EncodedBatch | undefined {
    if (this.#parts.length === 0) return undefined;
    const batch = {
      json: `[${this.#parts.join(',')}]`,
      rows: this.#parts.length,
      records: this.keep ? this.#kept : undefined,
    };
    this.#parts = [];
    this.#kept = [];
    this.#size = 2;
    return batch;
  }
}

/**
 * Cuts records into batches of at most `rows` records and about `bytes` of JSON, serializing each record once:
 * the request body is assembled from these parts, so batching costs no second JSON pass. A synchronous iterable
 * is read synchronously (an `await` per record would cost more than the serialization).
 */
export async function* encodeBatches(
  records: Iterable<DataStoreRecord> | AsyncIterable<DataStoreRecord>,
  rows: number,
  bytes: number,
  keepRecords = false,
): AsyncGenerator<EncodedBatch> {
  const builder = new BatchBuilder(rows, bytes, keepRecords);
  if (typeof (records as Iterable<DataStoreRecord>)[Symbol.iterator] === 'function') {
    for (const record of records as Iterable<DataStoreRecord>) {
      const batch = builder.add(record);
      if (batch) yield batch;
    }
  } else if (typeof (records as AsyncIterable<DataStoreRecord>)[Symbol.asyncIterator] === 'function') {
    for await (const record of records as AsyncIterable<DataStoreRecord>) {
      const batch = builder.add(record);
      if (batch) yield batch;
    }
  } else {
    throw invalidArgument('records must be an iterable or async iterable of objects');
  }
  const last = builder.flush();
  if (last) yield last;
}
