import type * as pkijs from 'pkijs';
import { extKeyUsage, keyUsage } from '../certificate/extensions.js';
import type { KeyUsageName } from '../certificate/types.js';
import { OID } from '../engine.js';

/**
 * What the end-entity certificate is used for. Each profile names the key usage bits of which one must be set
 * (when the certificate has a key usage extension) and the extended key usages of which one must be listed
 * (when it has that extension, or always for `timestamping` and `ocsp-signing`):
 *
 * - `document-signing`: digitalSignature or nonRepudiation; EKU id-kp-documentSigning, emailProtection,
 *   anyExtendedKeyUsage or Adobe authentic-documents (1.2.840.113583.1.1.5). A TLS server certificate fails.
 * - `timestamping`: an EKU that includes id-kp-timeStamping is required (RFC 3161 §2.3).
 * - `ocsp-signing`: an EKU that includes id-kp-OCSPSigning is required (RFC 6960 §4.2.2.2).
 * - `any`: no usage check.
 * - an object: your own rule.
 */
export type CertificateUsage = 'document-signing' | 'timestamping' | 'ocsp-signing' | 'any' | CustomUsage;

/** A usage rule of your own (see {@link CertificateUsage}). */
export interface CustomUsage {
  /** One of these key usage bits must be set when the extension is present. */
  keyUsage?: readonly KeyUsageName[];
  /** One of these EKU OIDs must be listed when the extension is present. */
  extendedKeyUsage?: readonly string[];
  /** Refuse a certificate without an EKU extension. Default false. */
  requireExtendedKeyUsage?: boolean;
}

const SIGNING_BITS: readonly KeyUsageName[] = ['digitalSignature', 'nonRepudiation'];

export const USAGE_PROFILES: Readonly<Record<Exclude<CertificateUsage, CustomUsage>, Required<CustomUsage>>> =
  {
    'document-signing': {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: [
        OID.ekuDocumentSigning,
        OID.ekuEmailProtection,
        OID.ekuAny,
        OID.ekuAdobeAuthenticDocuments,
      ],
      requireExtendedKeyUsage: false,
    },
    timestamping: {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: [OID.ekuTimeStamping],
      requireExtendedKeyUsage: true,
    },
    'ocsp-signing': {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: [OID.ekuOcspSigning],
      requireExtendedKeyUsage: true,
    },
    any: { keyUsage: [], extendedKeyUsage: [], requireExtendedKeyUsage: false },
  };

/** Why the certificate may not be used this way, or undefined. */
export function usageViolation(c: pkijs.Certificate, usage: CertificateUsage): string | undefined {
  const rule = typeof usage === 'string' ? USAGE_PROFILES[usage] : usage;
  const ku = keyUsage(c);
  const wantKu = rule.keyUsage ?? [];
  if (ku && wantKu.length > 0 && !wantKu.some((b) => ku.has(b)))
    return `its key usage (${[...ku].join(', ') || 'none'}) allows none of ${wantKu.join(', ')}`;
  const eku = extKeyUsage(c);
  const wantEku = rule.extendedKeyUsage ?? [];
  if (!eku) {
    return rule.requireExtendedKeyUsage
      ? `it has no extended key usage (${wantEku.join(' or ')} required)`
      : undefined;
  }
  if (wantEku.length > 0 && !wantEku.some((o) => eku.oids.includes(o)))
    return `its extended key usage (${eku.oids.join(', ') || 'none'}) allows none of ${wantEku.join(', ')}`;
  return undefined;
}
