import { captureLogger, cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, redactPreview, redactText, redactValue } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';

/**
 * E-mail addresses and Thai telephone numbers are personal data (PDPA), and servers put them in free text: an
 * OIDC provider's `error_description` ("no account for somchai.j@example.co.th"), a CKAN validation message, an
 * upstream's echoed form. Keys named `email` or `phone` were masked; the same values in a sentence reached
 * error messages and logs in clear.
 */

const EMAILS = [
  'somchai.j@example.co.th',
  'First.Last+saraban@mail.moi.go.th',
  'officer_01@dga.or.th',
  'UPPER@EXAMPLE.COM',
];

const PHONES = [
  '081-234-5678',
  '081 234 5678',
  '0812345678',
  '08-1234-5678',
  '+66812345678',
  '+66 81 234 5678',
  '+66-81-234-5678',
  '02-123-4567',
  '021234567',
  '053-123-456',
  '+66 2 123 4567',
  '+66 0812345678',
];

describe('e-mail addresses and telephone numbers in free text', () => {
  it.each(EMAILS)('masks the e-mail address %s in a sentence, in Thai text and in JSON', (email) => {
    for (const text of [
      `no account for ${email} at this provider`,
      `ไม่พบบัญชี${email}ในระบบ`,
      JSON.stringify({ message: `user ${email} is locked` }),
      `<${email}>`,
    ]) {
      const out = redactText(text);
      expect(out, text).not.toContain(email);
      expect(out.toLowerCase(), text).not.toContain(email.split('@')[0]?.toLowerCase());
    }
  });

  it.each(PHONES)('masks the telephone number %s', (phone) => {
    for (const text of [`call ${phone} for help`, `โทร ${phone}`, `"phoneNumber contact: ${phone}"`]) {
      const out = redactText(text);
      expect(out, text).not.toContain(phone);
      expect(out.replace(/\D/g, ''), text).not.toContain('2345678'.slice(0, 6));
    }
  });

  it('keeps what only looks like them: package specifiers, scoped names, versions, dates, IDs and amounts', () => {
    for (const text of [
      'installed @thgov/core@1.4.0 and pkijs@3.2.4',
      'see https://example.go.th/path?q=1 and git@127.0.0.1',
      'request 550e8400-e29b-41d4-a716-446655440000 at 2026-12-07T03:14:00.123Z',
      'amount 10,000,000.00 THB, book 0808.2/ว1234, serial 12345678901234',
      'status 503 after 1234567890 ms, port 54321, HTTP/1.1',
      'timestamp 1733540040123 and hash 0a1b2c3d4e5f60718293',
      // Bare digits without a telephone word: an e-CMS department code (ministry 08 or 09), an account.
      'Organisation 0812345678 is not on the e-CMS network (GetOrganizationList)',
      'letter from 0912300001 to 0031500001, account 0612345678',
    ]) {
      expect(redactText(text), text).toBe(text);
    }
  });

  it('reaches errors, their JSON, logs and redactValue masked', () => {
    const email = EMAILS[0] as string;
    const phone = PHONES[0] as string;
    const err = new HttpError('ERR_HTTP', `provider said: ${email} / ${phone}`, { statusCode: 400 });
    expect(err.message).not.toContain(email);
    expect(JSON.stringify(err)).not.toContain(phone);
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn(`upstream refused ${email}`, {
      detail: `contact ${email}, ${phone}`,
    });
    expect(lines.join('\n')).not.toContain(email);
    expect(lines.join('\n')).not.toContain(phone);
    expect(JSON.stringify(redactValue({ note: `${email} ${phone}` }))).not.toMatch(/somchai|234-5678/);
    // A preview cut in the middle of an address does not leave its start.
    const preview = redactPreview(`${'x '.repeat(10)}${email}`, 28);
    expect(preview).not.toContain('somchai');
  });

  it('reads hostile text in linear time', () => {
    const cases = [
      '@'.repeat(400_000),
      'a@'.repeat(200_000),
      `${'a'.repeat(400_000)}@`,
      `x@${'a.'.repeat(200_000)}`,
      `${'a.'.repeat(200_000)}@b.co`,
      '0'.repeat(400_000),
      '08-'.repeat(130_000),
      '+66 '.repeat(100_000),
    ];
    for (const text of cases) {
      const cpu = cpuMsOf(() => redactText(text));
      expect(cpu, text.slice(0, 8)).toBeLessThan(3_000);
    }
  });
});
