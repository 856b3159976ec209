import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { nameConstraints, subjectAltNames } from '../certificate/extensions.js';
import { OID } from '../engine.js';

/** GeneralName tags this validator can compare (RFC 5280 §4.2.1.10). */
const RFC822 = 1;
const DNS = 2;
const DIRECTORY = 4;
const URI = 6;
const IP = 7;
const SUPPORTED = new Set([RFC822, DNS, DIRECTORY, URI, IP]);

interface Name {
  type: number;
  value: unknown;
}

/** The names a constraint applies to: the subject DN, e-mail addresses inside it, and the subjectAltName. */
function namesOf(c: pkijs.Certificate): Name[] {
  const out: Name[] = [];
  if (c.subject.typesAndValues.length > 0) out.push({ type: DIRECTORY, value: c.subject });
  for (const tv of c.subject.typesAndValues) {
    if (tv.type === OID.emailAddress) out.push({ type: RFC822, value: stringOf(tv.value) });
  }
  for (const g of subjectAltNames(c)) out.push({ type: g.type, value: g.value });
  return out;
}

function stringOf(v: unknown): string {
  const s = (v as { valueBlock?: { value?: unknown } })?.valueBlock?.value ?? v;
  return typeof s === 'string' ? s : '';
}

function normalise(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Directory names: the constraint's RDN sequence is a prefix of the name's. */
function dnWithin(name: pkijs.RelativeDistinguishedNames, base: pkijs.RelativeDistinguishedNames): boolean {
  const a = name.typesAndValues;
  const b = base.typesAndValues;
  if (b.length > a.length) return false;
  return b.every(
    (tv, i) => tv.type === a[i]!.type && normalise(stringOf(tv.value)) === normalise(stringOf(a[i]!.value)),
  );
}

/** `example.com` allows it and its subdomains; `.example.com` only subdomains. */
function hostWithin(host: string, base: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return h.endsWith(b);
  return h === b || h.endsWith(`.${b}`);
}

function mailWithin(mail: string, base: string): boolean {
  const at = mail.lastIndexOf('@');
  if (at < 0) return false;
  if (base.includes('@')) return mail.toLowerCase() === base.toLowerCase();
  const host = mail.slice(at + 1).toLowerCase();
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

function uriWithin(uri: string, base: string): boolean {
  let host: string;
  try {
    host = new URL(uri).hostname;
  } catch {
    return false;
  }
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.toLowerCase().endsWith(b) : host.toLowerCase() === b;
}

function ipWithin(ip: asn1js.OctetString, base: asn1js.OctetString): boolean {
  const a = ip.valueBlock.valueHexView;
  const b = base.valueBlock.valueHexView;
  if (b.length !== a.length * 2) return false;
  for (let i = 0; i < a.length; i++) {
    const mask = b[a.length + i]!;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

function within(name: Name, base: pkijs.GeneralName): boolean {
  switch (name.type) {
    case DIRECTORY:
      return dnWithin(
        name.value as pkijs.RelativeDistinguishedNames,
        base.value as pkijs.RelativeDistinguishedNames,
      );
    case DNS:
      return hostWithin(String(name.value), String(base.value));
    case RFC822:
      return mailWithin(String(name.value), String(base.value));
    case URI:
      return uriWithin(String(name.value), String(base.value));
    case IP:
      return ipWithin(name.value as asn1js.OctetString, base.value as asn1js.OctetString);
    default:
      return false;
  }
}

/**
 * Applies the name constraints of `ca` to `subject` (RFC 5280 §6.1.3 (b), (c)). Returns the reason of a
 * violation, or undefined. A constraint of a form this validator cannot compare fails closed when the
 * certificate carries a name of that form.
 */
export function nameConstraintViolation(
  ca: pkijs.Certificate,
  subject: pkijs.Certificate,
): string | undefined {
  let nc: pkijs.NameConstraints | undefined;
  let names: Name[];
  try {
    nc = nameConstraints(ca);
    if (!nc) return undefined;
    names = namesOf(subject);
  } catch {
    return 'a name constraint or subject alternative name cannot be read';
  }
  const permitted = nc.permittedSubtrees ?? [];
  const excluded = nc.excludedSubtrees ?? [];
  for (const name of names) {
    const sameType = (s: pkijs.GeneralSubtree) => s.base.type === name.type;
    if (!SUPPORTED.has(name.type)) {
      if (permitted.some(sameType) || excluded.some(sameType))
        return `a name of type ${name.type} cannot be checked against its constraint`;
      continue;
    }
    if (excluded.filter(sameType).some((s) => within(name, s.base)))
      return 'a name is in an excluded subtree';
    const allowed = permitted.filter(sameType);
    if (allowed.length > 0 && !allowed.some((s) => within(name, s.base)))
      return 'a name is outside the permitted subtrees';
  }
  return undefined;
}
