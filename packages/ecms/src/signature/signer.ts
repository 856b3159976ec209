import { X509Certificate } from 'node:crypto';
import { invalidArgument, redactPreview } from '@thgov/core';
import { DOCUMENT_SIGNING_EXTENDED_KEY_USAGES as PKI_DOCUMENT_SIGNING_EKUS } from '@thgov/pki';

/**
 * Extended key usages that allow signing letters when a signer certificate has the extension at all: @thgov/pki's
 * document-signing list (emailProtection, id-kp-documentSigning, anyExtendedKeyUsage, Adobe authentic documents).
 */
export const DOCUMENT_SIGNING_EXTENDED_KEY_USAGES: readonly string[] = PKI_DOCUMENT_SIGNING_EKUS;

/**
 * Decides whether a certificate may sign letters for a sending department (its 10-digit code, read from the
 * signed letter). Return true to allow.
 */
export type SignerPolicy = (certificate: X509Certificate, departmentId: string) => boolean;

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
