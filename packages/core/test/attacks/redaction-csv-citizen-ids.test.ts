import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { CITIZEN_ID_MASK, completeThaiId, HttpError, redactText, redactValue } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { recoverableDigits, renderings } from '../helpers/renderings.js';

/**
 * Citizen IDs split the way a spreadsheet or a CSV export splits them: the official groups (1-4-5-2-1) or single
 * digits in cells separated by commas, semicolons, pipes or colons, quoted or not (`"1","1037",…`), or by a Thai
 * user's comma of another script (full-width `，`, ideographic `、`, Arabic `،`). Only white space, dashes, dots,
 * slashes and underscores split a run of digits, so each of these passed in clear; an amount written with
 * thousands separators (`1,103,700,123,458`) is no ID and stays.
 */

const ID = completeThaiId('110370012345');
const OFFICIAL = [ID.slice(0, 1), ID.slice(1, 5), ID.slice(5, 10), ID.slice(10, 12), ID.slice(12)];
const DIGITS = [...ID];

const SPELLINGS: Record<string, string> = {
  'commas, official groups': OFFICIAL.join(','),
  'comma and space, official groups': OFFICIAL.join(', '),
  'semicolons (a European CSV)': OFFICIAL.join(';'),
  pipes: OFFICIAL.join('|'),
  colons: OFFICIAL.join(':'),
  'quoted CSV cells': OFFICIAL.map((g) => `"${g}"`).join(','),
  'single-quoted cells': OFFICIAL.map((g) => `'${g}'`).join(','),
  'one digit per cell': DIGITS.join(','),
  'one quoted digit per cell': DIGITS.map((d) => `"${d}"`).join(','),
  'full-width commas': OFFICIAL.join('\uff0c'),
  'ideographic commas': OFFICIAL.join('\u3001'),
  'Arabic commas': OFFICIAL.join('\u060c'),
};

describe('citizen IDs split by commas and other cell separators', () => {
  for (const [name, spelling] of Object.entries(SPELLINGS)) {
    it(`masks ${name}: ${spelling}`, () => {
      const out = redactText(`row 7: ${spelling}\nrow 8: ok`);
      expect(out).toContain(CITIZEN_ID_MASK);
      expect(recoverableDigits(out)).not.toContain(ID.slice(0, 12));
      expect(out).toContain('row 8: ok');
    });
  }

  it('reaches an HttpError, redactValue and the SafeLogger masked', () => {
    const err = new HttpError('ERR_HTTP', `bad row: ${SPELLINGS['quoted CSV cells']}`, { statusCode: 400 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn('import', { row: SPELLINGS['commas, official groups'] });
    const value = JSON.stringify(redactValue({ cells: SPELLINGS['one digit per cell'] }));
    const text = `${renderings(err, lines)}\n${value}`;
    expect(recoverableDigits(text)).not.toContain(ID.slice(0, 12));
  });

  it('keeps numbers with thousands separators, CSV rows of figures, times and ratios', () => {
    // The same 13 digits as an amount: thousands groups are no ID grouping.
    const amount = ID.replace(/\B(?=(\d{3})+$)/g, ',');
    for (const text of [
      `total ${amount} THB`,
      `total ${amount.replaceAll(',', "'")} CHF`,
      'amounts 1,234,567 and 12,345,678.00',
      '2026,12,07,1,5,300,25,1,8,7',
      'year;month;count\n2567;12;10370;45;8',
      'at 12:30:45 and 1:1037',
      'ratio 1|1037|00123',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });
});
