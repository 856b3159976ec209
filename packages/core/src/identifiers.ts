import { invalidArgument } from './errors.js';
import { lazyRegExp } from './lazy-regexp.js';
import { z } from './lazy-zod.js';
import { isValidThaiIdDigits, thaiIdCheckDigit } from './thai-id-checksum.js';

export { thaiIdCheckDigit };

/**
 * What people, forms and word processors put between the groups of an ID (1-2345-67890-12-1): spaces, tabs and line
 * breaks, any dash (hyphen, en dash, minus sign, non-breaking hyphen...) and the invisible format characters
 * (zero-width space and joiners, soft hyphen, word joiner, byte-order mark). It is the set of separators the redactor
 * reads between digit groups (redact/spelling.ts), with the same limit of three visible ones per gap: an ID this
 * module accepts is one redaction masks, so a field validated here is never logged in clear.
 */
const INVISIBLE = '\\u00AD\\u200B-\\u200D\\u2060\\uFEFF';
const VISIBLE = '\\p{Zs}\\p{Pd}\\t\\r\\n\\u2212';
const ID_SEPARATORS = lazyRegExp(`[${VISIBLE}${INVISIBLE}]`, 'gu');
/** Four or more visible separators between two digits: more than the redactor reads as one ID. */
const LONG_GAP = lazyRegExp(`\\p{Nd}[${INVISIBLE}]*(?:[${VISIBLE}][${INVISIBLE}]*){4,}\\p{Nd}`, 'u');
const NON_ASCII_DIGIT = /[^\P{Nd}0-9]/gu;
const DECIMAL_DIGIT = lazyRegExp(String.raw`\p{Nd}`, 'u');

/**
 * An ID as ASCII digits without separators, whatever decimal digits it is written in (Thai ๑๒๓ as Thai forms
 * print them, full-width ０１２ from East Asian input methods, any Unicode decimal digit). Other characters stay,
 * so anything but 13 digits still fails the check that follows.
 */
function normalizeIdInput(value: string): string {
  // Around the ID any white space goes (a padded form field); inside, only the separators above.
  const v = value.trim();
  if (LONG_GAP().test(v)) return v;
  return v.replace(ID_SEPARATORS(), '').replace(NON_ASCII_DIGIT, asciiDigit);
}

/**
 * The ASCII spelling of a decimal digit (Unicode category Nd). Those come in runs of ten code points, 0 to 9
 * in order (a Unicode stability policy), so its value is its distance from the start of its run, modulo ten
 * (two runs stand back to back in the mathematical alphanumerics).
 */
function asciiDigit(digit: string): string {
  const codePoint = digit.codePointAt(0) ?? 0;
  let before = 0;
  while (before < 50 && DECIMAL_DIGIT().test(String.fromCodePoint(codePoint - before - 1))) before++;
  return String(before % 10);
}

/**
 * True when `value` is a 13-digit Thai citizen ID with a correct check digit. Citizen IDs start with
 * 1–8 (the person's registration category); 0 is used by juristic persons, 9 is not issued. The digits may
 * be Thai (๑๒๓), full-width or any Unicode decimal digits, grouped by spaces, tabs, line breaks, any dash or
 * invisible separators (at most three visible ones between two groups, as the redactor reads an ID); `parseCitizenId`
 * gives the plain 13 ASCII digits.
 */
export function isCitizenId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const d = normalizeIdInput(value);
  return isValidThaiIdDigits(d) && d[0] !== '0' && d[0] !== '9';
}

/** True when `value` is a 13-digit juristic-person ID (DBD) with a correct check digit (first digit 0). */
export function isJuristicId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const d = normalizeIdInput(value);
  return isValidThaiIdDigits(d) && d[0] === '0';
}

/**
 * The 13 ASCII digits of a citizen ID in any spelling `isCitizenId` accepts; throws a TypeError with code
 * ERR_THAI_ID (value never echoed).
 */
export function parseCitizenId(value: unknown): string {
  if (!isCitizenId(value)) {
    throw invalidArgument('Expected a 13-digit Thai citizen ID with a valid check digit', 'ERR_THAI_ID');
  }
  return normalizeIdInput(value);
}

