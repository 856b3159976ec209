import type * as asn1js from 'asn1js';

/** A serial number as hex without leading zero bytes: one key for however a CA padded it. */
export function serialKey(n: asn1js.Integer): string {
  const hex = Buffer.from(n.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}
