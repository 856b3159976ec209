import { captureLogger, cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, redactText, redactValue } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { recoverableDigits, renderings } from '../helpers/renderings.js';

/**
 * Telephone numbers and ID-card laser codes in the spellings people and encoders write them. Telephone numbers
 * were matched by an ASCII-only expression (`\d`, a space or a hyphen), so `๐๘๑-๒๓๔-๕๖๗๘` on a Thai form,
 * full-width digits from an East Asian keyboard, `081.234.5678` or a non-breaking space passed in clear; citizen
 * IDs were read by a reader of every digit form and separator, telephone numbers were not. A laser code (the
 * back-of-card code DOPA's card check takes, `JT1-1234567-89`) was masked only where a key named it or where the
 * exact value was passed as a call's `sensitiveValues`: a server sentence quoting it, in any case or width, did not.
 */

const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const fullWidth = (s: string) =>
  s.replace(/[0-9A-Za-z-]/g, (c) => (c === '-' ? '\uff0d' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
const percentUtf8 = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** The national digits a leak check looks for: the subscriber part of 081-234-5678 (7 digits, no prefix). */
const SUBSCRIBER = '1234567';

const PHONE_SPELLINGS: Record<string, string> = {
  'Thai digits, dashed': thai('081-234-5678'),
  'Thai digits, spaced': thai('081 234 5678'),
  'Thai digits, mixed with ASCII': `08${thai('1')}-234-${thai('5678')}`,
  'full-width digits and hyphens': fullWidth('081-234-5678'),
  dots: '081.234.5678',
  NBSP: '081\u00a0234\u00a05678',
  'en dash': '081\u2013234\u20135678',
  'spaced en dash': '081 \u2013 234 \u2013 5678',
  'zero-width spaces between groups': '081-\u200b234-\u200b5678',
  'a Bangkok line written 0-2xxx-xxxx': '0-2123-4567',
  'Thai digits, +66': `+${thai('66 81 234 5678')}`,
  'percent-encoded Thai digits': percentUtf8(thai('081-234-5678')),
  'JSON-escaped Thai digits': [...thai('081-234-5678')]
    .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join(''),
  'HTML references': [...'081-234-5678'].map((c) => `&#${c.charCodeAt(0)};`).join(''),
};

describe('telephone numbers in every digit form and separator', () => {
  for (const [name, phone] of Object.entries(PHONE_SPELLINGS)) {
    it(`masks a telephone number written with ${name}`, () => {
      for (const text of [
        `ติดต่อ ${phone} ได้`,
        `โทร${phone}`,
        `call ${phone} for help`,
        `{"note":"${phone}"}`,
      ]) {
        const out = redactText(text);
        expect(out, text).toContain('[PHONE]');
        const digits = recoverableDigits(out);
        expect(digits, text).not.toContain(SUBSCRIBER);
      }
    });
  }

  it('masks bare Thai or full-width digits after a telephone word, as it masks ASCII ones', () => {
    for (const text of [`เบอร์โทร ${thai('0812345678')}`, `call me on ${fullWidth('0812345678')}`]) {
      expect(redactText(text), text).toMatch(/\[PHONE\]$/);
    }
  });

  it('still leaves decimals, dates, versions, bare codes and longer numbers alone, in any digit form', () => {
    for (const text of [
      'ratio 0.812345678 of the batch',
      thai('ratio 0.812345678'),
      'on 02/12/2567 at 08.30',
      thai('วันที่ 02/12/2567'),
      'version 0.8.1-beta.2',
      // Bare digits without a telephone word: an e-CMS department code, in Thai digits too.
      `หน่วยงาน ${thai('0812345678')} ไม่อยู่ในระบบ`,
      thai('serial 081234567890123'),
      'amount 0,812,345,678 THB',
      'ref AB0812345678 and path /orders/0812345678',
      // A government document number, a path and a file name split by `/` and `_`.
      'ที่ มท 0808.2/12345 ลงวันที่ 3 ธันวาคม 2569',
      'saved to /data/081/234/5678 and file_081_234_5678.pdf',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });

  it('reaches an HttpError, its JSON and the SafeLogger masked', () => {
    const phone = thai('081-234-5678');
    const err = new HttpError('ERR_HTTP', `ผู้ให้บริการแจ้ง: ติดต่อ ${phone}`, { statusCode: 400 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn(`upstream said call ${phone}`, { detail: `โทร ${phone}` });
    const text = renderings(err, lines) + JSON.stringify(redactValue({ note: `โทร ${phone}` }));
    expect(text).not.toContain(phone);
    expect(recoverableDigits(text)).not.toContain(SUBSCRIBER);
  });
});

const LASER = 'JT1-1234567-89';
const LASER_DIGITS = '1123456789';

const LASER_SPELLINGS: Record<string, string> = {
  'as printed': LASER,
  'lower case': LASER.toLowerCase(),
  'full-width': fullWidth(LASER),
  'Thai digits': thai(LASER),
  spaces: 'JT1 1234567 89',
  NBSP: 'JT1\u00a01234567\u00a089',
  'en dashes': 'JT1\u20131234567\u201389',
  'a dash after the letters': 'JT-1-1234567-89',
};

describe('laser codes in free text', () => {
  for (const [name, code] of Object.entries(LASER_SPELLINGS)) {
    it(`masks a laser code written ${name}`, () => {
      for (const text of [
        `laser code ${code} does not match the card`,
        `เลขหลังบัตร ${code} ไม่ตรงกับข้อมูล`,
        `{"message":"card check failed for ${code}"}`,
      ]) {
        const out = redactText(text);
        expect(recoverableDigits(out), text).not.toContain(LASER_DIGITS.slice(1, 8));
        expect(out, text).not.toMatch(/jt/i);
      }
    });
  }

  it('masks a bare laser code (two letters, ten digits) after a laser word', () => {
    for (const text of [
      'LaserCode JT1234567890 does not match',
      `รหัสเลเซอร์ ${thai('JT1234567890')} ไม่ถูกต้อง`,
      'laser: jt1234567890',
    ]) {
      expect(recoverableDigits(redactText(text)), text).not.toContain('2345678');
    }
  });

  it('leaves other letter-and-digit codes alone', () => {
    for (const text of [
      'order AB1234567890 shipped',
      'EMS tracking EE123456789TH',
      'book 0808.2/ว1234, request req-1-1234567-89x',
      'model XJT1-1234567-89',
      'pages 1-1234567-89 of ID 2-1234567-89',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });

  it('reaches an HttpError and the SafeLogger masked', () => {
    const err = new HttpError('ERR_HTTP', `DOPA: laser ${LASER.toLowerCase()} mismatch`, { statusCode: 400 });
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn(`card check failed for ${fullWidth(LASER)}`);
    expect(recoverableDigits(renderings(err, lines))).not.toContain(LASER_DIGITS.slice(1, 8));
  });
});

describe('digit-form matchers on hostile text', () => {
  it('read long runs of digit groups and letter-digit codes in linear time (CPU time, generous bound)', () => {
    for (const text of [
      thai('08-').repeat(130_000),
      `${thai('0')}.`.repeat(200_000),
      'JT1-'.repeat(100_000),
      `${'AB'.repeat(100_000)}1234567890`,
      fullWidth('0812 ').repeat(80_000),
    ]) {
      const cpu = cpuMsOf(() => redactText(text));
      expect(cpu, text.slice(0, 8)).toBeLessThan(3_000);
    }
  });
});
