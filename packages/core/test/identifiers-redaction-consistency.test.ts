import { describe, expect, it } from 'vitest';
import {
  citizenIdSchema,
  completeThaiId,
  formatThaiId,
  isCitizenId,
  isJuristicId,
  parseCitizenId,
  redactText,
} from '../src/index.js';

/**
 * What `isCitizenId` accepts as a citizen ID, the redactor must mask: an application that validated a field with
 * it logs or audits that field trusting redaction. Validation removed ANY white space and any number of separators
 * between the digit groups; the redactor reads at most three separators between groups and no vertical tab, form
 * feed or Unicode line/paragraph separator. `3\u20281005\u202800123\u202845\u20288` or `3    1005 …` validated, was
 * parsed to the ID, and went to the log in clear.
 */

const ID = completeThaiId('310050012345');
const grouped = (s: string, sep: string) =>
  [s.slice(0, 1), s.slice(1, 5), s.slice(5, 10), s.slice(10, 12), s.slice(12)].join(sep);
const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));

/** Every BMP character validation once took as a separator: white space, dashes, invisible characters. */
const CANDIDATES = [...Array(0x10000).keys()]
  .map((c) => String.fromCharCode(c))
  .filter((c) => /[\s\p{Pd}\u2212\u00AD\u200B-\u200D\u2060\uFEFF]/u.test(c));

/** Digits of the ID that survive redaction in clear (a run of four or more is a leak). */
const leaks = (text: string) => /\d{4}/.test(redactText(`id: ${text} end`).replace(/\D/g, ''));

describe('a citizen ID that validation accepts is one the redactor masks', () => {
  it('for every separator character, repeated one to five times between the groups', () => {
    const accepted: string[] = [];
    const leaked: string[] = [];
    for (const sep of CANDIDATES) {
      for (let n = 1; n <= 5; n++) {
        const value = grouped(ID, sep.repeat(n));
        if (!isCitizenId(value)) continue;
        accepted.push(value);
        if (leaks(value)) leaked.push(`U+${sep.charCodeAt(0).toString(16).padStart(4, '0')} x${n}`);
      }
    }
    expect(leaked).toEqual([]);
    expect(accepted.length).toBeGreaterThan(CANDIDATES.length);
  });

  it('mixed gaps: visible separators with invisible ones between them', () => {
    for (const gap of [' - \u200b - ', '\r\n\r\n', '\t-\t-', ' \u00ad \u00ad \u00ad ', '--\u200b--']) {
      const value = grouped(ID, gap);
      expect(isCitizenId(value) && leaks(value), JSON.stringify(gap)).toBe(false);
    }
  });

  it('parseCitizenId and the zod schema refuse what validation refuses', () => {
    const value = grouped(ID, '\u2028');
    expect(() => parseCitizenId(value)).toThrow(expect.objectContaining({ code: 'ERR_THAI_ID' }));
    expect(citizenIdSchema.safeParse(value).success).toBe(false);
    expect(() => formatThaiId(grouped(ID, '    '))).toThrow(expect.objectContaining({ code: 'ERR_THAI_ID' }));
  });

  it('the spellings people write are still accepted (and masked)', () => {
    const kept = [
      ID,
      grouped(ID, '-'),
      grouped(ID, ' '),
      grouped(ID, ' - '),
      grouped(ID, '\u2013'),
      grouped(ID, '\u00a0'),
      grouped(ID, '\u200b'),
      grouped(ID, '\r\n'),
      thai(grouped(ID, '-')),
      `  ${ID}\n`,
      `\u2028${ID}\u000b`,
      `\ufeff${grouped(ID, '-')}`,
      [...ID].join(' '),
      [...ID].join(' - '),
      [...thai(ID)].join('\u200b'),
    ];
    for (const value of kept) {
      expect(isCitizenId(value), JSON.stringify(value)).toBe(true);
      expect(parseCitizenId(value)).toBe(ID);
      expect(leaks(value), JSON.stringify(value)).toBe(false);
    }
    const juristic = completeThaiId('010553712345');
    expect(isJuristicId(grouped(juristic, '-'))).toBe(true);
    expect(isJuristicId(grouped(juristic, '\u2029'))).toBe(false);
  });
});
