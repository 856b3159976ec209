import type { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';

/**
 * What Node's `X509Certificate` does not expose and letter trust needs: the key usage bits, the basic
 * constraints' pathLenConstraint, the certificate's own signature algorithm and which extensions are critical.
 * A small DER read with asn1js.
 */
export interface CertificateProfile {
  signatureAlgorithmOid: string;
  /** Undefined when the certificate has no keyUsage extension. */
  keyUsage: string[] | undefined;
  /** Undefined when the certificate has no extKeyUsage extension. */
  extendedKeyUsage: string[] | undefined;
  /** Undefined when the certificate has no basicConstraints extension. */
  basicConstraints: { ca: boolean; pathLength: number | undefined } | undefined;
  /** Critical extensions the verifier does not process. */
  unsupportedCritical: string[];
}

const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
} as const;

/** Extensions a letter verifier may accept as critical: processed here, or harmless to accept unprocessed. */
const UNDERSTOOD = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.extKeyUsage,
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.32', // certificatePolicies: no policy is required, so any is acceptable
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** Key usage bit names in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** Certificate signature algorithms refused by default: SHA-1 and MD5 (and MD2) based. */
export const WEAK_CERTIFICATE_SIGNATURES = new Set<string>([
  '1.2.840.113549.1.1.2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.4', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.3.14.3.2.29', // sha1WithRSA (OIW)
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3', // dsa-with-sha1
]);

class ProfileError extends Error {}

function children(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  const value = (block as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!Array.isArray(value)) throw new ProfileError('expected a constructed value');
  return value;
}

function parse(der: ArrayBuffer | Uint8Array): asn1js.AsnType {
  const view = der instanceof Uint8Array ? der : new Uint8Array(der);
  const { offset, result } = asn1js.fromBER(view);
  if (offset === -1 || offset !== view.byteLength) throw new ProfileError('malformed DER');
  return result;
}

function oidOf(block: asn1js.AsnType | undefined): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) throw new ProfileError('expected an OID');
  return block.valueBlock.toString();
}

function keyUsageOf(extnValue: Uint8Array): string[] {
  const bits = parse(extnValue);
  if (!(bits instanceof asn1js.BitString)) throw new ProfileError('keyUsage is not a BIT STRING');
  const bytes = bits.valueBlock.valueHexView;
  return KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
}

function basicConstraintsOf(extnValue: Uint8Array): CertificateProfile['basicConstraints'] {
  let ca = false;
  let pathLength: number | undefined;
  for (const item of children(parse(extnValue))) {
    if (item instanceof asn1js.Boolean) ca = item.valueBlock.value;
    else if (item instanceof asn1js.Integer) {
      const n = item.valueBlock.valueDec;
      if (!Number.isSafeInteger(n) || n < 0) throw new ProfileError('bad pathLenConstraint');
      pathLength = n;
    }
  }
  return { ca, pathLength };
}

function extensionsOf(tbs: asn1js.AsnType[]): asn1js.AsnType[] {
  const tagged = tbs.find(
    (b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 3 && b.idBlock.isConstructed,
  );
  if (!tagged) return [];
  const [list] = children(tagged);
  return children(list);
}

/** Reads the profile of a certificate; throws when its DER cannot be read. */
export function certificateProfile(cert: X509Certificate): CertificateProfile {
  try {
    const [tbs, sigAlg] = children(parse(cert.raw));
    const profile: CertificateProfile = {
      signatureAlgorithmOid: oidOf(children(sigAlg)[0]),
      keyUsage: undefined,
      extendedKeyUsage: undefined,
      basicConstraints: undefined,
      unsupportedCritical: [],
    };
    for (const ext of extensionsOf(children(tbs))) {
      const parts = children(ext);
      const id = oidOf(parts[0]);
      const critical = parts[1] instanceof asn1js.Boolean ? parts[1].valueBlock.value : false;
      const value = parts.at(-1);
      if (!(value instanceof asn1js.OctetString)) throw new ProfileError('extnValue is not an OCTET STRING');
      const bytes = value.valueBlock.valueHexView;
      if (id === OID.keyUsage) profile.keyUsage = keyUsageOf(bytes);
      else if (id === OID.basicConstraints) profile.basicConstraints = basicConstraintsOf(bytes);
      else if (id === OID.extKeyUsage) profile.extendedKeyUsage = children(parse(bytes)).map(oidOf);
      if (critical && !UNDERSTOOD.has(id)) profile.unsupportedCritical.push(id);
    }
    return profile;
  } catch (err) {
    if (err instanceof ProfileError) throw new Error(`certificate profile: ${err.message}`);
    throw new Error('certificate profile: unreadable certificate');
  }
}
