import { PkiError } from '../errors.js';
import { summarizeCert } from './describe.js';
import { toCerts } from './parse.js';
import type { CertificateInput, CertificateSummary } from './types.js';

/** Position of a certificate in a path as words, for messages that must not carry names. */
export function positionLabel(index: number, length: number): string {
  if (index === 0) return 'the end-entity certificate';
  if (index === length - 1) return 'the trust anchor';
  return `CA certificate #${index}`;
}

/**
 * Subject, issuer, serial, validity and SHA-256 of a certificate (the first one of a PEM text), as reports show it.
 *
 * @example
 * ```ts
 * const { subject, notAfter } = summarizeCertificate(await readFile('signer.pem', 'utf8'));
 * ```
 */
export function summarizeCertificate(input: CertificateInput): CertificateSummary {
  const [c] = toCerts(input);
  if (!c) throw new PkiError('ERR_PKI_INPUT', 'No certificate to summarize');
  return summarizeCert(c);
}
