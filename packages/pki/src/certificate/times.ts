import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';

/** RFC 5280 §4.1.2.5.1: UTCTime "YYMMDDhhmmssZ". */
const UTC_TIME = /^\d{12}Z$/;
/**
 * RFC 5280 §4.1.2.5.2: GeneralizedTime "YYYYMMDDhhmmssZ". A fraction of a second (RFC 3161 and RFC 6960 allow
 * one; asn1js reads it right) is let through.
 */
const GENERALIZED_TIME = /^\d{14}(\.\d+)?Z$/;

/**
 * Whether a UTCTime or GeneralizedTime block is written in UTC with seconds and names a moment of the calendar, the
 * only forms asn1js reads as written: it reads a UTCTime without seconds, with an offset or of text that is no time
 * as 1899-11-30, a GeneralizedTime in local time or with an offset by the process time zone, with the offset's
 * sign reversed and the day of the week as the day, and a month 13 as January.
 */
export function isZuluTime(block: unknown): boolean {
  if (!(block instanceof asn1js.UTCTime)) return false;
  const text = Buffer.from(block.valueBlock.valueHexView).toString('latin1');
  const generalized = block instanceof asn1js.GeneralizedTime;
  if (!(generalized ? GENERALIZED_TIME : UTC_TIME).test(text)) return false;
  return isCalendarTime(
    generalized ? text.slice(2) : text,
    generalized ? Number(text.slice(0, 4)) : undefined,
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether "YYMMDDhhmmss…" names a moment of the calendar: asn1js carries a month 13, a 31 April or an hour 24
 * over into the next year, month or day rather than refuse it. `year` is the full year when known (February 29).
 */
function isCalendarTime(digits: string, year?: number): boolean {
  const [month, day, hour, minute, second] = [2, 4, 6, 8, 10].map((i) => Number(digits.slice(i, i + 2)));
  // A UTCTime's two digits stand for 1950–2049: 19YY and 20YY are leap years alike but for 1900, never written.
  const y = year ?? 2000 + Number(digits.slice(0, 2));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (month! < 1 || month! > 12) return false;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month! - 1]!;
  return day! >= 1 && day! <= days && hour! <= 23 && minute! <= 59 && second! <= 59;
}

const VALIDITY_READINGS = new WeakMap<pkijs.Certificate, string | undefined>();

/**
 * Why a certificate's validity cannot be taken as parsed (a time written otherwise than RFC 5280 requires), or
 * undefined. Read once per parsed certificate.
 */
export function validityEncodingProblem(c: pkijs.Certificate): string | undefined {
  if (VALIDITY_READINGS.has(c)) return VALIDITY_READINGS.get(c);
  let problem: string | undefined;
  try {
    const fields = (asn1js.fromBER(c.tbsView).result as asn1js.Sequence).valueBlock.value;
    // The version is an explicit [0] and may be absent (v1).
    const first = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
    const [notBefore, notAfter] = (fields[first + 3] as asn1js.Sequence).valueBlock.value;
    if (!isZuluTime(notBefore)) problem = 'notBefore';
    else if (!isZuluTime(notAfter)) problem = 'notAfter';
  } catch {
    problem = 'validity';
  }
  const message = problem && `has a ${problem} that is not a UTC time with seconds (RFC 5280 §4.1.2.5)`;
  VALIDITY_READINGS.set(c, message);
  return message;
}

/**
 * Whether every UTCTime and GeneralizedTime in a parsed structure is written as `isZuluTime` requires (CRL and OCSP
 * times: RFC 5280 §5.1.2.4–5.1.2.6, RFC 6960 §4.2.2.1). Walks the tree without recursion; what lies inside OCTET
 * STRINGs (extension values) is not looked at.
 */
export function allZuluTimes(root: asn1js.AsnType): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const block = stack.pop();
    if (block instanceof asn1js.UTCTime) {
      if (!isZuluTime(block)) return false;
      continue;
    }
    const inner = (block as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
    // A loop, not a spread: a CRL has hundreds of thousands of entries.
    if (Array.isArray(inner)) for (const child of inner) stack.push(child);
  }
  return true;
}
