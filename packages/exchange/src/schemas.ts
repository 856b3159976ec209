import { beDateToIso, parseBeDate } from '@thgov/core';
import { fastPathOf, UNDECIDED, withFastPath, z } from '@thgov/core/internal';
import type { z as Zod, ZodObject } from 'zod';
import { decodePersonFields, isoFromBeDigits, NOT_BE_DIGITS } from './hot-person.js';
import { id13, looseKeys, looseRecord, optionalNumber, optionalText, stringish, text } from './loose-keys.js';

/**
 * Response schemas of the wrapped services. Each validates the provider's shape (key casing tolerated,
 * numbers-as-strings tolerated) and maps it to a stable, documented result; the provider's own object is
 * kept under `raw` for fields the SDK does not name.
 */

/** `YYYY-MM-DD`, `YYYY/M/D` (BE year first), with at most a midnight time (a .NET DateTime under th-TH). */
const YEAR_FIRST = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]07:?00)?)?$/;
/** `D/M/YYYY`: the Thai order of day, month and year. */
const DAY_FIRST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const ASCII_DIGITS = /^[0-9]*$/;

/**
 * A BE date as a provider spelled it, brought to `YYYYMMDD` when that reading is certain: Thai digits, the
 * separators above, surrounding spaces. What does not then read as a BE date (a CE year, month 13, a word, a
 * time of day) is returned as sent, so that no wrong date is made up.
 */
function beDateText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // ASCII digits alone (how DOPA sends a date): nothing to bring, so returned as sent without the patterns.
  if (ASCII_DIGITS.test(value)) return value;
  const t = value.replace(/[\u0e50-\u0e59]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).trim();
  const pad = (n: string | undefined) => (n ?? '').padStart(2, '0');
  const y = YEAR_FIRST.exec(t);
  const d = y ? undefined : DAY_FIRST.exec(t);
  const compact = y ? `${y[1]}${pad(y[3])}${pad(y[4])}` : d ? `${d[4]}${pad(d[3])}${pad(d[1])}` : t;
  if (compact === value) return value;
  try {
    parseBeDate(compact);
    return compact;
  } catch {
    return value;
  }
}

function isoOrUndefined(be: string | undefined): string | undefined {
  if (!be) return undefined;
  const digits = isoFromBeDigits(be);
  if (digits !== NOT_BE_DIGITS) return digits;
  try {
    return beDateToIso(be);
  } catch {
    return undefined;
  }
}

/** A provider's BE date as `birthDateBe` (see beDateText) and as the ISO `birthDate` read from it. */
function birthDates(value: string | undefined): {
  birthDateBe: string | undefined;
  birthDate: string | undefined;
} {
  const be = beDateText(value);
  return { birthDateBe: be, birthDate: isoOrUndefined(be) };
}

/**
 * A list that a provider may send as `null` when it is empty (Java and .NET serialisers do): `null` reads as
 * `[]`. Anything else that is not a list is still refused.
 */
function list<T extends z.ZodType>(item: T, max: number) {
  return z
    .array(item)
    .max(max)
    .nullable()
    .transform((v) => v ?? []);
}

const personShape = {
  titleDesc: optionalText,
  firstName: text,
  middleName: optionalText,
  lastName: text,
  genderCode: optionalNumber,
  dateOfBirth: stringish,
  age: optionalNumber,
  nationalityDesc: optionalText,
  statusOfPersonDesc: optionalText,
  englishTitleDesc: optionalText,
  englishFirstName: optionalText,
  englishMiddleName: optionalText,
  englishLastName: optionalText,
};

function mapPerson(p: Zod.output<ZodObject<typeof personShape, Zod.core.$loose>>) {
  const born = birthDates(p.dateOfBirth);
  return {
    title: { th: p.titleDesc, en: p.englishTitleDesc },
    firstName: { th: p.firstName, en: p.englishFirstName },
    middleName:
      p.middleName || p.englishMiddleName ? { th: p.middleName, en: p.englishMiddleName } : undefined,
    lastName: { th: p.lastName, en: p.englishLastName },
    gender: p.genderCode === 1 ? ('male' as const) : p.genderCode === 2 ? ('female' as const) : undefined,
    /** BE `YYYYMMDD`, zeros for unknown parts, as DOPA keeps it. */
    birthDateBe: born.birthDateBe,
    /** ISO date, or `YYYY-MM` / `YYYY` when only part of it is known. */
    birthDate: born.birthDate,
    age: p.age,
    nationality: p.nationalityDesc,
    status: p.statusOfPersonDesc,
    raw: p as Record<string, unknown>,
  };
}

