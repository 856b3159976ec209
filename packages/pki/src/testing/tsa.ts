import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { essSigningCertificateV2 } from '../cms/ess.js';
import type { CryptoKey } from '../crypto-types.js';
import { cryptoEngine, digest, OID, OID_BY_DIGEST, toArrayBuffer } from '../engine.js';
import type { TimeStampFunction } from '../timestamp/function.js';

/** What `createTimeStampAuthority` needs. */
export interface TimeStampAuthorityOptions {
  certificate: Uint8Array;
  privateKey: CryptoKey;
  /** CA certificates to include after the TSA certificate. */
  chain?: Uint8Array[];
  policy?: string;
  /** Clock of the TSA; defaults to Date.now. */
  now?: () => Date;
}

function attr(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/**
 * An in-process RFC 3161 time-stamp authority (for issuers' tests and the sandbox): returns DER
 * TimeStampTokens with ESS signing-certificate-v2, signed with SHA-256.
 *
 * @example
 * ```ts
 * import { createTimeStampAuthority } from '@thgov/pki/testing';
 * const tsa = createTimeStampAuthority({ certificate: tsaCert, privateKey: tsaKey, chain: [caCert] });
 * const token = await tsa({ imprint, hashAlgorithm: 'SHA-256' });
 * ```
 */
export function createTimeStampAuthority(options: TimeStampAuthorityOptions): TimeStampFunction {
  let serial = 1;
  return async ({ imprint, hashAlgorithm, nonce }) => {
    const tsaCert = pkijs.Certificate.fromBER(toArrayBuffer(options.certificate));
    const tst = new pkijs.TSTInfo({
      version: 1,
      policy: options.policy ?? '1.3.6.1.4.1.99999.1.1',
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_BY_DIGEST[hashAlgorithm]! }),
        hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
      }),
      serialNumber: new asn1js.Integer({ value: serial++ }),
      genTime: options.now?.() ?? new Date(),
      ordering: false,
      // Echoed as sent, as RFC 3161 §2.4.2 requires of a TSA.
      ...(nonce ? { nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }) } : {}),
    });
    const tstDer = new Uint8Array(tst.toSchema().toBER(false));
    const signedData = new pkijs.SignedData({
      version: 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: tsaCert.issuer,
            serialNumber: tsaCert.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              attr(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.tstInfo })),
              attr(
                OID.messageDigest,
                new asn1js.OctetString({ valueHex: toArrayBuffer(await digest('SHA-256', tstDer)) }),
              ),
              attr(OID.signingCertificateV2, essSigningCertificateV2(options.certificate)),
            ],
          }),
        }),
      ],
      certificates: [options.certificate, ...(options.chain ?? [])].map((c) =>
        pkijs.Certificate.fromBER(toArrayBuffer(c)),
      ),
    });
    // Set after construction: pkijs would turn eContent into a chunked (BER) OCTET STRING; tokens must be DER.
    signedData.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(tstDer) });
    await signedData.sign(options.privateKey, 0, 'SHA-256', undefined, cryptoEngine());
    const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return new Uint8Array(ci.toSchema().toBER(false));
  };
}
