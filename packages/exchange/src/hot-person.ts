import { BE_OFFSET } from '@thgov/core';
import { UNDECIDED } from '@thgov/core/internal';
import { decodeOptionalNumber, decodeOptionalText, decodeStringish, decodeText } from './loose-keys.js';

/**
 * The hand-written validator of the hottest record, DOPA Linkage 001 (a person): the fields of
 * `dopaPersonSchema` read one by one, without zod and without `looseRecord`'s generic field loop. It decides only
 * the common case (a plain object with all thirteen keys of the shape, spelled as the shape spells them) and
 * returns what zod's looseObject would: the shape's keys in the shape's order, then the unknown keys as given.
 * Everything else (an absent field, a mis-cased or `"__proto__"` key, a value a field does not take, another
 * prototype) is UNDECIDED and goes on to the generic decoder, then to zod, which explains a failure. Each field
 * is decoded by the same function as zod's transform for it (loose-keys.ts). `test/hot-person.test.ts` compares it
 * with the zod schema on many generated records.
 */

/** The shape's keys, in its order (schemas.ts, `dopaPersonSchema`). */
export const PERSON_KEYS = [
  'titleDesc',
  'firstName',
  'middleName',
  'lastName',
  'genderCode',
  'dateOfBirth',
  'age',
  'nationalityDesc',
  'statusOfPersonDesc',
  'englishTitleDesc',
  'englishFirstName',
  'englishMiddleName',
  'englishLastName',
] as const;

/** What the shape's fields decode to (the looseObject's output before the mapping). */
export interface PersonFields {
  titleDesc?: string | undefined;
  firstName: string;
  middleName?: string | undefined;
  lastName: string;
  genderCode?: number | undefined;
  dateOfBirth: string;
  age?: number | undefined;
  nationalityDesc?: string | undefined;
  statusOfPersonDesc?: string | undefined;
  englishTitleDesc?: string | undefined;
  englishFirstName?: string | undefined;
  englishMiddleName?: string | undefined;
  englishLastName?: string | undefined;
  [extra: string]: unknown;
}

const KNOWN = new Set<string>(PERSON_KEYS);
const KNOWN_LOWER = new Set<string>(PERSON_KEYS.map((k) => k.toLowerCase()));
/** Unknown key → whether it is kept as is (no known key in another case, not `"__proto__"`); bounded. */
const plainExtras = new Map<string, boolean>();

function isPlainExtra(key: string): boolean {
  let plain = plainExtras.get(key);
  if (plain === undefined) {
    plain = key !== '__proto__' && !KNOWN_LOWER.has(key.toLowerCase());
    if (plainExtras.size < 1024) plainExtras.set(key, plain);
  }
  return plain;
}

/**
 * How many of the own keys are the shape's (each at most once), or -1 when some other key is not a plain extra
 * (a known key in another case, `"__proto__"`): such a record needs renaming first.
 */
function countKnownKeys(keys: readonly string[]): number {
  let known = 0;
  for (const key of keys) {
    if (KNOWN.has(key)) known++;
    else if (!isPlainExtra(key)) return -1;
  }
  return known;
}

/**
 * The person's fields as zod's looseObject returns them, or UNDECIDED (see the top of this file). Decided only
 * when all thirteen keys are there (as DOPA sends them): the result is then built as one literal, in the shape's
 * order; a record without some optional key is the generic decoder's.
 */
export function decodePersonFields(raw: unknown): PersonFields | typeof UNDECIDED {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) {
    return UNDECIDED;
  }
  const input = raw as Record<string, unknown>;
  const keys = Object.keys(input);
  if (countKnownKeys(keys) !== PERSON_KEYS.length) return UNDECIDED;
  const titleDesc = decodeOptionalText(input.titleDesc);
  const firstName = decodeText(input.firstName);
  const middleName = decodeOptionalText(input.middleName);
  const lastName = decodeText(input.lastName);
  const genderCode = decodeOptionalNumber(input.genderCode);
  const dateOfBirth = decodeStringish(input.dateOfBirth);
  const age = decodeOptionalNumber(input.age);
  const nationalityDesc = decodeOptionalText(input.nationalityDesc);
  const statusOfPersonDesc = decodeOptionalText(input.statusOfPersonDesc);
  const englishTitleDesc = decodeOptionalText(input.englishTitleDesc);
  const englishFirstName = decodeOptionalText(input.englishFirstName);
  const englishMiddleName = decodeOptionalText(input.englishMiddleName);
  const englishLastName = decodeOptionalText(input.englishLastName);
  if (
    titleDesc === UNDECIDED ||
    firstName === UNDECIDED ||
    middleName === UNDECIDED ||
    lastName === UNDECIDED ||
    genderCode === UNDECIDED ||
    dateOfBirth === UNDECIDED ||
    age === UNDECIDED ||
    nationalityDesc === UNDECIDED ||
    statusOfPersonDesc === UNDECIDED ||
    englishTitleDesc === UNDECIDED ||
    englishFirstName === UNDECIDED ||
    englishMiddleName === UNDECIDED ||
    englishLastName === UNDECIDED
  )
    return UNDECIDED;
  const out: Record<string, unknown> = {
    titleDesc,
    firstName,
    middleName,
    lastName,
    genderCode,
    dateOfBirth,
    age,
    nationalityDesc,
    statusOfPersonDesc,
    englishTitleDesc,
    englishFirstName,
    englishMiddleName,
    englishLastName,
  };
  if (keys.length > PERSON_KEYS.length) for (const key of keys) if (!KNOWN.has(key)) out[key] = input[key];
  return out as PersonFields;
}

/** What `isoFromBeDigits` returns for text that is not eight ASCII digits. */
export const NOT_BE_DIGITS: unique symbol = Symbol('thgov.notBeDigits');

/**
 * `beDateToIso` (core) for a date as DOPA sends it, eight ASCII digits, without its pattern and its exceptions:
 * the same rules (year 0 = unknown; BE 2300–2700; month at most 12; no day without a month; the day within its
 * month), undefined where `beDateToIso` throws. Other text is NOT_BE_DIGITS (the caller asks core).
 * `test/hot-person.test.ts` compares the two on every such date of the range and around it.
 */
export function isoFromBeDigits(be: string): string | undefined | typeof NOT_BE_DIGITS {
  if (be.length !== 8) return NOT_BE_DIGITS;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const digit = be.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return NOT_BE_DIGITS;
    n = n * 10 + digit;
  }
  const yearBe = Math.floor(n / 10_000);
  const month = Math.floor(n / 100) % 100;
  const day = n % 100;
  if (yearBe < 2300 || yearBe > 2700 || month > 12 || (month === 0 && day !== 0)) return undefined;
  const year = String(yearBe - BE_OFFSET);
  if (month === 0) return year;
  const mo = month < 10 ? `0${month}` : String(month);
  if (day === 0) return `${year}-${mo}`;
  if (day > daysInMonth(yearBe - BE_OFFSET, month)) return undefined;
  return `${year}-${mo}-${day < 10 ? '0' : ''}${day}`;
}

function daysInMonth(yearCe: number, month: number): number {
  if (month === 2) return yearCe % 4 === 0 && (yearCe % 100 !== 0 || yearCe % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
