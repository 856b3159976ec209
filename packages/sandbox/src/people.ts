import { completeThaiId, formatBeDate } from '@thgov/core';
import { createRandom, type Random } from './random.js';

/**
 * Synthetic people and companies, generated deterministically from a seed. Every citizen ID and
 * juristic ID has a valid check digit; nothing here is, or is derived from, a real person.
 * The GDX emulator, the digital-ID providers, e-CMS senders and the transcript issuer all use the same
 * people, so a demo can log someone in, look them up and issue their transcript.
 */

export type Gender = 'male' | 'female';

/** A synthetic house-registration address. */
export interface SandboxAddress {
  houseNo: string;
  moo: string | undefined;
  alley: string | undefined;
  road: string | undefined;
  subdistrict: { th: string; en: string };
  district: { th: string; en: string };
  province: { th: string; en: string };
  postalCode: string;
  /** 11-digit house registration ID (รหัสประจำบ้าน). */
  houseId: string;
}

/** A synthetic person (checksum-valid citizen ID, names, birth date, laser code, address); never a real one. */
export interface SandboxPerson {
  citizenId: string;
  gender: Gender;
  title: { th: string; en: string };
  firstName: { th: string; en: string };
  middleName: { th: string; en: string } | undefined;
  lastName: { th: string; en: string };
  /** BE `YYYYMMDD`; some older records only know the year (`YYYY0000`). */
  birthDateBe: string;
  /** ISO birth date (or year only when the day is unknown). */
  birthDate: string;
  /** Laser code printed on the back of the ID card. */
  laserCode: string;
  /** False for a voided card (the laser check answers `[2]`). */
  cardValid: boolean;
  address: SandboxAddress;
  email: string;
  phone: string;
}

/** A synthetic company as DBD would return it. */
export interface SandboxCompany {
  juristicId: string;
  name: { th: string; en: string };
  type: { th: string; en: string };
  status: { th: string; en: string };
  registeredDate: string;
  registeredCapital: number;
  address: SandboxAddress;
  directors: string[];
}