const personRecord = looseRecord(personShape, mapPerson);
const genericPerson = fastPathOf(personRecord);

/**
 * Every lookup's record: read first by its hand-written validator (hot-person.ts), then by `looseRecord`'s generic
 * one (mis-cased keys), and only then by zod, which also explains a failure.
 */
export const dopaPersonSchema = withFastPath(personRecord, (raw) => {
  const fields = decodePersonFields(raw);
  if (fields !== UNDECIDED) return mapPerson(fields);
  return genericPerson ? genericPerson(raw) : UNDECIDED;
});
/** A person from DOPA Linkage (service 001), decoded, with names, birth date and status normalised. */
export type DopaPerson = z.output<typeof dopaPersonSchema>;

const addressShape = {
  houseID: stringish,
  houseNo: optionalText,
  villageNo: optionalNumber,
  alleyWayDesc: optionalText,
  alleyDesc: optionalText,
  roadDesc: optionalText,
  subdistrictDesc: optionalText,
  districtDesc: optionalText,
  provinceDesc: optionalText,
  postalCode: optionalText,
};

type RawAddress = z.output<ZodObject<typeof addressShape>>;

function mapAddress(a: RawAddress) {
  return {
    houseId: a.houseID,
    houseNo: a.houseNo,
    /** หมู่ที่; undefined when the address has none (DOPA sends 0). */
    villageNo: a.villageNo ? a.villageNo : undefined,
    alleyWay: a.alleyWayDesc,
    alley: a.alleyDesc,
    road: a.roadDesc,
    subdistrict: a.subdistrictDesc,
    district: a.districtDesc,
    province: a.provinceDesc,
    postalCode: a.postalCode,
  };
}

export const dopaAddressSchema = looseRecord(addressShape, (a) => ({
  ...mapAddress(a),
  raw: a as Record<string, unknown>,
}));
/** A registered address from DOPA Linkage (service 027), decoded and normalised. */
export type DopaAddress = z.output<typeof dopaAddressSchema>;

export const dopaHouseSchema = looseRecord(
  { ...addressShape, houseType: optionalNumber, houseTypeDesc: optionalText },
  (h) => ({
    ...mapAddress(h),
    houseType: h.houseType,
    houseTypeDesc: h.houseTypeDesc,
    raw: h as Record<string, unknown>,
  }),
);
/** A house record from DOPA Linkage (service 008). */
export type DopaHouse = z.output<typeof dopaHouseSchema>;

const memberSchema = looseKeys({
  personalID: id13,
  titleDesc: optionalText,
  firstName: z.string(),
  lastName: z.string(),
  genderDesc: optionalText,
  dateOfBirth: stringish.optional(),
  statusOfPersonDesc: optionalText,
}).transform((m) => ({
  citizenId: m.personalID,
  title: m.titleDesc,
  firstName: m.firstName,
  lastName: m.lastName,
  gender: m.genderDesc,
  ...birthDates(m.dateOfBirth),
  /** Role in the house (เจ้าบ้าน / ผู้อาศัย). */
  role: m.statusOfPersonDesc,
}));

export const dopaHouseholdSchema = looseKeys({
  houseID: stringish,
  totalOfMember: optionalNumber,
  members: list(memberSchema, 10_000),
}).transform((h) => ({ houseId: h.houseID, members: h.members, total: h.totalOfMember ?? h.members.length }));
/** The members of a house registration from DOPA Linkage (service 007). */
export type DopaHouseholdMembers = z.output<typeof dopaHouseholdSchema>;

export const SESSION_STATES = ['AgentNotAvailable', 'AgentAvailable', 'CitizenAvailable'] as const;
/** An officer's DOPA session: none, any citizen (`AgentAvailable`) or only their own (`CitizenAvailable`). */
export type SessionState = (typeof SESSION_STATES)[number];

