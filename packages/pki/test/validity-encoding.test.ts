// Certificate validity as written (RFC 5280 §4.1.2.5): UTCTime "YYMMDDhhmmssZ" (YY 50-99 is 19YY, 00-49 is 20YY)
// or GeneralizedTime "YYYYMMDDhhmmssZ", always in UTC and with seconds. asn1js reads other forms wrongly: a
// UTCTime without seconds or with an offset as 1899-11-30, a GeneralizedTime in local time or with an offset by
// the process time zone and with the day of the week as the day. Such a certificate must be refused, never
// judged by a date it does not carry.
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { summarizeCertificate, validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from './helpers/hierarchy.js';
import {
  generalizedText as generalized,
  resigned,
  timeBlock,
  utcText as utc,
  type WrittenTime as Written,
} from './helpers/resign.js';

const h = await createHierarchy();
const now = h.now;
const pad = (n: number) => String(n).padStart(2, '0');

/** A certificate under `issuer` whose validity is written exactly as given, signed again by the issuer. */
async function writtenValidity(
  issuer: Identity,
  serial: number,
  notBefore: Written,
  notAfter: Written,
): Promise<Uint8Array> {
  const base = await issue(now, `Written validity ${serial}`, serial, issuer, SIGNER_USAGE);
  return resigned(base.cert, issuer.key, (fields) => {
    fields[4] = new asn1js.Sequence({ value: [timeBlock(notBefore), timeBlock(notAfter)] });
  });
}

async function validate(leaf: Uint8Array, at?: Date) {
  return validateCertificatePath(leaf, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: false,
    ...(at ? { at } : {}),
  });
}

const lastYear = new Date(now.getTime() - 365 * DAY);
const nextYear = new Date(now.getTime() + 365 * DAY);

describe('validity times RFC 5280 forbids are refused, not misread', () => {
  it('a notBefore in the future written as a UTCTime without seconds is not read as 1899', async () => {
    const future = new Date(now.getTime() + 10 * DAY);
    const leaf = await writtenValidity(h.ca, 500, utc(future, 'Z'), utc(nextYear));
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'CERTIFICATE_CHAIN_GENERAL_FAILURE');
    expect(r.failure).toEqual({ check: 'validity', position: 0 });
    expect(r.message).toMatch(/notBefore/);
  });

  it('a UTCTime with an offset is refused', async () => {
    const leaf = await writtenValidity(h.ca, 501, utc(lastYear, '00+0700'), utc(nextYear));
    const r = await validate(leaf);
    expect(r.indication).not.toBe('PASSED');
    expect(r.failure).toEqual({ check: 'validity', position: 0 });
  });

  it('a GeneralizedTime in local time or with an offset is refused, whatever the process time zone', async () => {
    for (const [serial, tail] of [
      [502, '00'],
      [503, '00+0700'],
    ] as const) {
      const leaf = await writtenValidity(h.ca, serial, utc(lastYear), generalized(nextYear, tail));
      const r = await validate(leaf);
      expect(r.indication, tail).not.toBe('PASSED');
      expect(r.failure).toEqual({ check: 'validity', position: 0 });
      expect(r.message).toMatch(/notAfter/);
    }
  });
});

describe('validity times of digits that name no moment of the calendar', () => {
  it('a notAfter of month 13 or of 31 April is refused, not carried over into the next year or month', async () => {
    const yy = pad((now.getUTCFullYear() + 1) % 100);
    for (const [serial, text] of [
      [520, `${yy}1301000000Z`],
      [521, `${yy}0431000000Z`],
      [522, `${yy}0101240000Z`],
    ] as const) {
      const leaf = await writtenValidity(h.ca, serial, utc(lastYear), { tag: 'utc', text });
      const r = await validate(leaf);
      expect(r.indication, text).not.toBe('PASSED');
      expect(r.failure).toEqual({ check: 'validity', position: 0 });
      expect(r.message).toMatch(/notAfter/);
    }
  });

  it('guard: 29 February of a leap year (2028) is a moment of the calendar', async () => {
    const leaf = await writtenValidity(h.ca, 523, utc(lastYear), { tag: 'utc', text: '280229000000Z' });
    expect(summarizeCertificate(leaf).notAfter).toBe('2028-02-29T00:00:00.000Z');
    expectOutcome(await validate(leaf, now), 'PASSED');
  });
});

describe('validity times RFC 5280 allows (guards)', () => {
  it('UTCTime year 50 is 1950 and year 49 is 2049', () => {
    const written = { notBefore: '500101000000Z', notAfter: '491231235959Z' };
    return writtenValidity(
      h.ca,
      510,
      { tag: 'utc', text: written.notBefore },
      { tag: 'utc', text: written.notAfter },
    ).then((leaf) => {
      const s = summarizeCertificate(leaf);
      expect([s.notBefore, s.notAfter]).toEqual(['1950-01-01T00:00:00.000Z', '2049-12-31T23:59:59.000Z']);
    });
  });

  it('a GeneralizedTime with a fraction of a second is read to the millisecond; notAfter itself is still valid', async () => {
    const end = new Date(Math.floor((now.getTime() + 30 * DAY) / 1000) * 1000);
    const leaf = await writtenValidity(
      h.ca,
      511,
      utc(lastYear),
      generalized(end, `${pad(end.getUTCSeconds())}.5Z`),
    );
    const last = new Date(end.getTime() + 500);
    expect(summarizeCertificate(leaf).notAfter).toBe(last.toISOString());
    expectOutcome(await validate(leaf, last), 'PASSED');
    expectOutcome(
      await validate(leaf, new Date(last.getTime() + 1)),
      'INDETERMINATE',
      'OUT_OF_BOUNDS_NO_POE',
    );
  });
});
