import { redactPreview } from '@thgov/core';
import { ecmsError } from '../errors.js';
import { isCalendarDate } from '../model.js';

/**
 * Dates as agencies write them, and the one rule that reads them.
 *
 * Accepted forms (surrounding white space ignored):
 * - ISO: `2026-11-27`, optionally followed by `T` or a space and `HH:mm`, `HH:mm:ss` or `HH:mm:ss.fff`,
 *   optionally followed by `Z` or an offset `±HH:mm` / `±HHmm`; a date alone may carry one too (xs:date,
 *   `2026-11-27+07:00`), which is checked and leaves the date as written.
 * - Day first, Thai style: `27/11/2569` or `7/1/2569` (day/month/year, `/` only), optionally followed by a
 *   space and `HH:mm` or `HH:mm:ss` (and an optional `น.`). Never month first.
 *
 * Year rule: a four-digit year of 2400 or more is a Buddhist-era year and becomes year − 543; a smaller one is
 * Gregorian. The resulting Gregorian year must lie between 1800 and 2399, so an overflowing or mistyped year is
 * refused instead of being read as a far-away date. Two-digit years are ambiguous and refused.
 *
 * A date-only field written with a time and an offset is the calendar date in Thailand (UTC+7) at that
 * instant, not the date in the writer's zone. Times without an offset are Thailand local time.
 * Anything else (31/02, 2569-13-01, 11/27/2569, 27/11/69, text longer than 64 characters…) is a typed
 * ERR_ECMS_MESSAGE; nothing is guessed.
 */
export interface AgencyDate {
  /** Gregorian calendar date, yyyy-MM-dd. */
  date: string;
  /** `HH:mm:ss[.fff]` when the text has a time. */
  time?: string;
  /** `Z` or `±HH:mm` when the text has an offset. */
  offset?: string;
}

const MAX_DATE_TEXT = 64;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?|(Z|[+-]\d{2}:?\d{2}))?$/;
const DAY_FIRST = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*น\.?)?)?$/;
const TWO_DIGIT_YEAR = /^\d{1,2}\/\d{1,2}\/\d{2}(?:\s|$)/;

export const BUDDHIST_ERA_OFFSET = 543;
const BE_FROM = 2400;

function bad(text: string, where: string, why: string): never {
  throw ecmsError('ERR_ECMS_MESSAGE', `${where}: "${redactPreview(text, 40)}" ${why}`);
}

/** `Z` or `±HH:mm` from `Z`, `±HH:mm` or `±HHmm`; throws for an offset beyond ±14:59. */
function checkOffset(offset: string, v: string, where: string): string {
  if (offset === 'Z') return offset;
  const om = /^([+-])(\d{2}):?(\d{2})$/.exec(offset) as RegExpExecArray;
  if (Number(om[2]) > 14 || Number(om[3]) > 59) bad(v, where, 'has an invalid UTC offset');
  return `${om[1]}${om[2]}:${om[3]}`;
}

/** Reads a date (optionally with time) as agencies write it; see the module comment for the rule. */
export function parseAgencyDate(text: string, where: string): AgencyDate {
  const v = text.trim();
  if (v.length > MAX_DATE_TEXT) {
    // No preview: cutting a long text could split personal data that redaction would then miss.
    throw ecmsError(
      'ERR_ECMS_MESSAGE',
      `${where}: a date of ${v.length} characters is not a date (too long)`,
    );
  }
  let parts: (string | undefined)[];
  const iso = ISO.exec(v);
  const dayFirst = iso ? null : DAY_FIRST.exec(v);
  if (iso) {
    const [, y, mo, d, hh, mi, ss, frac, off, dateZone] = iso;
    parts = [y, mo, d, hh, mi, ss, frac, off];
    // xs:date with a zone (`2026-11-27+07:00`, `2026-11-27Z`, as Java and .NET serialisers write it): the
    // zone is checked, and the date is the date as written (a day, not an instant).
    if (dateZone !== undefined) checkOffset(dateZone, v, where);
  } else if (dayFirst) {
    const [, d, mo, y, hh, mi, ss] = dayFirst;
    parts = [y, mo, d, hh, mi, ss, undefined, undefined];
  } else if (TWO_DIGIT_YEAR.test(v)) {
    bad(v, where, 'is not a date: a two-digit year is ambiguous');
  } else {
    bad(v, where, 'is not a date (yyyy-MM-dd or d/M/yyyy)');
  }
  const [y = '', mo = '', d = '', hh, mi, ss, frac] = parts;
  const offset = parts[7];
  let year = Number(y);
  if (year >= BE_FROM) year -= BUDDHIST_ERA_OFFSET;
  if (year < 1800 || year > 2399) bad(v, where, 'is not a date: the year is out of range');
  const date = `${String(year)}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (!isCalendarDate(date)) bad(v, where, 'is not a calendar date');
  const out: AgencyDate = { date };
  if (hh !== undefined && mi !== undefined) {
    const h = Number(hh);
    const m = Number(mi);
    const s = Number(ss ?? '0');
    if (h > 23 || m > 59 || s > 59) bad(v, where, 'is not a valid time of day');
    out.time = `${hh.padStart(2, '0')}:${mi}:${ss ?? '00'}${ss !== undefined ? (frac ?? '') : ''}`;
  }
  if (offset !== undefined) {
    out.offset = checkOffset(offset, v, where);
  }
  return out;
}

/** The instant of a parsed date-time (Thailand local time, UTC+7, when it has no offset). */
export function agencyInstant(p: AgencyDate): Date {
  return new Date(`${p.date}T${p.time ?? '00:00:00'}${p.offset ?? '+07:00'}`);
}

/** A date-only field: the calendar date (in Thailand, when the text carries a time with an offset). */
export function agencyDateOnly(text: string, where: string): string {
  const p = parseAgencyDate(text, where);
  if (p.time === undefined || p.offset === undefined) return p.date;
  const local = new Date(agencyInstant(p).getTime() + 7 * 3_600_000);
  if (Number.isNaN(local.getTime())) bad(text, where, 'is not a date');
  return local.toISOString().slice(0, 10);
}

/** A date-or-date-time field, normalised to `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss[.fff][offset]`. */
export function agencyDateOrDateTime(text: string, where: string): string {
  const p = parseAgencyDate(text, where);
  return p.time === undefined ? p.date : `${p.date}T${p.time}${p.offset ?? ''}`;
}
