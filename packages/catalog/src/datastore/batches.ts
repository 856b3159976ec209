import { checkJsonText, invalidArgument } from '@thgov/core';

/**
 * One record of a DataStore table: column name → value. Written, a BigInt goes as the string of its digits (exact
 * in an int8 or numeric column) and NaN or an infinity is refused (JSON has no such number).
 */
export type DataStoreRecord = Record<string, unknown>;

/** A batch ready to send: the records' JSON, serialized once. */
export interface EncodedBatch {
  /** `[{…},{…}]` */
  json: string;
  rows: number;
  /** Set when the caller asked for the batch's keys (refresh). */
  records?: DataStoreRecord[];
}

/** Thrown by `sendable` at a NaN or an infinity, caught and explained by `nonFinite`. */
class NonFinite extends Error {}

/**
 * JSON.stringify writes NaN and ±Infinity as `null`: upserted, that NULL silently overwrites the stored value
 * (a parser's NaN for "n/a"). Refused instead, naming the record and column, never the value. A BigInt (an int8
 * or numeric column's natural JavaScript type) goes as the string of its digits, which PostgreSQL casts exactly.
 */
function sendable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFinite();
  return value;
}

/** Checks a record's own values; true when one needs `sendable` on the way out (a BigInt, a nested value). */
function checkValues(record: DataStoreRecord, index: number): boolean {
  let deep = false;
  // The own enumerable string keys, as Object.entries and JSON.stringify read them, without an array per record.
  for (const column in record) {
    if (!Object.hasOwn(record, column)) continue;
    const value = record[column];
    if (typeof value === 'number' && !Number.isFinite(value)) throw nonFiniteAt(`records.${index}.${column}`);
    if (typeof value === 'bigint' || (typeof value === 'object' && value !== null)) deep = true;
  }
  return deep;
}

const nonFiniteAt = (path: string) =>
  invalidArgument(`${path} holds NaN or an infinity, which JSON would send as null; send null explicitly`);

const throwsOnWayOut = (value: unknown): boolean => {
  try {
    JSON.stringify(value, sendable);
    return false;
  } catch {
    return true;
  }
};

/** The error for a NaN or infinity nested in a batch that starts at record `first` (found again, for its path). */
function nonFinite(records: DataStoreRecord[], first: number): Error {
  const at = Math.max(0, records.findIndex(throwsOnWayOut));
  const record = records[at] ?? {};
  const column = Object.keys(record).find((k) => throwsOnWayOut(record[k])) ?? '?';
  return nonFiniteAt(`records.${first + at}.${column}`);
}

/**
 * Accumulates records and cuts a batch at `rows` records. The batch is serialized once, as a whole (as a caller
 * of datastore_upsert would); a batch over `bytes` is halved until each half fits, which only unusually wide
 * records ever cause.
 */
class BatchBuilder {
  #records: DataStoreRecord[] = [];
  /** Whether a record of the batch holds a BigInt or a nested value (serialized through `sendable`). */
  #deep = false;
  /** Records added so far (for the position an error names). */
  #added = 0;

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
    this.#deep = checkValues(record, this.#added++) || this.#deep;
    this.#records.push(record);
    return this.#records.length >= this.rows ? this.flush() : [];
  }

  flush(): EncodedBatch[] {
    const records = this.#records;
    const deep = this.#deep;
    this.#records = [];
    this.#deep = false;
    return records.length === 0 ? [] : this.#encode(records, deep, this.#added - records.length);
  }

  #encode(records: DataStoreRecord[], deep: boolean, first: number): EncodedBatch[] {
    let json: string;
    try {
      json = deep ? JSON.stringify(records, sendable) : JSON.stringify(records);
    } catch (cause) {
      if (cause instanceof NonFinite) throw nonFinite(records, first);
      throw invalidArgument('a DataStore record cannot be sent as JSON', undefined, { cause });
    }
    // NUL and lone surrogates: refused, naming the record and column (`records.3.first_name`), never the value.
    checkJsonText(json, records, 'records');
    // UTF-8 bytes, as sent: Thai text is 3 bytes a character but 1 UTF-16 unit (json.length).
    if (Buffer.byteLength(json, 'utf8') > this.bytes && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      return [
        ...this.#encode(records.slice(0, half), deep, first),
        ...this.#encode(records.slice(half), deep, first + half),
      ];
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
  // `yield*` of the (mostly empty) list `add` returns would cost an await per record: only full batches yield.
  if (typeof (records as Iterable<DataStoreRecord>)[Symbol.iterator] === 'function') {
    for (const record of records as Iterable<DataStoreRecord>) {
      const done = builder.add(record);
      if (done.length > 0) yield* done;
    }
  } else if (typeof (records as AsyncIterable<DataStoreRecord>)[Symbol.asyncIterator] === 'function') {
    for await (const record of records as AsyncIterable<DataStoreRecord>) {
      const done = builder.add(record);
      if (done.length > 0) yield* done;
    }
  } else {
    throw invalidArgument('records must be an iterable or async iterable of objects');
  }
  yield* builder.flush();
}