const MALE = [
  ['สมชาย', 'Somchai'],
  ['ประเสริฐ', 'Prasert'],
  ['วิชัย', 'Wichai'],
  ['สมศักดิ์', 'Somsak'],
  ['อนุชา', 'Anucha'],
  ['ธนพล', 'Thanaphon'],
  ['กิตติ', 'Kitti'],
  ['ณัฐวุฒิ', 'Natthawut'],
  ['พิชิต', 'Phichit'],
  ['ชัยวัฒน์', 'Chaiwat'],
  ['สุรชัย', 'Surachai'],
  ['อภิสิทธิ์', 'Aphisit'],
  ['ธีรพงษ์', 'Thiraphong'],
  ['วรวุฒิ', 'Worawut'],
  ['ศักดิ์ชัย', 'Sakchai'],
] as const;
const FEMALE = [
  ['สมหญิง', 'Somying'],
  ['วิไล', 'Wilai'],
  ['มาลี', 'Mali'],
  ['สุดารัตน์', 'Sudarat'],
  ['กาญจนา', 'Kanchana'],
  ['นภัสสร', 'Naphatsorn'],
  ['พิมพ์ชนก', 'Phimchanok'],
  ['ศิริพร', 'Siriphon'],
  ['อรุณี', 'Aruni'],
  ['ปิยะนุช', 'Piyanut'],
  ['รัตนา', 'Rattana'],
  ['จิราพร', 'Jiraphon'],
  ['ธิดารัตน์', 'Thidarat'],
  ['วรรณา', 'Wanna'],
  ['ชนิดา', 'Chanida'],
] as const;
const LAST = [
  ['ใจดี', 'Jaidee'],
  ['รักไทย', 'Rakthai'],
  ['ศรีสุข', 'Srisuk'],
  ['มั่นคง', 'Mankhong'],
  ['บุญมา', 'Boonma'],
  ['แก้วมณี', 'Kaewmanee'],
  ['ทองดี', 'Thongdee'],
  ['สุขสวัสดิ์', 'Suksawat'],
  ['วงศ์ใหญ่', 'Wongyai'],
  ['พงษ์พันธ์', 'Phongphan'],
  ['เจริญสุข', 'Charoensuk'],
  ['ประเสริฐศรี', 'Prasertsri'],
  ['สายทอง', 'Saithong'],
  ['ชัยมงคล', 'Chaimongkhon'],
  ['ดวงแก้ว', 'Duangkaew'],
  ['นาคสวัสดิ์', 'Naksawat'],
  ['รุ่งเรือง', 'Rungruang'],
  ['ศรีวงศ์', 'Sriwong'],
  ['อินทร์แก้ว', 'Inkaew'],
  ['มีสุข', 'Meesuk'],
] as const;
const PLACES = [
  {
    p: ['กรุงเทพมหานคร', 'Bangkok'],
    d: ['เขตพระนคร', 'Phra Nakhon'],
    s: ['แขวงพระบรมมหาราชวัง', 'Phra Borom Maha Ratchawang'],
    zip: '10200',
    code: '10',
  },
  {
    p: ['กรุงเทพมหานคร', 'Bangkok'],
    d: ['เขตดุสิต', 'Dusit'],
    s: ['แขวงดุสิต', 'Dusit'],
    zip: '10300',
    code: '10',
  },
  {
    p: ['เชียงใหม่', 'Chiang Mai'],
    d: ['อำเภอเมืองเชียงใหม่', 'Mueang Chiang Mai'],
    s: ['ตำบลศรีภูมิ', 'Si Phum'],
    zip: '50200',
    code: '50',
  },
  {
    p: ['ขอนแก่น', 'Khon Kaen'],
    d: ['อำเภอเมืองขอนแก่น', 'Mueang Khon Kaen'],
    s: ['ตำบลในเมือง', 'Nai Mueang'],
    zip: '40000',
    code: '40',
  },
  {
    p: ['สงขลา', 'Songkhla'],
    d: ['อำเภอหาดใหญ่', 'Hat Yai'],
    s: ['ตำบลหาดใหญ่', 'Hat Yai'],
    zip: '90110',
    code: '90',
  },
  {
    p: ['นครราชสีมา', 'Nakhon Ratchasima'],
    d: ['อำเภอเมืองนครราชสีมา', 'Mueang Nakhon Ratchasima'],
    s: ['ตำบลในเมือง', 'Nai Mueang'],
    zip: '30000',
    code: '30',
  },
  {
    p: ['ภูเก็ต', 'Phuket'],
    d: ['อำเภอเมืองภูเก็ต', 'Mueang Phuket'],
    s: ['ตำบลตลาดใหญ่', 'Talat Yai'],
    zip: '83000',
    code: '83',
  },
] as const;
const ROADS = [
  ['ถนนราชดำเนิน', 'Ratchadamnoen Road'],
  ['ถนนพหลโยธิน', 'Phahonyothin Road'],
  ['ถนนสุขุมวิท', 'Sukhumvit Road'],
  ['ถนนมิตรภาพ', 'Mittraphap Road'],
  ['ถนนนิมมานเหมินท์', 'Nimmanhaemin Road'],
] as const;
const COMPANY_WORDS = [
  ['ไทยรุ่งเรือง', 'Thai Rungruang'],
  ['สยามพัฒนา', 'Siam Phatthana'],
  ['เจริญกิจ', 'Charoen Kit'],
  ['ดิจิทัลไทย', 'Digital Thai'],
  ['ทองคำ', 'Thongkham'],
  ['ล้านนา', 'Lanna'],
  ['อันดามัน', 'Andaman'],
  ['อีสานก้าวหน้า', 'Isan Kaonah'],
] as const;
const COMPANY_KINDS = [
  ['บริษัทจำกัด', 'Company Limited', 'บริษัท ', ' จำกัด', ' Co., Ltd.', '0105'],
  ['บริษัทมหาชนจำกัด', 'Public Company Limited', 'บริษัท ', ' จำกัด (มหาชน)', ' Public Co., Ltd.', '0107'],
  ['ห้างหุ้นส่วนจำกัด', 'Limited Partnership', 'ห้างหุ้นส่วนจำกัด ', '', ' Limited Partnership', '0103'],
] as const;

