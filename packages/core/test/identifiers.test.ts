import { expectCode } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  beDateSchema,
  beDateToIso,
  citizenIdSchema,
  completeThaiId,
  daysInMonth,
  formatBeDate,
  formatThaiId,
  isCitizenId,
  isJuristicId,
  isLaserCode,
  isoToBeDate,
  juristicIdSchema,
  laserCodeSchema,
  parseBeDate,
  parseCitizenId,
  parseJuristicId,
  parseLaserCode,
  thaiIdCheckDigit,
} from '../src/identifiers.js';

/** Runs fn, expects a TypeError with `code`, and checks the message does not echo `value`. */
function expectCodedTypeError(fn: () => unknown, code: string, value?: string): void {
  const err = expectCode(fn, code);
  expect(err).toBeInstanceOf(TypeError);
  if (value !== undefined && value.length > 3) expect(err.message).not.toContain(value);
}

// Check digit computed by hand: 1 1 0 3 7 0 0 1 2 3 4 5 weighted 13..2
// = 13+12+0+30+63+0+0+6+10+12+12+10 = 168; 168 mod 11 = 3; (11-3) mod 10 = 8.
const CITIZEN = '1103700123458';
const JURISTIC = completeThaiId('010555512345');

describe('Thai citizen and juristic IDs', () => {
  it('computes the mod-11 check digit (hand-checked value and the mod-10 wrap)', () => {
    expect(thaiIdCheckDigit('110370012345')).toBe(8);
    expect(completeThaiId('110370012345')).toBe(CITIZEN);
    // Sum mod 11 of 1 and 0 give 10 and 11, which wrap to 0 and 1.
    for (let n = 0; n < 400; n++) {
      const first12 = String(100000000000 + n * 7919).padStart(12, '0');
      const d = thaiIdCheckDigit(first12);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(9);
      expect(isCitizenId(first12 + String(d))).toBe(true);
      expect(isCitizenId(first12 + String((d + 1) % 10))).toBe(false);
    }
  });

  it('accepts valid citizen IDs plain and dashed/spaced, rejects a wrong digit', () => {
    expect(isCitizenId(CITIZEN)).toBe(true);
    expect(isCitizenId('1-1037-00123-45-8')).toBe(true);
    expect(isCitizenId('1 1037 00123 45 8')).toBe(true);
    expect(parseCitizenId('1-1037-00123-45-8')).toBe(CITIZEN);
    expect(formatThaiId(CITIZEN)).toBe('1-1037-00123-45-8');
    for (let i = 0; i < 13; i++) {
      // The third digit has weight 11 ≡ 0 (mod 11): the algorithm cannot see a change there.
      if (i === 2) continue;
      const digit = Number(CITIZEN[i]);
      const changed = CITIZEN.slice(0, i) + String((digit + 1) % 10) + CITIZEN.slice(i + 1);
      expect(isCitizenId(changed), `digit ${i}`).toBe(false);
    }
  });

  it('documents the blind spot: a change of the third digit keeps the check digit', () => {
    const third = CITIZEN.slice(0, 2) + '9' + CITIZEN.slice(3);
    expect(isCitizenId(third)).toBe(true);
  });

  it('rejects wrong lengths, letters and non-strings', () => {
    for (const v of [
      '',
      '110370012345',
      '11037001234580',
      '11037001234a8',
      'x'.repeat(13),
      null,
      undefined,
      1103700123458,
      {},
    ]) {
      expect(isCitizenId(v)).toBe(false);
    }
  });

  it('tells citizen IDs (1–8) from juristic IDs (0) and refuses 9', () => {
    expect(isJuristicId(JURISTIC)).toBe(true);
    expect(isCitizenId(JURISTIC)).toBe(false);
    expect(isJuristicId(CITIZEN)).toBe(false);
    expect(parseJuristicId(formatThaiId(JURISTIC))).toBe(JURISTIC);
    const nine = completeThaiId('910370012345');
    expect(isCitizenId(nine)).toBe(false);
    expect(isJuristicId(nine)).toBe(false);
  });

  it('parse errors are TypeErrors with ERR_THAI_ID that never contain the value', () => {
    const wrong = CITIZEN.slice(0, 12) + String((Number(CITIZEN[12]) + 1) % 10);
    expectCodedTypeError(() => parseCitizenId(wrong), 'ERR_THAI_ID', wrong);
    expectCodedTypeError(() => parseCitizenId(JURISTIC), 'ERR_THAI_ID', JURISTIC);
    expectCodedTypeError(() => parseJuristicId(CITIZEN), 'ERR_THAI_ID', CITIZEN);
    expectCodedTypeError(() => parseCitizenId(42), 'ERR_THAI_ID');
    expectCodedTypeError(() => completeThaiId('12345'), 'ERR_THAI_ID');
    expectCodedTypeError(() => formatThaiId('12-34'), 'ERR_THAI_ID');
  });

  it('zod schemas normalize and reject', () => {
    expect(citizenIdSchema.parse('1-1037-00123-45-8')).toBe(CITIZEN);
    expect(citizenIdSchema.safeParse(JURISTIC).success).toBe(false);
    expect(citizenIdSchema.safeParse(1103700123458).success).toBe(false);
    expect(juristicIdSchema.parse(formatThaiId(JURISTIC))).toBe(JURISTIC);
    const failed = citizenIdSchema.safeParse('1103700123459');
    expect(failed.success).toBe(false);
    expect(JSON.stringify(failed.error?.issues.map((i) => i.message))).not.toContain('1103700123459');
  });
});

