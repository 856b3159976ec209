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
 * - `timestamping`: a critical EKU with id-kp-timeStamping and nothing else is required (RFC 3161 §2.3).
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
  /**
   * Refuse a certificate without a key usage extension (RFC 5280 reads its absence as "any use"; a profile that
   * wants the issuer to have said "signing" sets this). Default false.
   */
  requireKeyUsage?: boolean;
  /**
   * The EKU extension must be critical and list only the `extendedKeyUsage` purposes (a TSA certificate, RFC 3161
   * §2.3). Default false.
   */
  exclusiveExtendedKeyUsage?: boolean;
}

const SIGNING_BITS: readonly KeyUsageName[] = ['digitalSignature', 'nonRepudiation'];

/**
 * The extended key usages that allow signing documents (the `document-signing` profile): id-kp-documentSigning
 * (RFC 9336), emailProtection (how most national CAs issue signing certificates), anyExtendedKeyUsage and Adobe's
 * authentic-documents EKU. A base for your own {@link CustomUsage}.
 *
 * @example
 * ```ts
 * import { DOCUMENT_SIGNING_EXTENDED_KEY_USAGES, validateCertificatePath } from '@thgov/pki';
 *
 * const usage = { keyUsage: ['nonRepudiation'], extendedKeyUsage: [...DOCUMENT_SIGNING_EXTENDED_KEY_USAGES, myOid] };
 * await validateCertificatePath(signer, { trustAnchors, usage });
 * ```
 */
export const DOCUMENT_SIGNING_EXTENDED_KEY_USAGES: readonly string[] = Object.freeze([
  OID.ekuDocumentSigning,
  OID.ekuEmailProtection,
  OID.ekuAny,
  OID.ekuAdobeAuthenticDocuments,
]);

export const USAGE_PROFILES: Readonly<Record<Exclude<CertificateUsage, CustomUsage>, Required<CustomUsage>>> =
  {
    'document-signing': {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: DOCUMENT_SIGNING_EXTENDED_KEY_USAGES,
      requireExtendedKeyUsage: false,
      requireKeyUsage: false,
      exclusiveExtendedKeyUsage: false,
    },
    timestamping: {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: [OID.ekuTimeStamping],
      requireExtendedKeyUsage: true,
      requireKeyUsage: false,
      exclusiveExtendedKeyUsage: true,
    },
    'ocsp-signing': {
      keyUsage: SIGNING_BITS,
      extendedKeyUsage: [OID.ekuOcspSigning],
      requireExtendedKeyUsage: true,
      requireKeyUsage: false,
      exclusiveExtendedKeyUsage: false,
    },
    any: {
      keyUsage: [],
      extendedKeyUsage: [],
      requireExtendedKeyUsage: false,
      requireKeyUsage: false,
      exclusiveExtendedKeyUsage: false,
    },
  };

/** Why the certificate may not be used this way (which extension, and in words), or undefined. */
export function usageViolation(
  c: pkijs.Certificate,
  usage: CertificateUsage,
): { check: 'key-usage' | 'extended-key-usage'; message: string } | undefined {
  const rule = typeof usage === 'string' ? USAGE_PROFILES[usage] : usage;
  const ku = keyUsage(c);
  const wantKu = rule.keyUsage ?? [];
  if (!ku && rule.requireKeyUsage)
    return {
      check: 'key-usage',
      message: `it has no key usage (${wantKu.join(' or ') || 'one'} required)`,
    };
  if (ku && wantKu.length > 0 && !wantKu.some((b) => ku.has(b)))
    return {
      check: 'key-usage',
      message: `its key usage (${[...ku].join(', ') || 'none'}) allows none of ${wantKu.join(', ')}`,
    };
  const eku = extKeyUsage(c);
  const wantEku = rule.extendedKeyUsage ?? [];
  if (!eku) {
    return rule.requireExtendedKeyUsage
      ? {
          check: 'extended-key-usage',
          message: `it has no extended key usage (${wantEku.join(' or ')} required)`,
        }
      : undefined;
  }
  if (wantEku.length > 0 && !wantEku.some((o) => eku.oids.includes(o)))
    return {
      check: 'extended-key-usage',
      message: `its extended key usage (${eku.oids.join(', ') || 'none'}) allows none of ${wantEku.join(', ')}`,
    };
  if (rule.exclusiveExtendedKeyUsage && (!eku.critical || eku.oids.some((o) => !wantEku.includes(o))))
    return {
      check: 'extended-key-usage',
      message: `its extended key usage must be critical and list only ${wantEku.join(', ')} (it is ${
        eku.critical ? 'critical' : 'not critical'
      }: ${eku.oids.join(', ') || 'none'})`,
    };
  return undefined;
}
