import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, redactText } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { PHONE_MASK } from '../../src/redact/contact.js';
import { renderings } from '../helpers/renderings.js';

/**
 * Telephone numbers as people write them on forms and letterheads: an area code or a country code in brackets, and
 * the trunk `0` kept after the country code (`+66 (0) 81 …`, the UK-style spelling). A bracket ended the digit run,
 * so the area code stood alone and the rest was too short to be a number: each passed in clear.
 */

const WRITTEN = [
  '(02) 123 4567',
  '(02)123-4567',
  '(053) 123 456',
  '(081) 234 5678',
  '(+66) 81-234-5678',
  '(+66)812345678',
  '+66 (0) 81 234 5678',
  '+66(0)812345678',
  '+66 (0)2 123 4567',
  '(+66 2) 123 4567',
  '0066 (0) 81 234 5678',
  '+66 0 81 234 5678',
];

/** The subscriber digits a reader must not find: the last seven of the number. */
const subscriber = (phone: string) => phone.replace(/\D/g, '').slice(-7);

describe('telephone numbers with brackets or a kept trunk 0', () => {
  for (const phone of WRITTEN) {
    it(`masks "${phone}" in a sentence, brackets and sign included`, () => {
      const out = redactText(`ติดต่อผู้ยื่นคำขอที่ ${phone} ในเวลาราชการ`);
      expect(out).toBe(`ติดต่อผู้ยื่นคำขอที่ ${PHONE_MASK} ในเวลาราชการ`);
    });
  }

  it('reaches an HttpError and the SafeLogger masked', () => {
    const err = new HttpError('ERR_HTTP', 'callback (+66) 81-234-5678 unreachable', { statusCode: 502 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn('contact', { detail: 'fax +66 (0) 2 123 4567' });
    const text = renderings(err, lines);
    expect(text.replace(/\D/g, '')).not.toContain(subscriber('81-234-5678'));
    expect(text.replace(/\D/g, '')).not.toContain(subscriber('2 123 4567'));
  });

  it('keeps bracketed numbers that are no telephone number', () => {
    for (const text of [
      'f(02) 123 4567',
      'items (1) 234 5678',
      'see section (2) 123 4567 of the act',
      'year (2024) 123 4567',
      'f(0812345678) returned 3',
      'amount (1,234,567.00)',
      'Organisation (0812345678) is not on the e-CMS network',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });
});