function digits(r: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(r.int(0, 9));
  return s;
}

function makeAddress(r: Random): SandboxAddress {
  const place = r.pick(PLACES);
  const road = r.chance(0.6) ? r.pick(ROADS) : undefined;
  return {
    houseNo: `${r.int(1, 999)}${r.chance(0.3) ? `/${r.int(1, 99)}` : ''}`,
    moo: road ? undefined : String(r.int(1, 15)),
    alley: r.chance(0.2) ? `ซอย ${r.int(1, 60)}` : undefined,
    road: road ? road[0] : undefined,
    subdistrict: { th: place.s[0], en: place.s[1] },
    district: { th: place.d[0], en: place.d[1] },
    province: { th: place.p[0], en: place.p[1] },
    postalCode: place.zip,
    houseId: place.code + digits(r, 9),
  };
}

/** Options of `generatePopulation`: the seed and how many people and companies. */
export interface PopulationOptions {
  seed?: number;
  people?: number;
  companies?: number;
}

/** The synthetic people and companies every sandbox platform serves, indexed by ID and house. */
export interface Population {
  people: SandboxPerson[];
  companies: SandboxCompany[];
  byCitizenId: Map<string, SandboxPerson>;
  byJuristicId: Map<string, SandboxCompany>;
  /** People grouped by house registration (same houseId). */
  households: Map<string, SandboxPerson[]>;
}

/**
 * One person, drawn from `r`; undefined when the citizen ID drawn is `taken` (the draws made so far are spent, so
 * the sequence, and with it every seed's population, stays what it was).
 */
function drawPerson(
  r: Random,
  ordinal: number,
  lastAddress: SandboxAddress | undefined,
  taken: (citizenId: string) => boolean,
): SandboxPerson | undefined {
  const gender: Gender = r.chance(0.5) ? 'male' : 'female';
  const first = r.pick<readonly [string, string]>(gender === 'male' ? MALE : FEMALE);
  const last = r.pick(LAST);
  const yearCe = r.int(1940, 2006);
  const month = r.int(1, 12);
  const day = r.int(1, 28);
  // About 3% of older records know only the year, as in the real civil registry.
  const yearOnly = yearCe < 1960 && r.chance(0.2);
  const birthDateBe = yearOnly
    ? formatBeDate({ yearBe: yearCe + 543, month: undefined, day: undefined })
    : formatBeDate({ yearBe: yearCe + 543, month, day });
  const birthDate = yearOnly
    ? String(yearCe)
    : `${yearCe}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const citizenId = completeThaiId(String(r.int(1, 8)) + digits(r, 11));
  if (taken(citizenId)) return undefined;
  const married = gender === 'female' && yearCe < 1990 && r.chance(0.6);
  // Every third person shares the previous person's house, so household queries have members.
  const address = lastAddress && r.chance(0.35) ? lastAddress : makeAddress(r);
  return {
    citizenId,
    gender,
    title:
      gender === 'male'
        ? { th: 'นาย', en: 'Mr.' }
        : married
          ? { th: 'นาง', en: 'Mrs.' }
          : { th: 'นางสาว', en: 'Miss' },
    firstName: { th: first[0], en: first[1] },
    middleName: undefined,
    lastName: { th: last[0], en: last[1] },
    birthDateBe,
    birthDate,
    laserCode: `${String.fromCharCode(65 + r.int(0, 25))}${String.fromCharCode(65 + r.int(0, 25))}${digits(r, 10)}`,
    cardValid: !r.chance(0.03),
    address,
    email: `${first[1].toLowerCase()}.${last[1].toLowerCase().slice(0, 4)}${ordinal}@example.test`,
    phone: `08${digits(r, 8)}`,
  };
}

/** One company, drawn from `r` (directors among `people`); undefined when the juristic ID drawn is `taken`. */
function drawCompany(
  r: Random,
  ordinal: number,
  people: readonly SandboxPerson[],
  taken: (juristicId: string) => boolean,
): SandboxCompany | undefined {
  const kind = r.pick(COMPANY_KINDS);
  const word = r.pick(COMPANY_WORDS);
  const yearCe = r.int(1975, 2024);
  // 0 + 4-digit registrar/type prefix + BE year (3 digits) + running number, then the check digit.
  const juristicId = completeThaiId(kind[5] + String(yearCe + 543).slice(1) + digits(r, 5));
  if (taken(juristicId)) return undefined;
  return {
    juristicId,
    name: {
      th: `${kind[2]}${word[0]} ${ordinal + 1}${kind[3]}`,
      en: `${word[1]} ${ordinal + 1}${kind[4]}`,
    },
    type: { th: kind[0], en: kind[1] },
    status: r.chance(0.9) ? { th: 'ยังดำเนินกิจการอยู่', en: 'Active' } : { th: 'เลิก', en: 'Dissolved' },
    registeredDate: `${yearCe}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
    registeredCapital: r.int(1, 500) * 100_000,
    address: makeAddress(r),
    directors: [r.pick(people).citizenId, r.pick(people).citizenId],
  };
}

