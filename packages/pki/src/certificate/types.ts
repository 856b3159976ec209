// Public certificate types, kept apart from the pkijs-level modules so that the package's public declarations
// never import pkijs (whose .d.ts needs the DOM library, which Node services do not load).
import type { X509Certificate } from 'node:crypto';

/** Key usage bit names, in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_NAMES = [
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

/** A key usage bit by name (`nonRepudiation` is X.509's `contentCommitment`). */
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/**
 * A certificate as callers hold it: PEM text (one or more blocks), DER bytes, or Node's `X509Certificate`
 * (what `@thgov/ecms` and `tls` give you).
 */
export type CertificateInput = string | Uint8Array | X509Certificate;

/** What a report says about a certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Hex, as in the certificate. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, hex. */
  sha256: string;
}