/** `agent/permission` writes "no one" as thirteen zeros (DGA kb): no such ID is ever handed out. */
function party(id: string): string | undefined {
  const t = id.trim();
  return t === '' || /^0+$/.test(t) ? undefined : t;
}

export const agentPermissionSchema = looseKeys({
  AgentID: stringish,
  CitizenID: id13,
  SessionState: z.enum(SESSION_STATES),
}).transform((a) => ({
  agentId: party(a.AgentID),
  citizenId: party(a.CitizenID),
  sessionState: a.SessionState,
}));
/**
 * DOPA's answer on an officer's session: the session state, and the card logged in to GovAMI as `agentId`
 * (officer rights; `undefined` when AgentNotAvailable) and as `citizenId` (citizen rights: CitizenAvailable
 * only, otherwise `undefined`). GDX's placeholder "0000000000000" for "no one" is never returned as an ID.
 */
export type AgentPermission = z.output<typeof agentPermissionSchema>;

export const laserResultSchema = looseKeys({
  Result: z.union([z.boolean(), z.enum(['true', 'false'])]),
}).transform((r) => ({ valid: r.Result === true || r.Result === 'true' }));
/** DOPA's laser check: whether the card data match (`valid`). */
export type LaserCodeResult = z.output<typeof laserResultSchema>;

const juristicAddressSchema = looseKeys({
  FullAddress: optionalText,
  HouseNumber: optionalText,
  Moo: optionalText,
  Soi: optionalText,
  Road: optionalText,
  Tumbol: optionalText,
  Ampur: optionalText,
  Province: optionalText,
  PostCode: optionalText,
}).transform((a) => ({
  fullAddress: a.FullAddress,
  houseNo: a.HouseNumber,
  moo: a.Moo,
  soi: a.Soi,
  road: a.Road,
  subdistrict: a.Tumbol,
  district: a.Ampur,
  province: a.Province,
  postalCode: a.PostCode,
}));

const juristicItemSchema = looseKeys({
  JuristicID: id13,
  JuristicType: optionalText,
  JuristicName_TH: optionalText,
  JuristicName_EN: optionalText,
  RegisterDate: optionalText,
  RegisterCapital: optionalNumber,
  PaidRegisterCapital: optionalNumber,
  JuristicStatus: optionalText,
  AddressInformations: list(juristicAddressSchema, 1000).optional(),
}).transform((j) => ({
  juristicId: j.JuristicID,
  type: j.JuristicType,
  name: { th: j.JuristicName_TH, en: j.JuristicName_EN },
  /** BE `YYYYMMDD` as DBD sends it. */
  registerDateBe: beDateText(j.RegisterDate),
  registerDate: isoOrUndefined(beDateText(j.RegisterDate)),
  registeredCapital: j.RegisterCapital,
  paidCapital: j.PaidRegisterCapital,
  status: j.JuristicStatus,
  addresses: j.AddressInformations ?? [],
  raw: j as Record<string, unknown>,
}));

export const juristicProfileSchema = looseKeys({
  ResultList: list(juristicItemSchema, 1000),
  RawData: z.unknown().optional(),
});
/** A company's DBD profile (registration, status, capital, address, directors), decoded. */
export type JuristicProfile = z.output<typeof juristicItemSchema>;

export const juristicPdfSchema = looseKeys({
  ID: optionalText,
  FileName: optionalText,
  FileSize: optionalNumber,
  Info: looseKeys({ Name: optionalText, NumberOfPage: optionalNumber }).optional(),
  mimeType: optionalText,
  Hashes: z.unknown().optional(),
  Result: z.string().max(64 * 1024 * 1024),
});
export type JuristicPdfEnvelope = z.output<typeof juristicPdfSchema>;

/** The DBD company certificate as a PDF: its bytes (hash checked), file name and MIME type. */
export interface JuristicProfilePdf {
  bytes: Uint8Array;
  fileName: string | undefined;
  mimeType: string;
  name: string | undefined;
  pageCount: number | undefined;
  /** Hex SHA-256 of `bytes` (checked against the declared hash). */
  sha256: string;
  /** Which declared hash was checked ("sha256", "sha1" or "md5"). */
  verifiedWith: string;
}
