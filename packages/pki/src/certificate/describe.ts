import type * as pkijs from 'pkijs';
import type { Cert } from './parse.js';
import type { CertificateSummary } from './types.js';

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
