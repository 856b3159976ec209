import { X509Certificate } from 'node:crypto';
import { invalidArgument, redactPreview } from '@thgov/core';
import type { SignatureFailureReason } from '../errors.js';
import type { CertificateProfile } from './certificate.js';

/** Extended key usages that allow signing documents (used when a certificate carries an EKU at all). */
export const DOCUMENT_SIGNING_EXTENDED_KEY_USAGES: readonly string[] = [
  '1.3.6.1.5.5.7.3.4', // emailProtection (S/MIME; how most national CAs issue signing certificates)
  '1.3.6.1.5.5.7.3.36', // id-kp-documentSigning (RFC 9336)
  '2.5.29.37.0', // anyExtendedKeyUsage
  '1.2.840.113583.1.1.5', // Adobe authentic documents trust
];

/**
 * Decides whether a certificate may sign letters for a sending department (its 10-digit code, read from the
 * signed letter). Return true to allow.
 */
export type SignerPolicy = (certificate: X509Certificate, departmentId: string) => boolean;

/**
 * Key usage must allow signing (digitalSignature or nonRepudiation; the extension must be present), and an
 * extended key usage, when present, must name one of `accepted`. A TLS server certificate (serverAuth,
 * keyEncipherment) therefore cannot sign a letter even when it chains to a trusted root.
 */
export function signerUsageProblem(
  profile: CertificateProfile,
  accepted: readonly string[],
): { reason: SignatureFailureReason; detail: string } | undefined {
  const ku = profile.keyUsage;
  if (!ku || !(ku.includes('digitalSignature') || ku.includes('nonRepudiation'))) {
    return {
      reason: 'key-usage',
      detail: ku ? `key usage ${ku.join(', ') || '(none)'} does not allow signing` : 'no key usage extension',
    };
  }
  const eku = profile.extendedKeyUsage;
  if (eku && !eku.some((oid) => accepted.includes(oid))) {
    return {
      reason: 'extended-key-usage',
      detail: `extended key usage ${eku.join(', ')} does not allow document signing`,
    };
  }
  return undefined;
}

function fingerprintKey(value: string): string | undefined {
  const hex = value.replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

/**
 * A distinguished name as an order-free set of `TYPE=value` pairs. Node prints one RDN per line and joins
 * the attributes of a multi-valued RDN with ` + `; people write `CN=…, O=…, C=TH`.
 */
function dnKey(dn: string): string {
  return dn
    .split(/\n|\s\+\s|,\s*(?=[A-Za-z][A-Za-z0-9.]*=)/)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1
        ? part.trim()
        : `${part.slice(0, eq).trim().toUpperCase()}=${part.slice(eq + 1).trim()}`;
    })
    .filter(Boolean)
    .sort()
    .join('\n');
}

function entryMatcher(entry: string): (cert: X509Certificate) => boolean {
  if (entry.includes('-----BEGIN CERTIFICATE-----')) {
    const fp = new X509Certificate(entry).fingerprint256;
    return (c) => c.fingerprint256 === fp;
  }
  const fp = fingerprintKey(entry);
  if (fp) return (c) => c.fingerprint256.replace(/:/g, '') === fp;
  const want = dnKey(entry);
  return (c) => dnKey(c.subject) === want;
}

/**
 * The map form of a signer policy: for each sending department, the certificates allowed to sign its letters,
 * each given as a SHA-256 fingerprint (hex, colons optional), a PEM certificate, or a subject DN
 * (`CN=…, O=…, C=TH` in any order). A department missing from the map may not sign at all.
 *
 * @example
 * ```ts
 * const worker = new EcmsInboxWorker({
 *   client, store, signaturePolicy: 'require', trustAnchors: [thaiGovCaPem],
 *   signerPolicy: signerPolicyFromMap({
 *     '0031500001': ['5F:1C:…:9A', 'CN=สารบรรณกลาง, O=DGA, C=TH'],
 *   }),
 * });
 * ```
 */
export function signerPolicyFromMap(map: Readonly<Record<string, readonly string[]>>): SignerPolicy {
  const compiled = new Map<string, ((cert: X509Certificate) => boolean)[]>();
  for (const [department, entries] of Object.entries(map)) {
    if (!/^\d{10}$/.test(department)) {
      throw invalidArgument(
        `signerPolicyFromMap: "${redactPreview(department, 20)}" is not a 10-digit department code`,
      );
    }
    compiled.set(department, entries.map(entryMatcher));
  }
  return (cert, departmentId) => (compiled.get(departmentId) ?? []).some((m) => m(cert));
}
