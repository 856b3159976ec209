import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { nameConstraints, subjectAltNames } from '../certificate/extensions.js';
import { OID } from '../engine.js';

/** GeneralName tags this validator can compare (RFC 5280 §4.2.1.10). */
const OTHER_NAME = 0;
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
  for (const g of subjectAltNames(c)) {
    out.push({ type: g.type, value: g.value });
    if (g.type === OTHER_NAME) out.push(...smtpUtf8Mailbox(g.value));
  }
  return out;
}

const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';

/**
 * An SmtpUTF8Mailbox otherName (RFC 8398), as the rfc822Name it is for name constraints (RFC 8398 §6); the otherName
 * itself stays a name of its own type. An unreadable one is an address that cannot be compared.
 */
function smtpUtf8Mailbox(value: unknown): Name[] {
  const parts = (value as asn1js.Constructed | undefined)?.valueBlock?.value;
  const id = Array.isArray(parts) ? parts[0] : undefined;
  if (!(id instanceof asn1js.ObjectIdentifier) || id.valueBlock.toString() !== SMTP_UTF8_MAILBOX) return [];
  const inner = (parts![1] as asn1js.Constructed | undefined)?.valueBlock?.value?.[0];
  return [{ type: RFC822, value: inner instanceof asn1js.Utf8String ? inner.valueBlock.value : undefined }];
}

function stringOf(v: unknown): string {
  const s = (v as { valueBlock?: { value?: unknown } })?.valueBlock?.value ?? v;
  return typeof s === 'string' ? s : '';
}

/**
 * RFC 4518 §2.2 code points mapped to nothing: soft hyphens, joiners and variation selectors, ZERO WIDTH SPACE,
 * control codes and other format characters (so that "G\u200Bov" is "Gov").
 */
const MAP_TO_NOTHING: readonly (readonly [number, number])[] = [
  [0x0000, 0x0008],
  [0x000e, 0x001f],
  [0x007f, 0x0084],
  [0x0086, 0x009f],
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x1806, 0x1806],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];
/** Mapped to SPACE besides the separators (Zs, Zl, Zp): tab, line breaks and NEL. */
const MAP_TO_SPACE: readonly (readonly [number, number])[] = [
  [0x0009, 0x000d],
  [0x0085, 0x0085],
];
const SEPARATOR = /^[\p{Zs}\p{Zl}\p{Zp}]$/u;

const inRanges = (cp: number, ranges: readonly (readonly [number, number])[]) =>
  ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

/** RFC 4518 §2.2 mapping of one character. */
function mapCharacter(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (inRanges(cp, MAP_TO_NOTHING)) return '';
  return inRanges(cp, MAP_TO_SPACE) || SEPARATOR.test(ch) ? ' ' : ch;
}

/** RFC 4518 §2.4 prohibited: unassigned, private use, surrogates, non-characters and U+FFFD. */
const PROHIBITED = /[\p{Cn}\p{Co}\p{Cs}\uFFFD]/u;

/**
 * RFC 4518 string preparation for caseIgnoreMatch: map, case fold and NFKC, then insignificant spaces (trimmed,
 * runs collapsed). Undefined when the string holds a prohibited character: it cannot be compared.
 */
function normalise(s: string): string | undefined {
  const mapped = Array.from(s, mapCharacter).join('');
  const folded = mapped.normalize('NFKC').toLowerCase().normalize('NFKC');
  if (PROHIBITED.test(folded)) return undefined;
  return folded.trim().replace(/ +/g, ' ');
}

interface Attribute {
  type: string;
  value: unknown;
}

/** The name's RDNs, each a set of attributes, read from its DER: pkijs flattens multi-valued RDNs. */
function rdnsOf(name: pkijs.RelativeDistinguishedNames): Attribute[][] | undefined {
  try {
    const seq = name.toSchema();
    if (!(seq instanceof asn1js.Sequence)) return undefined;
    return seq.valueBlock.value.map((set) => {
      if (!(set instanceof asn1js.Set) || set.valueBlock.value.length === 0) throw new Error('not an RDN');
      return set.valueBlock.value.map((atv) => new pkijs.AttributeTypeAndValue({ schema: atv }));
    });
  } catch {
    return undefined;
  }
}

/** Two attribute values are equal: strings after preparation, anything else by DER. Undefined: not comparable. */
function sameValue(a: Attribute, b: Attribute): boolean | undefined {
  if (a.type !== b.type) return false;
  const x = stringValue(a.value);
  const y = stringValue(b.value);
  if (x !== undefined && y !== undefined) {
    const px = normalise(x);
    const py = normalise(y);
    return px === undefined || py === undefined ? undefined : px === py;
  }
  if (x !== undefined || y !== undefined) return false;
  const der = (v: unknown) => Buffer.from((v as asn1js.BaseBlock).toBER(false));
  return der(a.value).equals(der(b.value));
}

function stringValue(v: unknown): string | undefined {
  const s = (v as { valueBlock?: { value?: unknown } })?.valueBlock?.value;
  return typeof s === 'string' ? s : undefined;
}

