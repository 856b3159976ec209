import { createReadStream } from 'node:fs';
import { UsageError } from '../io.js';

/** The longest header row read (characters): 1 MiB is thousands of DataStore columns of 63 characters. */
export const CSV_MAX_HEADER_CHARS = 1024 * 1024;

/**
 * The longest row read (characters). Rows are held whole: without a bound, a file that is no CSV (no line
 * break) or an unclosed quote made one row of the whole file, until memory ran out.
 */
export const CSV_MAX_ROW_CHARS = 8 * 1024 * 1024;

/** Limits of the CSV reader (tests lower them). */
export interface CsvLimits {
  /** The longest row, in characters; default `CSV_MAX_ROW_CHARS`. */
  maxRowChars?: number;
}

/**
 * RFC 4180 CSV, streamed: quoted cells may hold commas, quotes ("") and line breaks. The first row names the
 * columns. Values stay text unless a column is typed int/numeric (the DataStore checks them again).
 */
export async function* csvRecords(
  file: string,
  types: ReadonlyMap<string, string> = new Map(),
  limits: CsvLimits = {},
): AsyncGenerator<Record<string, unknown>> {
  let header: string[] | undefined;
  for await (const row of csvRows(file, limits)) {
    if (!header) {
      header = row.map((h, i) => (i === 0 ? h.replace(/^\ufeff/, '') : h).trim());
      continue;
    }
    if (row.length === 1 && row[0] === '') continue;
    // No prototype: a column named "__proto__" or "constructor" is a plain key.
    const record: Record<string, unknown> = Object.create(null);
    header.forEach((name, i) => {
      const cell = row[i] ?? '';
      const type = types.get(name);
      record[name] = cell === '' ? null : type === 'int' || type === 'numeric' ? Number(cell) : cell;
    });
    yield record;
  }
}

/** The column names of a CSV file. */
export async function csvHeader(file: string): Promise<string[]> {
  for await (const row of csvRows(file, { maxRowChars: CSV_MAX_HEADER_CHARS }))
    return row.map((h, i) => (i === 0 ? h.replace(/^\ufeff/, '') : h).trim());
  throw new UsageError(`${file} is empty`);
}

function rowTooLong(file: string, rowNumber: number, max: number): UsageError {
  // Neither the row nor its start is quoted: it may be anything (binary, personal data).
  if (rowNumber === 1)
    return new UsageError(`${file}: the header row is longer than ${max} characters: is it a CSV file?`);
  return new UsageError(`${file}: row ${rowNumber} is longer than ${max} characters (an unclosed quote?)`);
}

async function* csvRows(file: string, limits: CsvLimits = {}): AsyncGenerator<string[]> {
  const max = limits.maxRowChars ?? CSV_MAX_ROW_CHARS;
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let pendingQuote = false;
  // Rows counted from 1 (the header); characters read into the current row.
  let rowNumber = 1;
  let rowChars = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    for (const ch of chunk as string) {
      if (++rowChars > max) throw rowTooLong(file, rowNumber, max);
      if (quoted) {
        if (pendingQuote) {
          pendingQuote = false;
          if (ch === '"') {
            cell += '"';
            continue;
          }
          quoted = false;
        } else if (ch === '"') {
          pendingQuote = true;
          continue;
        } else {
          cell += ch;
          continue;
        }
      }
      if (ch === '"' && cell === '') quoted = true;
      else if (ch === ',') {
        row.push(cell);
        cell = '';
      } else if (ch === '\n') {
        row.push(cell.endsWith('\r') ? cell.slice(0, -1) : cell);
        yield row;
        row = [];
        cell = '';
        rowNumber++;
        rowChars = 0;
      } else cell += ch;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    yield row;
  }
}

/** Data rows of a CSV file (for a progress total): records, not lines. */
export async function csvRowCount(file: string, limits: CsvLimits = {}): Promise<number> {
  let n = -1;
  for await (const _ of csvRows(file, limits)) n++;
  return Math.max(0, n);
}