/** Returns the 13 ASCII digits of a juristic-person ID (any digits, separators removed), or throws `ERR_THAI_ID`. */
export function parseJuristicId(value: unknown): string {
  if (!isJuristicId(value)) {
    throw invalidArgument('Expected a 13-digit juristic-person ID with a valid check digit', 'ERR_THAI_ID');
  }
  return normalizeIdInput(value);
}

/** Formats 13 digits the way they are printed on the card: 1-2345-67890-12-1. */
export function formatThaiId(value: string): string {
  const d = normalizeIdInput(value);
  if (!/^\d{13}$/.test(d)) throw invalidArgument('Expected 13 digits', 'ERR_THAI_ID');
  return `${d[0]}-${d.slice(1, 5)}-${d.slice(5, 10)}-${d.slice(10, 12)}-${d[12]}`;
}

/** Builds a valid ID from its first 12 digits (used by the sandbox to make synthetic people). */
export function completeThaiId(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw invalidArgument('Expected 12 digits', 'ERR_THAI_ID');
  return first12 + String(thaiIdCheckDigit(first12));
}

/** zod schema of a 13-digit citizen ID with a valid check digit (any digits and separators, normalised to ASCII digits). */
export const citizenIdSchema = z
  .string()
  .transform(normalizeIdInput)
  .refine((v) => isCitizenId(v), { message: 'Invalid Thai citizen ID (13 digits, mod-11 check digit)' });

/** zod schema of a 13-digit juristic-person ID with a valid check digit. */
export const juristicIdSchema = z
  .string()
  .transform(normalizeIdInput)
  .refine((v) => isJuristicId(v), { message: 'Invalid juristic-person ID (13 digits, mod-11 check digit)' });

// ---------------------------------------------------------------------------------------------------
// Laser code: printed on the back of the smart ID card, two Latin letters and ten digits (JT9-9999999-99).

// Checked before upper-casing: Unicode upper-cases the ligature ﬀ to "FF", the long s ſ to "S", the dotless ı to "I".
const LASER_CODE = /^[A-Za-z]{2}\d{10}$/;

/** Two capital letters and ten digits when `value` is a laser code (dashes and spaces ignored), else undefined. */
function laserCodeOf(value: string): string | undefined {
  const v = value.replace(/[-\s]/g, '');
  return LASER_CODE.test(v) ? v.toUpperCase() : undefined;
}

/** True for a laser code: two Latin letters and ten digits, dashes and spaces ignored. */
export function isLaserCode(value: unknown): value is string {
  return typeof value === 'string' && laserCodeOf(value) !== undefined;
}

/** Returns a laser code normalised to two capital letters and ten digits, or throws `ERR_LASER_CODE`. */
export function parseLaserCode(value: unknown): string {
  const code = typeof value === 'string' ? laserCodeOf(value) : undefined;
  if (code === undefined) {
    throw invalidArgument(
      'Expected a laser code of two letters and ten digits (e.g. JT9-9999999-99)',
      'ERR_LASER_CODE',
    );
  }
  return code;
}

/** zod schema of an ID card's laser code: two letters and ten digits, normalised to `JT9999999999`. */
export const laserCodeSchema = z
  .string()
  .transform((v) => laserCodeOf(v) ?? v)
  .refine((v) => isLaserCode(v), { message: 'Invalid laser code (two letters and ten digits)' });

// ---------------------------------------------------------------------------------------------------
// Buddhist-era dates as DOPA writes them: YYYYMMDD in the BE calendar (Gregorian + 543), with 00 for an
// unknown month or day (and 0000 or a bare 0 for a wholly unknown date). Many older records only know the year.

/** Years between the Buddhist and the common era (2569 BE = 2026 CE). */
export const BE_OFFSET = 543;