/** Two RDNs are equal: the same number of attributes, each of one matched in the other (a set, any order). */
function sameRdn(a: Attribute[], b: Attribute[]): boolean | undefined {
  if (a.length !== b.length) return false;
  let unsure = false;
  for (const x of b) {
    const m = a.map((y) => sameValue(y, x));
    if (m.includes(true)) continue;
    if (!m.includes(undefined)) return false;
    unsure = true;
  }
  return unsure ? undefined : true;
}

/**
 * Directory names: the constraint's RDN sequence is a prefix of the name's, RDN by RDN (RFC 5280 §7.1).
 * Undefined when it cannot be told (an unreadable name, a prohibited character): callers fail closed.
 */
function dnWithin(
  name: pkijs.RelativeDistinguishedNames,
  base: pkijs.RelativeDistinguishedNames,
): boolean | undefined {
  const a = rdnsOf(name);
  const b = rdnsOf(base);
  if (!a || !b) return undefined;
  if (b.length > a.length) return false;
  let unsure = false;
  for (let i = 0; i < b.length; i++) {
    const same = sameRdn(a[i]!, b[i]!);
    if (same === false) return false;
    if (same === undefined) unsure = true;
  }
  return unsure ? undefined : true;
}

/** Characters no host name holds (and that `domainToASCII` would cut the name at). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters in a host is the point.
const NOT_IN_HOST = /[\u0000-\u0020#%/:<>?@[\\\]^|]/;

/**
 * `example.com` allows it and its subdomains; `.example.com` only subdomains. Undefined when either holds what no
 * host name holds (a NUL, where a C-string reader stops, a space, a slash): it cannot be compared.
 */
function hostWithin(host: string, base: string): boolean | undefined {
  if (NOT_IN_HOST.test(host) || NOT_IN_HOST.test(base)) return undefined;
  const h = host.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return h.endsWith(b);
  return h === b || h.endsWith(`.${b}`);
}

/**
 * A host as constraints compare it: A-labels (IDNA, as `domainToASCII`), lower case, without the trailing dot of
 * the root ("bad.example." is bad.example). Undefined when it is no host name: empty labels, an IP address,
 * characters no host holds. With `leadingDot`, a constraint's ".example" keeps its dot.
 */
function asciiHost(host: string, leadingDot = false): string | undefined {
  const dot = leadingDot && host.startsWith('.') ? '.' : '';
  const name = host.slice(dot.length).replace(/\.$/, '');
  if (name === '' || NOT_IN_HOST.test(name) || isIP(name) !== 0) return undefined;
  const ascii = domainToASCII(name);
  if (ascii === '' || ascii.split('.').includes('')) return undefined;
  return `${dot}${ascii}`;
}

/** A host within a URI or e-mail constraint: `.example.com` its subdomains, `example.com` that host only. */
function hostIn(host: string | undefined, base: string): boolean | undefined {
  const b = asciiHost(base, true);
  if (host === undefined || b === undefined) return undefined;
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** An address within an rfc822Name constraint (a mailbox, a host or a domain); undefined when unreadable. */
function mailWithin(mail: string, base: string): boolean | undefined {
  const at = mail.lastIndexOf('@');
  if (at <= 0) return undefined;
  const host = asciiHost(mail.slice(at + 1));
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0) return hostIn(host, base);
  const local = mail.slice(0, at).toLowerCase() === base.slice(0, baseAt).toLowerCase();
  const same = hostIn(host, base.slice(baseAt + 1));
  return same === undefined ? undefined : local && same;
}

/**
 * The host of a URI (RFC 5280 §4.2.1.10 constrains it alone): as WHATWG URL reads it, percent-decoded (an ldap: or
 * other URI's host is left encoded by URL). Undefined when there is none or it cannot be read.
 */
function uriHost(uri: string): string | undefined {
  try {
    return asciiHost(decodeURIComponent(new URL(uri).hostname));
  } catch {
    return undefined;
  }
}

function uriWithin(uri: string, base: string): boolean | undefined {
  return hostIn(uriHost(uri), base);
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

/** Whether the name is in the subtree; undefined when that cannot be told (see `dnWithin`). */
function within(name: Name, base: pkijs.GeneralName): boolean | undefined {
  switch (name.type) {
    case DIRECTORY:
      return dnWithin(
        name.value as pkijs.RelativeDistinguishedNames,
        base.value as pkijs.RelativeDistinguishedNames,
      );
    case DNS:
      return hostWithin(String(name.value), String(base.value));
    case RFC822:
      return typeof name.value === 'string' ? mailWithin(name.value, String(base.value)) : undefined;
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
    // Fail closed: a name that cannot be compared is taken as excluded and as not permitted.
    if (excluded.filter(sameType).some((s) => within(name, s.base) !== false))
      return 'a name is in an excluded subtree';
    const allowed = permitted.filter(sameType);
    if (allowed.length > 0 && !allowed.some((s) => within(name, s.base) === true))
      return 'a name is outside the permitted subtrees';
  }
  return undefined;
}
