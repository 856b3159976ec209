/**
 * CKAN writes its timestamps (`metadata_modified`, `metadata_created`, a resource's `created` and
 * `last_modified`, DataStore `timestamp` values) in UTC without a zone: `2024-01-02T03:04:05.123456`. JavaScript's
 * `new Date()` reads such a string as LOCAL time, so every date-time here is read with this parser instead.
 */

const ISO =
  /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A CKAN or ISO 8601 timestamp as an instant: a zone-less date-time is UTC (as CKAN means it), one with `Z` or an
 * offset is what it says; `2024`, `2024-01` and `2024-01-02` are the start of that UTC period. Digits past the
 * millisecond are dropped. Undefined when the text is not such a timestamp or names a day that does not exist.
 */
export function parseCkanTimestamp(value: string): Date | undefined {
  if (typeof value !== 'string' || value.length > 100) return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2] ?? '1', m[3] ?? '1', m[4], m[5], m[6]].map(
    (x) => Number(x ?? 0),
  ) as [number, number, number, number, number, number];
  const ms = Number(`0.${m[7] ?? '0'}`.slice(0, 5)) * 1000;
  if (month < 1 || month > 12 || hour > 24 || minute > 59 || second > 59) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0)) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(ms)));
  if (year < 100) date.setUTCFullYear(year);
  // A day that rolled over (2024-02-30) does not exist.
  const check = new Date(Date.UTC(2000, month - 1, day));
  check.setUTCFullYear(year);
  if (check.getUTCMonth() !== month - 1) return undefined;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) as RegExpExecArray;
    const offset = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * (z[1] === '-' ? -1 : 1);
    if (Math.abs(offset) > 18 * 60) return undefined;
    date.setTime(date.getTime() - offset * 60_000);
  }
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** An instant as CKAN writes and ckanext-dcat expects it: naive UTC (`2024-01-02T03:04:05.123`, no `Z`). */
export function toCkanTimestamp(date: Date): string {
  return date.toISOString().slice(0, -1);
}