/** A Buddhist-era date as the civil registry keeps it: month and day may be unknown. */
export interface BeDate {
  /** Buddhist-era year, or undefined when unknown. */
  yearBe: number | undefined;
  /** 1–12, or undefined when unknown. */
  month: number | undefined;
  /** 1–31, or undefined when unknown. */
  day: number | undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of a Gregorian year, as `Date` counts them (without making one per call). */
export function daysInMonth(yearCe: number, month: number): number {
  if (month === 2 && yearCe % 4 === 0 && (yearCe % 100 !== 0 || yearCe % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}

/** Parses `YYYYMMDD` (BE) with 0 for unknown parts. Throws ERR_BE_DATE on anything else. */
export function parseBeDate(value: unknown): BeDate {
  if (typeof value === 'number' && Number.isInteger(value)) value = value === 0 ? '0' : String(value);
  if (typeof value !== 'string') throw invalidArgument('Expected a BE date string YYYYMMDD', 'ERR_BE_DATE');
  const v = value.trim();
  if (v === '0' || v === '00000000') return { yearBe: undefined, month: undefined, day: undefined };
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m)
    throw invalidArgument(
      'Expected a BE date as YYYYMMDD (use 00 for an unknown month or day)',
      'ERR_BE_DATE',
    );
  const yearBe = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (yearBe === 0) {
    if (month !== 0 || day !== 0)
      throw invalidArgument('A BE date with an unknown year cannot have a month or day', 'ERR_BE_DATE');
    return { yearBe: undefined, month: undefined, day: undefined };
  }
  // BE 2300 = 1757 CE; nothing in a civil registry is older, and a BE year below that is a CE year by mistake.
  if (yearBe < 2300 || yearBe > 2700)
    throw invalidArgument('BE year out of range (2300–2700); was a CE year given?', 'ERR_BE_DATE');
  if (month > 12) throw invalidArgument('BE date month out of range', 'ERR_BE_DATE');
  if (month === 0 && day !== 0)
    throw invalidArgument('A BE date with an unknown month cannot have a day', 'ERR_BE_DATE');
  if (day !== 0 && day > daysInMonth(yearBe - BE_OFFSET, month)) {
    throw invalidArgument('BE date day out of range for its month', 'ERR_BE_DATE');
  }
  return { yearBe, month: month || undefined, day: day || undefined };
}

/** Formats a BeDate back to `YYYYMMDD` with zeros for unknown parts. */
export function formatBeDate(date: BeDate): string {
  const y = date.yearBe ?? 0;
  const mo = date.month ?? 0;
  const d = date.day ?? 0;
  if (y === 0) return '00000000';
  return `${String(y).padStart(4, '0')}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

/**
 * BE `YYYYMMDD` → ISO date. Complete dates give `YYYY-MM-DD`; partial ones give `YYYY-MM` or `YYYY`
 * (ISO 8601 reduced precision); a wholly unknown date gives undefined.
 */
export function beDateToIso(value: string | number): string | undefined {
  const d = parseBeDate(value);
  if (d.yearBe === undefined) return undefined;
  const y = String(d.yearBe - BE_OFFSET).padStart(4, '0');
  if (d.month === undefined) return y;
  const mo = String(d.month).padStart(2, '0');
  if (d.day === undefined) return `${y}-${mo}`;
  return `${y}-${mo}-${String(d.day).padStart(2, '0')}`;
}

/** ISO `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or a Date → BE `YYYYMMDD`. */
export function isoToBeDate(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidArgument('Invalid Date', 'ERR_BE_DATE');
    const fromDate = formatBeDate({
      yearBe: value.getUTCFullYear() + BE_OFFSET,
      month: value.getUTCMonth() + 1,
      day: value.getUTCDate(),
    });
    parseBeDate(fromDate); // same year range as parsing, so every output round-trips
    return fromDate;
  }
  if (typeof value !== 'string')
    throw invalidArgument('Expected an ISO date string or a Date', 'ERR_BE_DATE');
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value.trim());
  if (!m) throw invalidArgument('Expected an ISO date YYYY-MM-DD, YYYY-MM or YYYY', 'ERR_BE_DATE');
  const out = formatBeDate({
    yearBe: Number(m[1]) + BE_OFFSET,
    month: m[2] ? Number(m[2]) : undefined,
    day: m[3] ? Number(m[3]) : undefined,
  });
  parseBeDate(out); // validates month/day ranges
  return out;
}

/** zod schema of a Buddhist-era `YYYYMMDD` date (`00` for an unknown month or day, `00000000` when wholly unknown). */
export const beDateSchema = z.string().superRefine((v, ctx) => {
  try {
    parseBeDate(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});
