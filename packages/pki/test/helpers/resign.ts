import { KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { CryptoKey } from '../../src/crypto-types.js';

export type WrittenTime = { tag: 'utc' | 'generalized'; text: string };

/** A UTCTime or GeneralizedTime block holding exactly `text`, however malformed. */
export function timeBlock(w: WrittenTime): asn1js.Primitive {
  return new asn1js.Primitive({
    idBlock: { tagClass: 1, tagNumber: w.tag === 'utc' ? 23 : 24 },
    valueHex: new TextEncoder().encode(w.text).buffer as ArrayBuffer,
  });
}

const pad = (n: number) => String(n).padStart(2, '0');
const digits = (d: Date) =>
  `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;

/** `d` as a UTCTime text; `tail` replaces the seconds and "Z" (to write forms RFC 5280 forbids). */
export function utcText(d: Date, tail = `${pad(d.getUTCSeconds())}Z`): WrittenTime {
  return { tag: 'utc', text: `${pad(d.getUTCFullYear() % 100)}${digits(d)}${tail}` };
}

/** `d` as a GeneralizedTime text; `tail` replaces the seconds and "Z". */
export function generalizedText(d: Date, tail = `${pad(d.getUTCSeconds())}Z`): WrittenTime {
  return { tag: 'generalized', text: `${d.getUTCFullYear()}${digits(d)}${tail}` };
}

/** The blocks inside a constructed block, editable in place. */
export function children(b: asn1js.AsnType): asn1js.AsnType[] {
  return (b as asn1js.Constructed).valueBlock.value as asn1js.AsnType[];
}

/**
 * A signed structure SEQUENCE { tbs, algorithm, BIT STRING, ... } (certificate, CRL, BasicOCSPResponse) whose tbs
 * fields `change` edited in place, signed again with `key` (EC, SHA-256).
 */
export function resigned(
  der: Uint8Array,
  key: CryptoKey,
  change: (tbsFields: asn1js.AsnType[]) => void,
): Uint8Array {
  const [tbs, algorithm, , ...rest] = children(asn1js.fromBER(der).result);
  const fields = children(tbs!);
  change(fields);
  const tbs2 = new asn1js.Sequence({ value: fields });
  const tbsDer = new Uint8Array(tbs2.toBER(false));
  const signature = sign('sha256', tbsDer, { key: KeyObject.from(key), dsaEncoding: 'der' });
  const signed = new asn1js.Sequence({
    // The edited blocks as they are, not parsed again: asn1js throws on some values a test writes on purpose.
    value: [tbs2, algorithm!, new asn1js.BitString({ valueHex: new Uint8Array(signature).buffer }), ...rest],
  });
  return new Uint8Array(signed.toBER(false));
}
