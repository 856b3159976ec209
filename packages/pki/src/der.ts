import * as asn1js from 'asn1js';

/**
 * asn1js's reading of BER bytes, which never throws. asn1js answers offset -1 for most bytes it cannot read, but
 * throws on a few values: a GeneralizedTime whose text is no time, a BMPString of an odd length, a UniversalString
 * whose length is not a multiple of four. Those answer offset -1 here too, so that a hostile value in a
 * certificate, CRL, OCSP response, token or bundle is unreadable input like any other, never an untyped error out
 * of code written for offset -1.
 */
export function readBer(
  data: Uint8Array | ArrayBuffer,
  options?: asn1js.FromBerOptions,
): asn1js.FromBerResult {
  try {
    return asn1js.fromBER(data, options);
  } catch (cause) {
    const result = new asn1js.BaseBlock();
    result.error = cause instanceof Error ? cause.message : 'unreadable value';
    return { offset: -1, result };
  }
}
