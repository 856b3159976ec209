import type * as asn1js from 'asn1js';

/**
 * A serial number as the hex of its minimal two's-complement encoding: one key for however a CA padded it, and
 * never one key for two integers. A leading 00 is dropped only when the next byte is below 0x80 (else the 00 is
 * the sign: 00 80 is +128, 80 is -128), a leading FF only when the next byte is 0x80 or above.
 */
export function serialKey(n: asn1js.Integer): string {
  const b = n.valueBlock.valueHexView;
  let i = 0;
  while (i + 1 < b.length && ((b[i] === 0x00 && b[i + 1]! < 0x80) || (b[i] === 0xff && b[i + 1]! >= 0x80)))
    i++;
  const hex = Buffer.from(b.subarray(i)).toString('hex');
  return hex === '' ? '00' : hex;
}
