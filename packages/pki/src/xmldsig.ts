import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { C14N_11_URIS, c14n11ApexAttributes } from './xml-c14n11.js';

/** XML-DSig digest and signature method URIs (RFC 3275, RFC 6931, RFC 4051). */
export const XMLDSIG_ALGORITHMS = {
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  ecdsaSha1: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const;

const A = XMLDSIG_ALGORITHMS;
type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * A signature method done with node:crypto, in the shape xml-crypto's tables take. ECDSA (RFC 4051) carries the
 * raw r||s form (IEEE P1363) in XML-DSig, not DER, so `ecdsa` methods sign and verify in that encoding; RSA
 * methods are PKCS#1 v1.5 (RFC 6931 §2.3).
 */
function nodeSignatureMethod(hash: Hash, uri: string, ecdsa: boolean) {
  const encoding = ecdsa ? ({ dsaEncoding: 'ieee-p1363' } as const) : {};
  return class {
    getSignature(signedInfo: string | Uint8Array, privateKey: string | Buffer | KeyObject): string {
      const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
      return cryptoSign(hash, Buffer.from(signedInfo), { key, ...encoding }).toString('base64');
    }
    verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
      const k = key instanceof KeyObject ? key : createPublicKey(key);
      return cryptoVerify(
        hash,
        Buffer.from(material),
        { key: k, ...encoding },
        Buffer.from(signatureValue, 'base64'),
      );
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
}

/** The SHA-384 digest method (RFC 6931 §2.1.3). */
class Sha384 {
  getHash(xml: string): string {
    return createHash('sha384').update(xml, 'utf8').digest('base64');
  }
  getAlgorithmName(): string {
    return A.sha384;
  }
}

/** The tables of an xml-crypto `SignedXml` this module fills (typed loosely: pki does not load xml-crypto). */
export interface XmlDsigAlgorithmTables {
  SignatureAlgorithms: unknown;
  HashAlgorithms: unknown;
  /** Read for the C14N 1.0 classes Canonical XML 1.1 is registered on, when `c14n11` is asked for. */
  CanonicalizationAlgorithms?: unknown;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = new Set([
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
]);
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** Inclusive C14N 1.0, which imports the xml: attributes of omitted ancestors (C14N 1.0 §2.4). */
const C14N_10 = new Set([
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);
/** Canonical XML 1.1: C14N 1.0 but for what an apex takes from omitted ancestors (C14N 1.1 §2.4). */
const C14N_11 = new Set<string>(C14N_11_URIS);

/** The parts of a DOM node (xmldom 0.8 or 0.9) the xml: attribute import reads and writes. */
interface C14nNode {
  nodeType: number;
  prefix?: string | null;
  localName?: string | null;
  namespaceURI?: string | null;
  parentNode?: C14nNode | null;
  childNodes?: ArrayLike<C14nNode>;
  attributes?: ArrayLike<{
    namespaceURI?: string | null;
    prefix?: string | null;
    localName?: string | null;
    name?: string;
    value?: string;
  }>;
  getAttribute?(name: string): string | null;
  setAttributeNS?(ns: string, qualifiedName: string, value: string): void;
  removeAttributeNS?(ns: string, localName: string): void;
}

/**
 * The xml: attributes (xml:lang, xml:space, xml:base, xml:id) `node` inherits from its ancestors and does not
 * carry itself, the nearest ancestor's value winning: what inclusive C14N 1.0 puts on the apex of a document
 * subset (C14N 1.0 §2.4). Santuario, xmlsec1 and .NET sign those bytes; xml-crypto leaves them out.
 */
function inheritedXmlAttributes(node: C14nNode): [string, string][] {
  const xmlAttrs = (n: C14nNode) =>
    Array.from(n.attributes ?? []).filter((a) => a.namespaceURI === XML_NS && a.localName);
  const seen = new Set(xmlAttrs(node).map((a) => a.localName as string));
  const out: [string, string][] = [];
  for (let p = node.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    for (const a of xmlAttrs(p)) {
      const local = a.localName as string;
      if (seen.has(local)) continue;
      seen.add(local);
      out.push([local, a.value ?? '']);
    }
  }
  return out;
}

type Canonicalize = (
  transforms: string[],
  node: C14nNode,
  options: Record<string, unknown> | undefined,
  ...rest: unknown[]
) => string;

const elementKids = (n: C14nNode) => Array.from(n.childNodes ?? []).filter((k) => k.nodeType === 1);

/**
 * The InclusiveNamespaces PrefixList exclusive C14N applies to `node`: the one the caller passed (a Reference's),
 * else, for a SignedInfo, its CanonicalizationMethod's (where xml-crypto reads it too).
 */
function prefixListFor(node: C14nNode, options: Record<string, unknown> | undefined): string[] {
  const given = options?.inclusiveNamespacesPrefixList;
  if (Array.isArray(given) && given.length > 0) return given.map(String);
  if (node.localName !== 'SignedInfo' || node.namespaceURI !== DSIG_NS) return [];
  const method = elementKids(node).find((k) => k.localName === 'CanonicalizationMethod');
  const inclusive = method && elementKids(method).find((k) => k.localName === 'InclusiveNamespaces');
  return (inclusive?.getAttribute?.('PrefixList') ?? '').split(/\s+/).filter(Boolean);
}

/** The default namespace in scope at `node` ('' when none, or undeclared with `xmlns=""`). */
function defaultNamespaceInScope(node: C14nNode): string {
  for (let n: C14nNode | null | undefined = node; n && n.nodeType === 1; n = n.parentNode) {
    const decl = Array.from(n.attributes ?? []).find((a) => !a.prefix && (a.localName ?? a.name) === 'xmlns');
    if (decl) return decl.value ?? '';
  }
  return '';
}

const escapeAttr = (v: string) =>
  v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');

/**
 * Makes xml-crypto's canonicalization what the standards define where other signers rely on it:
 * - inclusive C14N 1.0 imports the xml: attributes of the node's omitted ancestors (C14N 1.0 §2.4): when the
 *   node-set reaches it before any transform that turns it into octets (only enveloped-signature may come first),
 *   the inherited attributes are set on the node for the (synchronous) canonicalization and removed after;
 * - Canonical XML 1.1 (when registered) imports xml:lang and xml:space the same way, not xml:id, and fixes up xml:base
 *   (C14N 1.1 §2.4, see xml-c14n11.ts); the apex's own xml:base is replaced for the canonicalization;
 * - exclusive C14N with `#default` in its InclusiveNamespaces PrefixList (Santuario and WSS4J write it) renders the
 *   default namespace in scope on a prefixed apex (Exc-C14N §3), which xml-crypto leaves out: the canonical form is
 *   made with that namespace as the output parent's default, and its declaration is put on the apex.
 * Otherwise xml-crypto's output is returned as it is.
 */
function standardCanonicalization(sig: object, c14n11: boolean): void {
  const target = sig as { canonicalize?: Canonicalize };
  const original = target.canonicalize;
  if (typeof original !== 'function') return;
  target.canonicalize = function (this: unknown, transforms, node, options, ...rest) {
    const first = Array.isArray(transforms) ? transforms.find((t) => t !== ENVELOPED) : undefined;
    const element = node?.nodeType === 1;
    if (element && first !== undefined && EXC_C14N.has(first) && node.prefix && !options?.defaultNs) {
      const ns = prefixListFor(node, options).includes('#default') ? defaultNamespaceInScope(node) : '';
      if (ns) {
        const out = original.call(this, transforms, node, { ...options, defaultNs: ns }, ...rest);
        const open = `<${node.prefix}:${node.localName}`;
        if (!out.startsWith(open))
          throw new Error('Unexpected canonical form of a #default InclusiveNamespaces apex');
        return `${open} xmlns="${escapeAttr(ns)}"${out.slice(open.length)}`;
      }
    }
    const imported =
      !element || first === undefined || !node.setAttributeNS
        ? []
        : C14N_10.has(first)
          ? inheritedXmlAttributes(node)
          : c14n11 && C14N_11.has(first)
            ? c14n11ApexAttributes(node)
            : [];
    if (imported.length === 0) return original.call(this, transforms, node, options, ...rest);
    return withXmlAttributes(node, imported, () => original.call(this, transforms, node, options, ...rest));
  };
}

/**
 * Runs `canonicalize` (synchronous) with the xml: attributes `attrs` set on `node`, then puts back what was there:
 * removes those it added, restores the values it replaced (C14N 1.1 replaces the apex's own xml:base).
 */
function withXmlAttributes(node: C14nNode, attrs: [string, string][], canonicalize: () => string): string {
  const before = attrs.map(([local]) =>
    Array.from(node.attributes ?? []).find((a) => a.namespaceURI === XML_NS && a.localName === local),
  );
  const previous = before.map((a) => (a ? (a.value ?? '') : undefined));
  for (const [local, value] of attrs) node.setAttributeNS?.(XML_NS, `xml:${local}`, value);
  try {
    return canonicalize();
  } finally {
    attrs.forEach(([local], i) => {
      const was = previous[i];
      if (was === undefined) node.removeAttributeNS?.(XML_NS, local);
      else node.setAttributeNS?.(XML_NS, `xml:${local}`, was);
    });
  }
}

/**
 * Registers Canonical XML 1.1 (with and without comments) in xml-crypto's canonicalization table, for SignedInfo
 * and for Reference transforms: the table's own C14N 1.0 classes under the 1.1 URIs. What 1.1 does differently
 * (the apex's xml: attributes, C14N 1.1 §2.4) is done by `standardCanonicalization`, which sees the URI. Nothing
 * is registered when the table lacks the 1.0 classes.
 */
function registerC14n11(table: Record<string, unknown>): void {
  const pairs = [
    [C14N_11_URIS[0], 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'],
    [C14N_11_URIS[1], 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments'],
  ] as const;
  for (const [uri, base] of pairs) {
    const Base = table[base];
    if (typeof Base !== 'function') continue;
    table[uri] = class extends (Base as new () => { getAlgorithmName(): string }) {
      override getAlgorithmName(): string {
        return uri;
      }
    };
  }
}

/**
 * The index, among the certificates an XML-DSig's `KeyInfo` lists (signers often add their chain, in any order:
 * xmlsec1 and some Java signers put the CA first), of the one whose key must verify the signature: `preferred`
 * when it is listed, else the leaf (the one that issued none of the others), preferring one that is not a CA, the
 * first such in document order. Never "whichever key verifies": the caller verifies with this one only.
 */
export function xmlDsigSignerIndex(
  certs: readonly X509Certificate[],
  preferred?: Uint8Array | undefined,
): number {
  if (preferred) {
    const same = certs.findIndex((c) => Buffer.from(c.raw).equals(Buffer.from(preferred)));
    if (same >= 0) return same;
  }
  const issuesAnother = (c: X509Certificate) => certs.some((o) => !o.raw.equals(c.raw) && o.checkIssued(c));
  const leaves = certs.map((c, i) => [c, i] as const).filter(([c]) => !issuesAnother(c));
  const pick = leaves.find(([c]) => !c.ca) ?? leaves[0];
  return pick ? pick[1] : 0;
}

/**
 * Fills an xml-crypto `SignedXml`'s tables with what other signers use and xml-crypto does not ship (ECDSA with
 * SHA-256/384/512, RSA-SHA384, the SHA-384 digest), and takes out what must not verify: HMAC always (a keyed
 * "signature" anyone holding the key can make), and SHA-1 (RSA-SHA1, the SHA-1 digest) unless `sha1` is true, in
 * which case ECDSA-SHA1 is added. Which of these a caller accepts is still its own policy, judged before this.
 * Also makes its canonicalization follow the standards where xml-crypto does not (see `standardCanonicalization`).
 * With `c14n11`, Canonical XML 1.1 is accepted too, as SignedInfo's CanonicalizationMethod and as a Reference
 * transform; a subset whose xml:base fix-up is ambiguous then throws `XmlC14nError` (see xml-c14n11.ts). Callers
 * whose format names its canonicalizations (e-CMS) leave it out.
 */
export function registerXmlDsigAlgorithms<T extends XmlDsigAlgorithmTables>(
  sig: T,
  options: { sha1: boolean; c14n11?: boolean | undefined },
): T {
  const methods = sig.SignatureAlgorithms as Record<string, unknown>;
  const hashes = sig.HashAlgorithms as Record<string, unknown>;
  methods[A.ecdsaSha256] = nodeSignatureMethod('sha256', A.ecdsaSha256, true);
  methods[A.ecdsaSha384] = nodeSignatureMethod('sha384', A.ecdsaSha384, true);
  methods[A.ecdsaSha512] = nodeSignatureMethod('sha512', A.ecdsaSha512, true);
  methods[A.rsaSha384] = nodeSignatureMethod('sha384', A.rsaSha384, false);
  hashes[A.sha384] = Sha384;
  if (options.sha1) {
    methods[A.ecdsaSha1] = nodeSignatureMethod('sha1', A.ecdsaSha1, true);
  } else {
    delete methods[A.rsaSha1];
    delete methods[A.ecdsaSha1];
    delete hashes[A.sha1];
  }
  delete methods['http://www.w3.org/2000/09/xmldsig#hmac-sha1'];
  const c14n = sig.CanonicalizationAlgorithms as Record<string, unknown> | undefined;
  const c14n11 = options.c14n11 === true && !!c14n && typeof c14n === 'object';
  if (c14n11) registerC14n11(c14n);
  standardCanonicalization(sig, c14n11);
  return sig;
}
