import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prepAscii, sameName } from '../src/certificate/name.js';
import { validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy } from './helpers/hierarchy.js';

/*
 * sameName answers as pkijs's RelativeDistinguishedNames.isEqual does, without ICU's collator where the answer
 * is plain. These tests hold it to pkijs on many pairs of names, check on this Node's ICU the property the
 * shortcut rests on, and check that the collator is not reached for names of printable ASCII.
 */

type Value = () => asn1js.BaseBlock;
const CN = '2.5.4.3';
const O = '2.5.4.10';
const C = '2.5.4.6';

/**
 * A name as a certificate carries it: encoded, then read back (so that its DER is known, as in a real one).
 * Non-text values (an INTEGER, a UTCTime) are outside pkijs's type for them, not outside what a certificate may hold.
 */
function name(...atvs: [string, Value][]): pkijs.RelativeDistinguishedNames {
  const atv = ([type, value]: [string, Value]) =>
    new pkijs.AttributeTypeAndValue({ type, value: value() as pkijs.AttributeTypeAndValue['value'] });
  const built = new pkijs.RelativeDistinguishedNames({ typesAndValues: atvs.map(atv) });
  const der = built.toSchema().toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

const utf8 =
  (value: string): Value =>
  () =>
    new asn1js.Utf8String({ value });
const printable =
  (value: string): Value =>
  () =>
    new asn1js.PrintableString({ value });
const ia5 =
  (value: string): Value =>
  () =>
    new asn1js.IA5String({ value });

const TEXTS = [
  'Registrar',
  'registrar',
  '  Registrar ',
  'Regi  strar',
  'Regi strar',
  'Regi-strar',
  'Registrar.',
  'TH',
  'th',
  '',
  ' ',
  'มหาวิทยาลัย',
  'มหาวิทยาลัย ',
  'Caf\u00e9',
  'Cafe\u0301',
  'ab',
  'a\u200bb',
  'a\u0001b',
  'a\tb',
  'a b',
];

function corpus(): pkijs.RelativeDistinguishedNames[] {
  const out: pkijs.RelativeDistinguishedNames[] = [];
  for (const t of TEXTS) {
    out.push(name([CN, utf8(t)]));
    out.push(name([CN, printable(t)]));
    out.push(name([C, printable('TH')], [O, utf8(t)]));
  }
  out.push(name([CN, ia5('registrar')]));
  out.push(name([O, utf8('Registrar')]));
  out.push(name([C, printable('TH')], [O, utf8('Registrar')], [CN, utf8('CA')]));
  out.push(name([CN, () => new asn1js.Integer({ value: 7 })]));
  out.push(name([CN, () => new asn1js.Integer({ value: 8 })]));
  out.push(name([CN, () => new asn1js.UTCTime({ valueDate: new Date(Date.UTC(2026, 0, 1)) })]));
  out.push(name([CN, () => new asn1js.UTCTime({ valueDate: new Date(Date.UTC(2026, 0, 2)) })]));
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('sameName', () => {
  it('gives the answer of pkijs isEqual on every pair of a varied set of names', () => {
    const names = corpus();
    let equal = 0;
    let different = 0;
    for (const a of names) {
      for (const b of names) {
        const want = a.isEqual(b);
        expect(sameName(a, b), `${JSON.stringify(a.toJSON())} / ${JSON.stringify(b.toJSON())}`).toBe(want);
        if (want) equal++;
        else different++;
      }
    }
    // Both answers are well represented, including equal names with other bytes (case, spaces, Unicode forms).
    expect(equal).toBeGreaterThan(names.length * 2);
    expect(different).toBeGreaterThan(names.length * 10);
  });

  it('rests on a property of ICU: different printable ASCII strings never collate as equal', () => {
    const chars: string[] = [];
    for (let c = 0x20; c <= 0x7e; c++) chars.push(String.fromCharCode(c));
    let pairs = 0;
    for (const x of chars) {
      for (const y of chars) {
        for (const [s, t] of [
          [x, y],
          [`a${x}b`, `a${y}b`],
          [`${x}${x}`, x],
          [`a${x}b`, 'ab'],
        ] as const) {
          if (prepAscii(s) === prepAscii(t)) continue;
          pairs++;
          expect(
            prepAscii(s).localeCompare(prepAscii(t)),
            `${JSON.stringify(s)} / ${JSON.stringify(t)}`,
          ).not.toBe(0);
        }
      }
    }
    expect(pairs).toBeGreaterThan(30_000);
  });

  it('does not reach the collator for names of printable ASCII, equal or not', () => {
    const spy = vi.spyOn(String.prototype, 'localeCompare');
    const a = name([C, printable('TH')], [O, utf8('Registrar')], [CN, utf8('Issuing CA')]);
    const b = name([C, printable('TH')], [O, utf8('Registrar')], [CN, utf8('Root CA')]);
    const a2 = name([C, printable('TH')], [O, utf8('Registrar')], [CN, utf8('Issuing CA')]);
    expect(sameName(a, b)).toBe(false);
    expect(sameName(a, a2)).toBe(true);
    expect(spy).not.toHaveBeenCalled();
    // pkijs alone does (this is what the shortcut saves), and so does sameName on text it cannot judge.
    expect(a.isEqual(b)).toBe(false);
    expect(spy).toHaveBeenCalled();
    spy.mockClear();
    expect(sameName(name([CN, utf8('Caf\u00e9')]), name([CN, utf8('Cafe\u0301')]))).toBe(true);
    expect(spy).toHaveBeenCalled();
  });

  it('validates a path, CRLs included, with ASCII names without the collator', async () => {
    const h = await createHierarchy();
    const crls = [await h.crl(h.ca), await h.crl(h.root)];
    const spy = vi.spyOn(String.prototype, 'localeCompare');
    const r = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: { crls },
    });
    expectOutcome(r, 'PASSED');
    expect(spy).not.toHaveBeenCalled();
  });
});
