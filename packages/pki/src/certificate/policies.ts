import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { readBer } from '../der.js';
import { OID } from '../engine.js';

/** anyPolicy (RFC 5280 §4.2.1.4). */
export const ANY_POLICY = '2.5.29.32.0';

/** The policy extensions of one certificate, as RFC 5280 §6.1 reads them (qualifiers are not kept). */
export interface PolicyExtensions {
  /** certificatePolicies OIDs; undefined when the extension is absent. */
  policies?: string[];
  /** policyMappings: each issuerDomainPolicy with the subjectDomainPolicy values it maps to. */
  mappings?: Map<string, Set<string>>;
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
  inhibitAnyPolicy?: number;
}

/** Thrown by the readers below; the message names the extension, never a certificate. */
export class MalformedPolicyExtension extends Error {}

const bad = (what: string): never => {
  throw new MalformedPolicyExtension(what);
};

/** The one DER value of an extension; trailing bytes or unreadable DER are malformed. */
function value(e: pkijs.Extension, what: string): asn1js.AsnType {
  const bytes = e.extnValue.valueBlock.valueHexView;
  const asn = readBer(bytes);
  if (asn.offset === -1 || asn.offset !== bytes.byteLength) return bad(what);
  return asn.result;
}

function items(node: asn1js.AsnType, what: string, min = 1): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) return bad(what);
  const list = node.valueBlock.value;
  return list.length < min ? bad(what) : list;
}

function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) return bad(what);
  const s = node.valueBlock.toString();
  return /^\d+(\.\d+)+$/.test(s) ? s : bad(what);
}

/** SkipCerts ::= INTEGER (0..MAX), from its content octets; values past 2^31 are as good as infinite. */
function skipCerts(bytes: Uint8Array, what: string): number {
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) return bad(what);
  if (bytes.length > 4) return Number.MAX_SAFE_INTEGER;
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

function readPolicies(e: pkijs.Extension): string[] {
  const what = 'certificatePolicies';
  const seen = new Set<string>();
  for (const info of items(value(e, what), what)) {
    const [id, qualifiers, ...rest] = items(info, what);
    if (rest.length || (qualifiers && !(qualifiers instanceof asn1js.Sequence))) bad(what);
    const policy = oidOf(id, what);
    // RFC 5280 §4.2.1.4: a policy OID appears at most once.
    if (seen.has(policy)) bad(`${what} (a policy listed twice)`);
    seen.add(policy);
  }
  return [...seen];
}

function readMappings(e: pkijs.Extension): Map<string, Set<string>> {
  const what = 'policyMappings';
  const out = new Map<string, Set<string>>();
  for (const pair of items(value(e, what), what)) {
    const parts = items(pair, what, 2);
    if (parts.length !== 2) bad(what);
    const from = oidOf(parts[0], what);
    const to = oidOf(parts[1], what);
    out.set(from, (out.get(from) ?? new Set()).add(to));
  }
  return out;
}

function readConstraints(e: pkijs.Extension, into: PolicyExtensions): void {
  const what = 'policyConstraints';
  let last = -1;
  // RFC 5280 §4.2.1.11: an empty sequence MUST NOT be issued.
  for (const field of items(value(e, what), what)) {
    const { tagClass, tagNumber, isConstructed } = field.idBlock;
    if (tagClass !== 3 || isConstructed || tagNumber > 1 || tagNumber <= last) bad(what);
    last = tagNumber;
    const n = skipCerts((field as asn1js.Primitive).valueBlock.valueHexView, what);
    if (tagNumber === 0) into.requireExplicitPolicy = n;
    else into.inhibitPolicyMapping = n;
  }
}

function readInhibitAny(e: pkijs.Extension): number {
  const what = 'inhibitAnyPolicy';
  const node = value(e, what);
  if (!(node instanceof asn1js.Integer)) return bad(what);
  return skipCerts(node.valueBlock.valueHexView, what);
}

const POLICY_EXTENSIONS = [
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
];

/** The policy extensions of a certificate; throws `MalformedPolicyExtension` when one cannot be read. */
export function policyExtensions(c: pkijs.Certificate): PolicyExtensions {
  const out: PolicyExtensions = {};
  for (const oid of POLICY_EXTENSIONS) {
    const found = (c.extensions ?? []).filter((e) => e.extnID === oid);
    if (found.length > 1) bad('a policy extension appearing twice');
    const e = found[0];
    if (!e) continue;
    if (oid === OID.certificatePolicies) out.policies = readPolicies(e);
    else if (oid === OID.policyMappings) out.mappings = readMappings(e);
    else if (oid === OID.policyConstraints) readConstraints(e, out);
    else out.inhibitAnyPolicy = readInhibitAny(e);
  }
  return out;
}
