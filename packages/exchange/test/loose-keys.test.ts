import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { looseKeys } from '../src/index.js';
import { dopaPersonSchema, juristicProfileSchema, laserResultSchema } from '../src/schemas.js';

describe('key casing and number-as-string tolerance', () => {
  it('maps differently cased keys onto the schema, exact case winning over duplicates', () => {
    const s = looseKeys({ Result: z.string() });
    expect(s.parse({ result: 'a' })).toEqual({ Result: 'a' });
    expect(s.parse({ RESULT: 'b', extra: 1 })).toEqual({ Result: 'b', extra: 1 });
    expect(s.parse({ result: 'lower', Result: 'exact' }).Result).toBe('exact');
    expect(() => s.parse({ other: 'x' })).toThrow();
  });

  it('parses a person whatever the key casing and number/string types', () => {
    const camel = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: 25300512, genderCode: 1 };
    const pascal = {
      FirstName: 'สมชาย',
      LastName: 'ใจดี',
      DateOfBirth: '25300512',
      GenderCode: '1',
      MiddleName: null,
    };
    for (const raw of [camel, pascal]) {
      const p = dopaPersonSchema.parse(raw);
      expect(p.firstName.th).toBe('สมชาย');
      expect(p.birthDateBe).toBe('25300512');
      expect(p.birthDate).toBe('1987-05-12');
      expect(p.gender).toBe('male');
      expect(p.middleName).toBeUndefined();
    }
  });

  it('keeps unknown BE dates as they are and gives no ISO date for them', () => {
    const p = dopaPersonSchema.parse({ firstName: 'ก', lastName: 'ข', dateOfBirth: '25000000' });
    expect(p.birthDateBe).toBe('25000000');
    expect(p.birthDate).toBe('1957');
    const q = dopaPersonSchema.parse({ firstName: 'ก', lastName: 'ข', dateOfBirth: 0 });
    expect(q.birthDate).toBeUndefined();
  });

  it('rejects wrong types with a path, and tolerates "true"/"false" strings in the laser answer', () => {
    expect(dopaPersonSchema.safeParse({ firstName: 1, lastName: 'x', dateOfBirth: 1 }).success).toBe(false);
    expect(dopaPersonSchema.safeParse({ firstName: 'x', lastName: 'x', dateOfBirth: {} }).success).toBe(
      false,
    );
    expect(laserResultSchema.parse({ result: 'true' })).toEqual({ valid: true });
    expect(laserResultSchema.safeParse({ Result: 'yes' }).success).toBe(false);
    expect(
      juristicProfileSchema.parse({ resultlist: [{ juristicid: '0105563274658' }] }).ResultList[0]
        ?.juristicId,
    ).toBe('0105563274658');
  });
});
