import { validationError } from './action-error.js';

/**
 * DataStore tables in memory, with the behaviour a client meets on CKAN's PostgreSQL backend: typed columns
 * (a wrong value fails the whole call), an `_id` column, unique keys for upsert/update, one transaction per
 * call (a failing batch changes nothing).
 */

export type Row = Record<string, unknown>;

/** A DataStore column. */
export interface Column {
  id: string;
  type: string;
}

/** A DataStore table: columns, unique key, rows by `_id`, the key index. */
export interface Table {
  fields: Column[];
  primaryKey: string[];
  rows: Map<number, Row>;
  keyIndex: Map<string, number>;
  nextId: number;
}

const TYPES = new Set([
  'text',
  'int',
  'int4',
  'int8',
  'integer',
  'bigint',
  'numeric',
  'float8',
  'bool',
  'timestamp',
  'date',
  'json',
]);

/**
 * A PostgreSQL int8 or numeric value that a JavaScript number cannot hold exactly (9007199254740993,
 * 12345678901234567890.123). PostgreSQL keeps every digit and CKAN's datastore_search writes it as a bare JSON
 * number token of that many digits: the router serialises it so (`exactJson`).
 */
export class PgExact {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): string {
    return `\u0000pg:${this.text}\u0000`;
  }
}

/** JSON text with every PgExact as the bare number token PostgreSQL writes. */
export function exactJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000pg:(-?[0-9.]+)\\u0000"/g, '$1');
}

const EXACT_INT = /^[+-]?\d{1,1000}$/;
const EXACT_NUMERIC = /^[+-]?(?:\d{1,1000}(?:\.\d{0,1000})?|\.\d{1,1000})$/;

/** The value as PostgreSQL stores it: a number when JavaScript holds it exactly, else its digits. */
function exactNumber(value: unknown, integer: boolean): number | PgExact | undefined {
  if (typeof value === 'number') return integer && !Number.isInteger(value) ? undefined : value;
  const text = String(value).trim();
  if (!(integer ? EXACT_INT : EXACT_NUMERIC).test(text)) {
    // An exponent ("1e3") is a numeric all the same; it is not an integer's spelling.
    const n = Number(text);
    return integer || text === '' || !Number.isFinite(n) ? undefined : n;
  }
  // Canonical digits: no "+", no leading zeros, no trailing fraction zeros.
  let t = text.replace(/^\+/, '').replace(/^(-?)0*(?=\d)/, '$1');
  if (t.startsWith('.') || t.startsWith('-.')) t = t.replace('.', '0.');
  if (t.includes('.')) t = t.replace(/\.?0+$/, '');
  const n = Number(t);
  if (t === '-0' || String(n) === t) return n;
  return new PgExact(t);
}

function coerce(value: unknown, type: string): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'int':
    case 'int4':
    case 'int8':
    case 'integer':
    case 'bigint': {
      const n = exactNumber(value, true);
      if (n === undefined) throw `invalid input syntax for type integer: "${String(value).slice(0, 50)}"`;
      return n;
    }
    case 'numeric': {
      const n = exactNumber(value, false);
      if (n === undefined || !Number.isFinite(Number(n)))
        throw `invalid input syntax for type numeric: "${String(value).slice(0, 50)}"`;
      return n;
    }
    case 'float8': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n)) throw `invalid input syntax for type numeric: "${String(value).slice(0, 50)}"`;
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (/^(true|t|1|yes)$/i.test(String(value))) return true;
      if (/^(false|f|0|no)$/i.test(String(value))) return false;
      throw `invalid input syntax for type boolean: "${String(value).slice(0, 50)}"`;
    case 'json':
      return value;
    case 'timestamp':
      return pgTimestamp(value, false);
    case 'date':
      return pgTimestamp(value, true);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * A PostgreSQL `timestamp` (without time zone) or `date` as CKAN's datastore_search returns it (PostgreSQL's own
 * JSON: `2024-01-01T00:00:00`, a fraction only when there is one, trailing zeros dropped). PostgreSQL ignores a
 * zone written on a `timestamp` value ("2024-01-01T00:00:00.000Z" is stored as 2024-01-01 00:00:00).
 */
function pgTimestamp(value: unknown, dateOnly: boolean): string {
  const text = value instanceof Date ? value.toISOString() : String(value).trim();
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      text,
    );
  const type = dateOnly ? 'date' : 'timestamp';
  if (!m) throw `invalid input syntax for type ${type}: "${text.slice(0, 50)}"`;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const day = new Date(Date.UTC(y as number, (mo as number) - 1, d as number));
  if (
    day.getUTCMonth() !== (mo as number) - 1 ||
    day.getUTCDate() !== d ||
    (h as number) > 23 ||
    (mi as number) > 59 ||
    (sec as number) > 59
  ) {
    throw `date/time field value out of range: "${text.slice(0, 50)}"`;
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  const date = `${m[1]}-${p2(mo as number)}-${p2(d as number)}`;
  if (dateOnly) return date;
  // Microsecond precision, rounded (a carry into the seconds is not modelled: tests do not write 0.9999995 s).
  const micros = Math.min(999_999, Math.round(Number(`0.${m[7] ?? '0'}`) * 1e6));
  const frac = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  return `${date}T${p2(h as number)}:${p2(mi as number)}:${p2(sec as number)}${frac}`;
}

const keyOf = (row: Row, pk: string[]) => JSON.stringify(pk.map((k) => row[k]));

/** Every DataStore table of the catalog, by resource id. */
export class DataStoreTables {
  readonly #tables = new Map<string, Table>();