/** Deterministic: the same seed always gives the same people, IDs, addresses and companies. */
export function generatePopulation(options: PopulationOptions = {}): Population {
  const r = createRandom(options.seed ?? 2026);
  const peopleCount = options.people ?? 300;
  const companyCount = options.companies ?? 120;
  const people: SandboxPerson[] = [];
  const byCitizenId = new Map<string, SandboxPerson>();
  const households = new Map<string, SandboxPerson[]>();
  while (people.length < peopleCount) {
    const person = drawPerson(r, people.length, people.at(-1)?.address, (id) => byCitizenId.has(id));
    if (!person) continue;
    people.push(person);
    byCitizenId.set(person.citizenId, person);
    const house = households.get(person.address.houseId) ?? [];
    house.push(person);
    households.set(person.address.houseId, house);
  }
  const companies: SandboxCompany[] = [];
  const byJuristicId = new Map<string, SandboxCompany>();
  while (companies.length < companyCount) {
    const company = drawCompany(r, companies.length, people, (id) => byJuristicId.has(id));
    if (!company) continue;
    companies.push(company);
    byJuristicId.set(company.juristicId, company);
  }
  return { people, companies, byCitizenId, byJuristicId, households };
}

/** Full Thai name as printed: title + first + last ("นายสมชาย ใจดี"). */
export function thaiFullName(p: SandboxPerson): string {
  return `${p.title.th}${p.firstName.th} ${p.lastName.th}`;
}

/** Full English name as printed: title, first and last name ("Mr. Somchai Jaidee"). */
export function englishFullName(p: SandboxPerson): string {
  return `${p.title.en} ${p.firstName.en} ${p.lastName.en}`;
}

/** The sample of test people and a company the sandbox banners print (`pnpm sandbox`, `thgov sandbox`). */
export function samplePeopleLines(population: Population): string[] {
  const company = population.companies[0];
  return [
    'A few test people (citizen ID, name, BE birth date, laser code):',
    ...population.people
      .slice(2, 7)
      .map((p) => `  ${p.citizenId}  ${thaiFullName(p)}  ${p.birthDateBe}  ${p.laserCode}`),
    `A test company: ${company?.juristicId ?? ''}  ${company?.name.th ?? ''}`,
  ];
}
