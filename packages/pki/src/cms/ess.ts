import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { toArrayBuffer } from '../engine.js';

/** The ESS signing-certificate-v2 attribute value (RFC 5035) naming `certDer` by its SHA-256. */
export function essSigningCertificateV2(certDer: Uint8Array): asn1js.Sequence {
  const hash = createHash('sha256').update(certDer).digest();
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(hash) })] })],
      }),
    ],
  });
}