  get(resourceId: string): Table | undefined {
    return this.#tables.get(resourceId);
  }

  drop(resourceId: string): boolean {
    return this.#tables.delete(resourceId);
  }

  /** datastore_create: a new table, or new columns on an existing one. */
  create(resourceId: string, fields: unknown, primaryKey: string[]): Table {
    if (!Array.isArray(fields)) throw validationError({ fields: ['fields must be a list'] });
    const cols: Column[] = fields.map((f, i) => {
      const c = f as { id?: unknown; type?: unknown };
      if (typeof c?.id !== 'string' || c.id === '' || c.id.startsWith('_') || c.id.length > 63) {
        throw validationError({ fields: [`"${String(c?.id ?? i)}" is not a valid field name`] });
      }
      const type = typeof c.type === 'string' ? c.type : 'text';
      if (!TYPES.has(type)) throw validationError({ fields: [`"${type}" is not a valid field type`] });
      return { id: c.id, type };
    });
    const existing = this.#tables.get(resourceId);
    if (existing) {
      for (const c of cols) if (!existing.fields.some((f) => f.id === c.id)) existing.fields.push(c);
      return existing;
    }
    for (const k of primaryKey) {
      if (!cols.some((c) => c.id === k))
        throw validationError({ primary_key: [`field "${k}" not in table`] });
    }
    const table: Table = { fields: cols, primaryKey, rows: new Map(), keyIndex: new Map(), nextId: 1 };
    this.#tables.set(resourceId, table);
    return table;
  }

  /** datastore_upsert: all rows checked first, then applied (one transaction). */
  write(table: Table, records: unknown, method: string): Row[] {
    if (!Array.isArray(records)) throw validationError({ records: ['records must be a list of dicts'] });
    if (method !== 'insert' && table.primaryKey.length === 0) {
      throw validationError({ table: ['table does not have a unique key defined'] });
    }
    const types = new Map(table.fields.map((f) => [f.id, f.type]));
    const prepared = records.map((r, i) => this.#prepare(table, types, r, i, method));
    const seen = new Set<string>();
    for (const row of prepared) {
      if (table.primaryKey.length === 0) continue;
      const key = keyOf(row, table.primaryKey);
      const exists = table.keyIndex.has(key) || (method === 'insert' && seen.has(key));
      if (method === 'insert' && exists) {
        throw validationError({
          records: [`duplicate key value violates unique constraint "${table.primaryKey.join('_')}_key"`],
        });
      }
      if (method === 'update' && !table.keyIndex.has(key) && !seen.has(key)) {
        throw validationError({ key: [`key "${key}" not found`] });
      }
      seen.add(key);
    }
    for (const row of prepared) this.#apply(table, row);
    return prepared;
  }

  #prepare(table: Table, types: Map<string, string>, record: unknown, i: number, method: string): Row {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw validationError({ records: [`row "${i + 1}" is not a json object`] });
    }
    const row: Row = {};
    const extra = Object.keys(record).filter((k) => k !== '_id' && !types.has(k));
    if (extra.length > 0)
      throw validationError({ records: [`row "${i + 1}" has extra keys "${extra.join(', ')}"`] });
    for (const [k, v] of Object.entries(record)) {
      if (k === '_id') continue;
      try {
        row[k] = coerce(v, types.get(k) as string);
      } catch (message) {
        throw validationError({ records: [String(message)] });
      }
    }
    if (method !== 'insert') {
      const missingKeys = table.primaryKey.filter((k) => row[k] === undefined || row[k] === null);
      if (missingKeys.length > 0)
        throw validationError({ key: [`fields "${missingKeys.join(', ')}" are missing but needed as key`] });
    }
    return row;
  }

  #apply(table: Table, row: Row): void {
    const key = table.primaryKey.length > 0 ? keyOf(row, table.primaryKey) : undefined;
    const existingId = key === undefined ? undefined : table.keyIndex.get(key);
    if (existingId !== undefined) {
      table.rows.set(existingId, { ...table.rows.get(existingId), ...row });
      return;
    }
    const id = table.nextId++;
    table.rows.set(id, { _id: id, ...Object.fromEntries(table.fields.map((f) => [f.id, null])), ...row });
    if (key !== undefined) table.keyIndex.set(key, id);
  }

  /** Rows matching exact filters (a list value matches any item), in `_id` order. */
  select(table: Table, filters: Record<string, unknown> | undefined): Row[] {
    const rows = [...table.rows.values()];
    if (!filters) return rows;
    const known = new Set(['_id', ...table.fields.map((f) => f.id)]);
    for (const k of Object.keys(filters))
      if (!known.has(k)) throw validationError({ filters: [`field "${k}" not in table`] });
    // PostgreSQL casts a filter value to its column's type before comparing ("007" = 7 on an int column).
    const types = new Map(table.fields.map((f) => [f.id, f.type]));
    const typed = (k: string, x: unknown) => {
      const type = types.get(k);
      if (type === undefined || x === null || x === undefined || x === '') return x;
      try {
        return coerce(x, type);
      } catch {
        return x;
      }
    };
    return rows.filter((r) =>
      Object.entries(filters).every(([k, v]) =>
        Array.isArray(v)
          ? v.some((x) => String(typed(k, x)) === String(r[k]))
          : String(typed(k, v)) === String(r[k]),
      ),
    );
  }

  delete(table: Table, filters: Record<string, unknown>): number {
    const doomed = this.select(table, filters);
    for (const r of doomed) {
      table.rows.delete(r._id as number);
      if (table.primaryKey.length > 0) table.keyIndex.delete(keyOf(r, table.primaryKey));
    }
    return doomed.length;
  }
}
