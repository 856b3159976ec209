import type * as pkijs from 'pkijs';
import { PkiError } from '../errors.js';
import { type Cert, type CertificateInput, toCerts } from './parse.js';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'E',
};

/** A distinguished name as `CN=…, O=…` text (for reports; never put it in a log line: it may name a person). */
export function dnToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const v = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      return `${SHORT[tv.type] ?? tv.type}=${typeof v === 'string' ? v : '?'}`;
    })
    .join(', ');
}

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

/** The report summary of a parsed certificate. */
export function summarizeCert(c: Cert): CertificateSummary {
  const p = c.pkijs;
  return {
    subject: dnToString(p.subject),
    issuer: dnToString(p.issuer),
    serialNumber: Buffer.from(p.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: p.notBefore.value.toISOString(),
    notAfter: p.notAfter.value.toISOString(),
    sha256: c.sha256,
  };
}

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
