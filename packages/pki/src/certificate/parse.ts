import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../engine.js';
import { PkiError } from '../errors.js';
import { decodeCertificates } from '../pem.js';
import { sameName } from './name.js';
import type { CertificateInput } from './types.js';

/** One parsed certificate with its DER and identity. */
export interface Cert {
  readonly pkijs: pkijs.Certificate;
  readonly der: Uint8Array;
  /** SHA-256 of the DER, hex: the identity used for de-duplication and reports. */
  readonly sha256: string;
}

const DER_CACHE = new WeakMap<pkijs.Certificate, Uint8Array>();

/** DER of a pkijs certificate; pkijs re-encodes on every call, so the result is remembered per object. */
export function certDer(c: pkijs.Certificate): Uint8Array {
  let der = DER_CACHE.get(c);
  if (!der) {
    der = new Uint8Array(c.toSchema(true).toBER(false));
    DER_CACHE.set(c, der);
  }
  return der;
}

/**
 * Recently parsed certificates by SHA-256: a verifier meets the same CA and TSA certificates in every file, and
 * asn1js parsing is most of a validation's cost. Bounded; entries are never mutated.
 */
const PARSED = new Map<string, Cert>();
const MAX_PARSED = 256;

/** Parses one DER certificate (nothing may follow it); `ERR_PKI_INPUT` when it cannot be read. */
export function certFromDer(der: Uint8Array): Cert {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const known = PARSED.get(sha256);
  if (known) {
    // Refresh its place: the map's order is the eviction order.
    PARSED.delete(sha256);
    PARSED.set(sha256, known);
    return known;
  }
  const cert = parseUncached(der, sha256);
  PARSED.set(sha256, cert);
  if (PARSED.size > MAX_PARSED) PARSED.delete(PARSED.keys().next().value as string);
  return cert;
}

function parseUncached(der: Uint8Array, sha256: string): Cert {
  let p: pkijs.Certificate;
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset !== der.length) throw new Error('not exactly one DER structure');
    p = new pkijs.Certificate({ schema: asn.result });
  } catch (cause) {
    throw new PkiError('ERR_PKI_INPUT', 'A certificate is not a readable DER X.509 certificate', { cause });
  }
  const copy = Uint8Array.from(der);
  DER_CACHE.set(p, copy);
  return { pkijs: p, der: copy, sha256 };
}

/** Wraps an already parsed pkijs certificate (CMS certificate sets, OCSP responder certificates). */
export function fromPkijs(p: pkijs.Certificate, der: Uint8Array = certDer(p)): Cert {
  DER_CACHE.set(p, der);
  return { pkijs: p, der, sha256: createHash('sha256').update(der).digest('hex') };
}

/** Every certificate in the inputs (a PEM text may hold several), in order. */
export function toCerts(input: CertificateInput | readonly CertificateInput[] | undefined): Cert[] {
  if (input === undefined) return [];
  const list: readonly CertificateInput[] = Array.isArray(input) ? input : [input as CertificateInput];
  const out: Cert[] = [];
  for (const item of list) {
    if (item instanceof X509Certificate) out.push(certFromDer(new Uint8Array(item.raw)));
    else if (typeof item === 'string' || item instanceof Uint8Array) {
      for (const der of decodeCertificates(item)) out.push(certFromDer(der));
    } else
      throw new PkiError('ERR_PKI_INPUT', 'A certificate must be PEM text, DER bytes or an X509Certificate');
  }
  return out;
}

/** Removes repeated certificates (same DER), keeping the first. */
export function uniqueCerts(list: readonly Cert[]): Cert[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    if (seen.has(c.sha256)) return false;
    seen.add(c.sha256);
    return true;
  });
}

/** Same subject name and same public key: the same entity, even when re-issued with other dates. */
export function sameEntity(a: Cert, b: Cert): boolean {
  return (
    a.sha256 === b.sha256 ||
    (sameName(a.pkijs.subject, b.pkijs.subject) &&
      Buffer.from(a.pkijs.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).equals(
        Buffer.from(b.pkijs.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
      ))
  );
}

/** Subject equals issuer: a root or a re-key certificate (RFC 5280 "self-issued"). */
export function isSelfIssued(c: Cert): boolean {
  return sameName(c.pkijs.subject, c.pkijs.issuer);
}
