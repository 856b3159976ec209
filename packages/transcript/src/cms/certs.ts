import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CertificateSummary } from '../verify/report.js';
import { OID, toArrayBuffer } from './engine.js';

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

export function dnToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const v = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      return `${SHORT[tv.type] ?? tv.type}=${typeof v === 'string' ? v : '?'}`;
    })
    .join(', ');
}

const DER_CACHE = new WeakMap<pkijs.Certificate, Uint8Array>();

/** DER of a certificate; pkijs re-encodes on every call, so the result is remembered per object. */
export function certDer(c: pkijs.Certificate): Uint8Array {
  let der = DER_CACHE.get(c);
  if (!der) {
    der = new Uint8Array(c.toSchema(true).toBER(false));
    DER_CACHE.set(c, der);
  }
  return der;
}

export function sameCert(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  return Buffer.from(certDer(a)).equals(Buffer.from(certDer(b)));
}

export function summarize(c: pkijs.Certificate): CertificateSummary {
  return {
    subject: dnToString(c.subject),
    issuer: dnToString(c.issuer),
    serialNumber: Buffer.from(c.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: c.notBefore.value.toISOString(),
    notAfter: c.notAfter.value.toISOString(),
    sha256: createHash('sha256').update(certDer(c)).digest('hex'),
  };
}

export function parseCert(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

export function extension(c: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return c.extensions?.find((e) => e.extnID === oid);
}

/** Key usage bits as names, or undefined when the extension is absent. */
export function keyUsage(c: pkijs.Certificate): Set<string> | undefined {
  const e = extension(c, OID.keyUsage);
  if (!e) return undefined;
  const bs = asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
  const bytes = bs.valueBlock.valueHexView;
  const names = [
    'digitalSignature',
    'nonRepudiation',
    'keyEncipherment',
    'dataEncipherment',
    'keyAgreement',
    'keyCertSign',
    'cRLSign',
    'encipherOnly',
  ];
  const out = new Set<string>();
  names.forEach((n, i) => {
    if (((bytes[0] ?? 0) >> (7 - i)) & 1) out.add(n);
  });
  return out;
}

export function extKeyUsage(c: pkijs.Certificate): { oids: string[]; critical: boolean } | undefined {
  const e = extension(c, OID.extKeyUsage);
  if (!e) return undefined;
  const eku = new pkijs.ExtKeyUsage({ schema: asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result });
  return { oids: eku.keyPurposes, critical: e.critical };
}

export function urlsFrom(c: pkijs.Certificate): { ocsp: string[]; crl: string[] } {
  const ocsp: string[] = [];
  const crl: string[] = [];
  try {
    const aia = extension(c, OID.authorityInfoAccess);
    if (aia) {
      const ia = new pkijs.InfoAccess({
        schema: asn1js.fromBER(aia.extnValue.valueBlock.valueHexView).result,
      });
      for (const d of ia.accessDescriptions) {
        if (d.accessMethod === '1.3.6.1.5.5.7.48.1' && d.accessLocation.type === 6)
          ocsp.push(String(d.accessLocation.value));
      }
    }
    const cdp = extension(c, OID.crlDistributionPoints);
    if (cdp) {
      const dps = new pkijs.CRLDistributionPoints({
        schema: asn1js.fromBER(cdp.extnValue.valueBlock.valueHexView).result,
      });
      for (const dp of dps.distributionPoints) {
        if (Array.isArray(dp.distributionPoint)) {
          for (const g of dp.distributionPoint) if (g.type === 6) crl.push(String(g.value));
        }
      }
    }
  } catch {
    // A malformed extension simply yields no URL.
  }
  return { ocsp, crl };
}

export function nameEquals(
  a: pkijs.RelativeDistinguishedNames,
  b: pkijs.RelativeDistinguishedNames,
): boolean {
  return a.isEqual(b);
}

/** Finds the certificate a SignerInfo's sid designates. */
export function findBySid(sid: unknown, certs: pkijs.Certificate[]): pkijs.Certificate | undefined {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  }
  if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive) {
    const skiBytes = Buffer.from((sid as asn1js.Primitive).valueBlock.valueHexView);
    return certs.find((c) => {
      const e = extension(c, OID.subjectKeyIdentifier);
      if (!e) return false;
      const v = asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
      return Buffer.from(v.valueBlock.valueHexView).equals(skiBytes);
    });
  }
  return undefined;
}