/** The same ID as people, forms and word processors write it: other digits, other dashes, invisible characters. */
const toThai = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(0x0e50 + Number(d)));
const toFullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(0xff10 + Number(d)));

describe('citizen and juristic IDs in any spelling', () => {
  const spellings: Array<[string, string]> = [
    ['Thai digits', toThai(CITIZEN)],
    ['Thai digits, dashed as on the card', toThai('1-1037-00123-45-8')],
    ['full-width digits', toFullWidth(CITIZEN)],
    ['mixed Thai and ASCII digits', toThai(CITIZEN.slice(0, 6)) + CITIZEN.slice(6)],
    ['en dashes', '1\u20131037\u201300123\u201345\u20138'],
    ['minus signs', '1\u22121037\u221200123\u221245\u22128'],
    ['non-breaking hyphens', '1\u20111037\u201100123\u201145\u20118'],
    ['non-breaking spaces', '1\u00a01037\u00a000123\u00a045\u00a08'],
    ['a zero-width space and a soft hyphen', '1103\u200b70012\u00ad3458'],
    ['a byte-order mark in front', `\ufeff${CITIZEN}`],
  ];

  it.each(spellings)('reads %s as the thirteen ASCII digits', (_, spelled) => {
    expect(isCitizenId(spelled)).toBe(true);
    expect(parseCitizenId(spelled)).toBe(CITIZEN);
    expect(citizenIdSchema.parse(spelled)).toBe(CITIZEN);
    expect(formatThaiId(spelled)).toBe('1-1037-00123-45-8');
  });

  it('reads a juristic ID in Thai digits', () => {
    expect(isJuristicId(toThai(JURISTIC))).toBe(true);
    expect(parseJuristicId(toThai(formatThaiId(JURISTIC)))).toBe(JURISTIC);
    expect(juristicIdSchema.parse(toFullWidth(JURISTIC))).toBe(JURISTIC);
  });

  it('still refuses a wrong check digit, other numerals and letters in any digits, never echoing them', () => {
    const wrong = toThai(CITIZEN.slice(0, 12) + String((Number(CITIZEN[12]) + 1) % 10));
    expect(isCitizenId(wrong)).toBe(false);
    expectCodedTypeError(() => parseCitizenId(wrong), 'ERR_THAI_ID', wrong);
    // Superscripts, circled and Roman numerals are numbers but not decimal digits.
    const superscript = CITIZEN.slice(0, 12) + '\u2078';
    const circled = CITIZEN.slice(0, 12) + '\u2467';
    for (const v of [superscript, circled, `${CITIZEN.slice(0, 12)}\u216b`, toThai(CITIZEN).slice(1)]) {
      expect(isCitizenId(v), v).toBe(false);
    }
    // Letters or punctuation other than separators are not removed.
    expect(isCitizenId(`${CITIZEN.slice(0, 6)}.${CITIZEN.slice(6)}`)).toBe(false);
    expect(isCitizenId(`${CITIZEN.slice(0, 6)}/${CITIZEN.slice(6)}`)).toBe(false);
    expect(isCitizenId(toThai(JURISTIC))).toBe(false);
  });
});

