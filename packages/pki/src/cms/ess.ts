import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sameName } from '../certificate/name.js';
import { certDer } from '../certificate/parse.js';
import { DIGEST_BY_OID, OID, toArrayBuffer } from '../engine.js';
import { serialKey } from '../revocation/serial.js';

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

/** The one value of the one signed attribute `oid`; undefined when absent, repeated or multi-valued. */
export function signedAttribute(si: pkijs.SignerInfo, oid: string): asn1js.BaseBlock | undefined {
  const found = si.signedAttrs?.attributes.filter((a) => a.type === oid) ?? [];
  return found.length === 1 && found[0]!.values.length === 1
    ? (found[0]!.values[0] as asn1js.BaseBlock)
    : undefined;
}

/**
 * Whether the ESS signing-certificate-v2 and signing-certificate attributes name `cert` by its hash (RFC 5035,
 * RFC 5816); undefined when the SignerInfo has neither. Every value of every such attribute must name it: a
 * SignerInfo carrying both (as some signers write, v1 for old verifiers) or a repeated attribute cannot have one
 * name the signer while another, which another verifier may read first, names someone else.
 */
export function essNames(si: pkijs.SignerInfo, cert: pkijs.Certificate): boolean | undefined {
  const values = (oid: string) =>
    (si.signedAttrs?.attributes ?? [])
      .filter((a) => a.type === oid)
      .flatMap((a) => (a.values.length > 0 ? (a.values as asn1js.BaseBlock[]) : [undefined]));
  const v2 = values(OID.signingCertificateV2);
  const v1 = values(OID.signingCertificate);
  if (v2.length === 0 && v1.length === 0) return undefined;
  return v2.every((v) => essCertIdNames(v, cert, true)) && v1.every((v) => essCertIdNames(v, cert, false));
}

/** Whether the first ESSCertID(v2) of a SigningCertificate(V2) value names `cert` by its hash. */
function essCertIdNames(value: asn1js.BaseBlock | undefined, cert: pkijs.Certificate, v2: boolean): boolean {
  if (!(value instanceof asn1js.Sequence)) return false;
  try {
    const first = (value.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let alg = v2 ? 'sha256' : 'sha1';
    let hashBlock = parts[0];
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const name = DIGEST_BY_OID[new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId];
      if (!name) return false;
      alg = name.replace('-', '').toLowerCase();
      hashBlock = parts[1];
    }
    if (!(hashBlock instanceof asn1js.OctetString)) return false;
    if (!createHash(alg).update(certDer(cert)).digest().equals(Buffer.from(hashBlock.getValue())))
      return false;
    const rest = parts.slice(parts.indexOf(hashBlock) + 1);
    return rest.length === 0 || (rest.length === 1 && issuerSerialNames(rest[0], cert));
  } catch {
    return false;
  }
}

/**
 * Whether an ESSCertID's optional issuerSerial (RFC 2634 §5.4.1) names `cert`: its serial number as an integer and
 * a directoryName among its GeneralNames that is `cert`'s issuer by the rules names are compared with (another
 * string type for the same text is the same name). The hash already binds the certificate; an issuerSerial naming
 * another one makes the attribute contradict itself, which OpenSSL and pyHanko refuse too.
 */
function issuerSerialNames(block: asn1js.BaseBlock | undefined, cert: pkijs.Certificate): boolean {
  if (!(block instanceof asn1js.Sequence) || block.valueBlock.value.length !== 2) return false;
  const [names, serial] = block.valueBlock.value;
  if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return false;
  if (serialKey(serial) !== serialKey(cert.serialNumber)) return false;
  return names.valueBlock.value.some((name) => {
    const id = name.idBlock;
    if (id.tagClass !== 3 || id.tagNumber !== 4 || !(name instanceof asn1js.Constructed)) return false;
    const inner = name.valueBlock.value;
    if (inner.length !== 1 || !(inner[0] instanceof asn1js.Sequence)) return false;
    return sameName(new pkijs.RelativeDistinguishedNames({ schema: inner[0] }), cert.issuer);
  });
}
