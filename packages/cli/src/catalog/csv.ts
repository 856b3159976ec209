import { createReadStream } from 'node:fs';
import { UsageError } from '../io.js';

/**
 * RFC 4180 CSV, streamed: quoted cells may hold commas, quotes ("") and line breaks. The first row names the
 * columns. Values stay text unless a column is typed int/numeric (the DataStore checks them again).
 */
export async function* csvRecords(
  file: string,
  types: ReadonlyMap<string, string> = new Map(),
): AsyncGenerator<Record<string, unknown>> {
  let header: string[] | undefined;
  for await (const row of csvRows(file)) {
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
  for await (const row of csvRows(file))
    return row.map((h, i) => (i === 0 ? h.replace(/^\ufeff/, '') : h).trim());
  throw new UsageError(`${file} is empty`);
}

async function* csvRows(file: string): AsyncGenerator<string[]> {
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let pendingQuote = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    for (const ch of chunk as string) {
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
      } else cell += ch;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    yield row;
  }
}

/** Data rows of a CSV file (for a progress total): records, not lines. */
export async function csvRowCount(file: string): Promise<number> {
  let n = -1;
  for await (const _ of csvRows(file)) n++;
  return Math.max(0, n);
}
