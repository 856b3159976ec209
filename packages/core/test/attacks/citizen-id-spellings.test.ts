import { randomUUID } from 'node:crypto';
import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  CITIZEN_ID_MASK,
  completeThaiId,
  createSubjectHasher,
  MemoryAuditSink,
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
  redactValue,
  ThGovError,
} from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { recoverableDigits, renderings } from '../helpers/renderings.js';

/**
 * Citizen IDs in other spellings: a 13-digit ID written with Thai or full-width digits, unusual separators,
 * or percent-, JSON- or HTML-encoded used to pass the redactor, in errors, logs and audit fields.
 */

const ID = completeThaiId('310050012345');
const PREFIX = ID.slice(0, 12);
const HMAC = 'audit-hmac-secret-0123456789';

const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const fullWidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const grouped = (s: string, sep: string) =>
  [s.slice(0, 1), s.slice(1, 5), s.slice(5, 10), s.slice(10, 12), s.slice(12)].join(sep);
const eachDigit = (s: string, f: (d: string) => string) => [...s].map(f).join('');

const SPELLINGS: Record<string, string> = {
  'ASCII dashed': grouped(ID, '-'),
  'Thai digits': thai(ID),
  'Thai digits, dashed': thai(grouped(ID, '-')),
  'full-width digits': fullWidth(ID),
  'full-width, full-width hyphens': fullWidth(grouped(ID, '\uff0d')),
  NBSP: grouped(ID, '\u00a0'),
  'narrow NBSP': grouped(ID, '\u202f'),
  'en dash': grouped(ID, '\u2013'),
  'em dash': grouped(ID, '\u2014'),
  'spaced en dash': grouped(ID, ' \u2013 '),
  dots: grouped(ID, '.'),
  slashes: grouped(ID, '/'),
  'every digit spaced': eachDigit(ID, (d) => `${d} `).trim(),
  'zero-width spaces': [...ID].join('\u200b'),
  '%20 separators': grouped(ID, '%20'),
  '%3X digits': eachDigit(ID, (d) => `%3${d}`),
  '%E0%B9%9X Thai digits': eachDigit(ID, (d) => `%E0%B9%9${d}`),
  'lower-case percent Thai digits': eachDigit(ID, (d) => `%e0%b9%9${d}`),
  'double-encoded %253X': eachDigit(ID, (d) => `%253${d}`),
  '\\u003X JSON escapes': eachDigit(ID, (d) => `\\u003${d}`),
  '\\u0e5X JSON-escaped Thai digits': eachDigit(ID, (d) => `\\u0e5${d}`),
  'HTML character references': eachDigit(ID, (d) => `&#x3${d};`),
  mixed: `${ID.slice(0, 3)}${thai(ID.slice(3, 6))}-${fullWidth(ID.slice(6, 9))}%3${ID[9]}\\u003${ID[10]}${ID.slice(11)}`,
};

function expectMasked(out: string): void {
  expect(recoverableDigits(out)).not.toContain(PREFIX);
  // Masked as an ID, or as the value of a personal field (`pid`).
  expect(out.includes(CITIZEN_ID_MASK) || out.includes(REDACTED)).toBe(true);
}

describe('citizen IDs in every spelling', () => {
  for (const [name, spelling] of Object.entries(SPELLINGS)) {
    it(`masks the ${name} spelling in text, URLs, headers, objects, errors and logs`, () => {
      expectMasked(redactText(`person ${spelling} asked`));
      expectMasked(redactText(`{"pid":"${spelling}","note":"x"}`));
      expectMasked(redactUrl(`https://gdx.example/people/${spelling}/card?ref=${spelling}`));
      expectMasked(redactHeaders({ 'x-road-issue': `case ${spelling}` })['x-road-issue'] ?? '');
      expectMasked(JSON.stringify(redactValue({ note: `for ${spelling}` })));

      const err = new ThGovError('ERR_HTTP', `no record for ${spelling}`, { hint: `check ${spelling}` });
      const { lines, logger } = captureLogger();
      new SafeLogger(logger, 'debug').warn(`lookup of ${spelling} failed`, { who: `clerk ${spelling}` });
      expect(recoverableDigits(renderings(err, lines))).not.toContain(PREFIX);
    });
  }

  it('masks only the ID, keeping the text around it', () => {
    expect(redactText(`a ${thai(ID)} b`)).toBe(`a ${CITIZEN_ID_MASK} b`);
    expect(redactText(`/people/${eachDigit(ID, (d) => `%3${d}`)}/x`)).toBe(`/people/${CITIZEN_ID_MASK}/x`);
    expect(redactText(`"${eachDigit(ID, (d) => `\\u003${d}`)}"`)).toBe(`"${CITIZEN_ID_MASK}"`);
    expect(redactText(`id:\u00a0${grouped(ID, '\u2013')}.`)).toBe(`id:\u00a0${CITIZEN_ID_MASK}.`);
    // Glued to a label in the official grouping: still an ID.
    expect(redactText(`pid${grouped(ID, '-')}`)).toBe(`pid${CITIZEN_ID_MASK}`);
  });

  it('leaves juristic IDs, wrong check digits, longer numbers and dates alone; a phone number is no citizen ID', () => {
    const juristic = completeThaiId('010555512345');
    const wrong = PREFIX + String((Number(ID[12]) + 1) % 10);
    for (const text of [
      `company ${juristic}`,
      `company ${thai(juristic)}`,
      `n ${wrong}`,
      `n ${thai(wrong)}`,
      `ts 9${ID}`,
      `ts ${ID}7`,
      `ts ${thai(ID)}${thai('7')}`,
      'on 2567/01/15 at 10:30, ext. 89',
      'amount 1,234,567.89 THB',
    ]) {
      expect(redactText(text)).toBe(text);
    }
    // Telephone numbers are masked as what they are (contact-details.test.ts).
    expect(redactText('tel 02-123-4567 ext. 89')).toBe('tel [PHONE] ext. 89');
  });

  it('never masks a request ID: UUIDs whose hex groups hold digits stay readable', () => {
    // Digit runs glued to hex letters could add up to 13 digits across the dashes; they are no ID.
    const fixed = ['e1234567-8901-4234-9567-890123456789', '12345678-9012-4345-8678-9012345678ab'];
    const random = Array.from({ length: 20_000 }, () => randomUUID());
    for (const id of [...fixed, ...random])
      expect(redactText(`request ${id} failed`)).toBe(`request ${id} failed`);
  });

  it('audit records: who, purpose and caseRef never keep an ID in any spelling', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: HMAC });
    const hash = createSubjectHasher(HMAC);
    for (const spelling of Object.values(SPELLINGS)) {
      await sink.append({
        who: spelling,
        service: 'gdx',
        status: 'ok',
        purpose: `eligibility of ${spelling}`,
        caseRef: `CASE/${spelling}`,
        subject: spelling,
      });
    }
    const records = sink.records;
    expect(records).toHaveLength(Object.keys(SPELLINGS).length);
    for (const r of records) {
      // A citizen-ID `who` is stored as the same keyed hash whatever its spelling.
      expect(r.who).toBe(hash(ID));
      expect(r.subject).toBe(hash(ID));
      expect(recoverableDigits(`${r.purpose} ${r.caseRef}`)).not.toContain(PREFIX);
    }
    expect(recoverableDigits(sink.text())).not.toContain(PREFIX);
  });
});
