import { describe, expect, it } from 'vitest';
import { isLaserCode, laserCodeSchema, parseLaserCode } from '../src/index.js';

/**
 * A laser code is two Latin letters and ten digits. Validation upper-cased the input before checking it, and
 * Unicode upper-casing turns some other characters into Latin letters: the ligature ﬀ into "FF", the long s ſ into
 * "S", the dotless ı into "I". `ﬀ1-2345678-90` passed as a laser code and was "parsed" into one nobody wrote, while
 * the redactor, which reads Latin letters only, left it in clear.
 */

describe('laser code letters are Latin letters before any case mapping', () => {
  const notLatin = ['ﬀ1-2345678-90', 'ſS1-2345678-90', 'ıT1-2345678-90', 'Jı1-2345678-90', 'ﬆ1234567890'];
  for (const value of notLatin) {
    it(`${JSON.stringify(value)} is not a laser code`, () => {
      expect(isLaserCode(value)).toBe(false);
      expect(() => parseLaserCode(value)).toThrow(expect.objectContaining({ code: 'ERR_LASER_CODE' }));
      expect(laserCodeSchema.safeParse(value).success).toBe(false);
    });
  }

  it('Latin letters in either case are still accepted and upper-cased', () => {
    expect(parseLaserCode('jT1-2345678-90')).toBe('JT1234567890');
    expect(laserCodeSchema.parse('me1 2345678 90')).toBe('ME1234567890');
  });
});