describe('laser code', () => {
  it('accepts two letters and ten digits, dashed or lower case, and normalizes', () => {
    expect(isLaserCode('JT9-9999999-99')).toBe(true);
    expect(isLaserCode('jt9 9999999 99')).toBe(true);
    expect(parseLaserCode('me1-2345678-90')).toBe('ME1234567890');
    expect(laserCodeSchema.parse('ab0-0000000-01')).toBe('AB0000000001');
  });

  it('rejects other shapes with ERR_LASER_CODE', () => {
    for (const v of [
      'A1-2345678-90',
      'AB1-2345678-9',
      'AB1-2345678-901',
      '1B1-2345678-90',
      'กข1-2345678-90',
      '',
    ]) {
      expect(isLaserCode(v), v).toBe(false);
      expectCodedTypeError(() => parseLaserCode(v), 'ERR_LASER_CODE', v);
    }
    expectCodedTypeError(() => parseLaserCode(undefined), 'ERR_LASER_CODE');
    expect(laserCodeSchema.safeParse('JT9').success).toBe(false);
  });
});

describe('Buddhist-era dates', () => {
  it('counts the days of every month of every year in range as Date does (leap years included)', () => {
    for (let yearBe = 2300; yearBe <= 2700; yearBe++) {
      const yearCe = yearBe - 543;
      for (let month = 1; month <= 12; month++) {
        const expected = new Date(Date.UTC(yearCe, month, 0)).getUTCDate();
        expect(daysInMonth(yearCe, month), `${yearCe}-${month}`).toBe(expected);
      }
    }
    // The century rules, each way: 1900 and 2100 are not leap years, 2000 is.
    expect([1900, 2000, 2100].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28]);
    expect(parseBeDate('25430229')).toEqual({ yearBe: 2543, month: 2, day: 29 });
    expectCodedTypeError(() => parseBeDate('24430229'), 'ERR_BE_DATE');
  });

  it('parses complete dates and maps them to ISO', () => {
    expect(parseBeDate('25430115')).toEqual({ yearBe: 2543, month: 1, day: 15 });
    expect(parseBeDate(25430115)).toEqual({ yearBe: 2543, month: 1, day: 15 });
    expect(beDateToIso('25430115')).toBe('2000-01-15');
    expect(beDateToIso('25671231')).toBe('2024-12-31');
  });

  it('handles unknown parts: 0, 00000000, year only, year and month', () => {
    const unknown = { yearBe: undefined, month: undefined, day: undefined };
    expect(parseBeDate('0')).toEqual(unknown);
    expect(parseBeDate(0)).toEqual(unknown);
    expect(parseBeDate('00000000')).toEqual(unknown);
    expect(beDateToIso('0')).toBeUndefined();
    expect(parseBeDate('25400000')).toEqual({ yearBe: 2540, month: undefined, day: undefined });
    expect(beDateToIso('25400000')).toBe('1997');
    expect(parseBeDate('25401200')).toEqual({ yearBe: 2540, month: 12, day: undefined });
    expect(beDateToIso('25401200')).toBe('1997-12');
  });

  it('rejects a day without a month and a month or day without a year', () => {
    expectCodedTypeError(() => parseBeDate('25400015'), 'ERR_BE_DATE', '25400015');
    expectCodedTypeError(() => parseBeDate('00000100'), 'ERR_BE_DATE', '00000100');
    expectCodedTypeError(() => parseBeDate('00001200'), 'ERR_BE_DATE', '00001200');
  });

  it('knows Feb 29 in BE leap years (Gregorian rule on year − 543)', () => {
    expect(beDateToIso('25430229')).toBe('2000-02-29'); // 2000: divisible by 400
    expect(beDateToIso('25670229')).toBe('2024-02-29');
    expectCodedTypeError(() => parseBeDate('25660229'), 'ERR_BE_DATE'); // 2023
    expectCodedTypeError(() => parseBeDate('24430229'), 'ERR_BE_DATE'); // 1900: divisible by 100, not 400
    expectCodedTypeError(() => parseBeDate('25430230'), 'ERR_BE_DATE');
    expectCodedTypeError(() => parseBeDate('25430431'), 'ERR_BE_DATE');
  });

  it('rejects a CE year given by mistake and impossible months', () => {
    expectCodedTypeError(() => parseBeDate('20000101'), 'ERR_BE_DATE', '20000101');
    expectCodedTypeError(() => parseBeDate('19990101'), 'ERR_BE_DATE');
    expectCodedTypeError(() => parseBeDate('29990101'), 'ERR_BE_DATE');
    expectCodedTypeError(() => parseBeDate('25431301'), 'ERR_BE_DATE');
  });

  it('rejects other shapes and types with ERR_BE_DATE, never echoing the value', () => {
    for (const v of [
      '2543-01-15',
      '2543115',
      '254301150',
      'abcdefgh',
      '',
      ' ',
      '+2543011',
      '25430115\n1',
      25430115.5,
      -1,
    ]) {
      expectCodedTypeError(() => parseBeDate(v), 'ERR_BE_DATE', String(v));
    }
    for (const v of [null, undefined, {}, [], true, new Date()])
      expectCodedTypeError(() => parseBeDate(v), 'ERR_BE_DATE');
    expect(beDateSchema.safeParse('25430230').success).toBe(false);
    expect(beDateSchema.safeParse('25430228').success).toBe(true);
  });

  it('round-trips ISO ⇄ BE for full and partial dates', () => {
    for (const iso of ['2000-02-29', '1997-12', '1997', '2024-01-01', '1900-02-28', '2099-12-31']) {
      const be = isoToBeDate(iso);
      expect(be).toMatch(/^\d{8}$/);
      expect(beDateToIso(be)).toBe(iso);
    }
    expect(isoToBeDate('2000')).toBe('25430000');
    expect(isoToBeDate('2000-02')).toBe('25430200');
    expect(isoToBeDate(new Date(Date.UTC(2024, 1, 29, 23, 59)))).toBe('25670229');
    expect(formatBeDate(parseBeDate('25401200'))).toBe('25401200');
    expect(formatBeDate(parseBeDate('0'))).toBe('00000000');
  });

  it('isoToBeDate rejects impossible, malformed and out-of-range input with ERR_BE_DATE', () => {
    for (const v of ['1999-02-29', '2000-13', '2000-00-10', '20000101', '2000/01/01', 'tomorrow', '']) {
      expectCodedTypeError(() => isoToBeDate(v), 'ERR_BE_DATE', v);
    }
    expectCodedTypeError(() => isoToBeDate(new Date(Number.NaN)), 'ERR_BE_DATE');
    // Outside the years parseBeDate accepts, so the output would not round-trip.
    expectCodedTypeError(() => isoToBeDate(new Date(Date.UTC(3000, 0, 1))), 'ERR_BE_DATE');
    expectCodedTypeError(() => isoToBeDate(new Date(Date.UTC(1500, 0, 1))), 'ERR_BE_DATE');
    expectCodedTypeError(() => isoToBeDate(20000101 as unknown as string), 'ERR_BE_DATE');
  });
});
