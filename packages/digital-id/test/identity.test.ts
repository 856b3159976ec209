import { completeThaiId } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { normalizeIdentity } from '../src/identity.js';
import { PROVIDER_PRESETS } from '../src/index.js';

const tokens = { accessToken: 'at', tokenType: 'Bearer' };
// A synthetic ID given a valid check digit (not a real person's).
const CID = completeThaiId('110170020345');

describe('normalizeIdentity', () => {
  it('maps ThaID claims: Thai names plain, English names with _en, sub is the citizen ID', () => {
    const id = normalizeIdentity(
      PROVIDER_PRESETS.thaid,
      'https://op',
      {
        sub: CID,
        title: 'นาย',
        given_name: 'สมชาย',
        family_name: 'ใจดี',
        title_en: 'Mr.',
        given_name_en: 'Somchai',
        family_name_en: 'Jaidee',
        birthdate: '1990-01-02',
        ial: 2.3,
      },
      tokens,
    );
    expect(id.citizenId).toBe(CID);
    expect(id.names.th).toEqual({ title: 'นาย', given: 'สมชาย', family: 'ใจดี', full: 'สมชาย ใจดี' });
    expect(id.names.en).toEqual({ title: 'Mr.', given: 'Somchai', family: 'Jaidee', full: 'Somchai Jaidee' });
    expect(id.ial).toBe('2.3');
    expect(id.birthdate).toBe('1990-01-02');
  });

  it('takes DGA citizen_id and ial_level; an opaque sub is not a citizen ID', () => {
    const id = normalizeIdentity(
      PROVIDER_PRESETS.dga,
      'https://op',
      { sub: 'abc-123', citizen_id: CID, ial_level: '2.1' },
      tokens,
    );
    expect(id.subject).toBe('abc-123');
    expect(id.citizenId).toBe(CID);
    expect(id.ial).toBe('2.1');
  });

  it('drops a citizen ID whose check digit is wrong', () => {
    const bad = `${CID.slice(0, 12)}${(Number(CID[12]) + 1) % 10}`;
    const id = normalizeIdentity(PROVIDER_PRESETS.thaid, 'https://op', { sub: bad, pid: bad }, tokens);
    expect(id.citizenId).toBeUndefined();
  });

  it("puts a generic provider's Latin-script names under en", () => {
    const id = normalizeIdentity(
      PROVIDER_PRESETS.generic,
      'https://op',
      { sub: 'u1', given_name: 'Ann', family_name: 'Lee' },
      tokens,
    );
    expect(id.names.en).toEqual({ given: 'Ann', family: 'Lee', full: 'Ann Lee' });
    expect(id.names.th).toEqual({});
    expect(id.citizenId).toBeUndefined();
  });

  it('ignores claims of the wrong type', () => {
    const id = normalizeIdentity(
      PROVIDER_PRESETS.thaid,
      'https://op',
      { sub: 'x', given_name: 42, birthdate: {}, ial: [1] },
      tokens,
    );
    expect(id.names.th).toEqual({});
    expect(id.birthdate).toBeUndefined();
    expect(id.ial).toBeUndefined();
  });
});
