/**
 * What Canonical XML 1.1 adds to inclusive C14N 1.0 for a document subset (W3C "Canonical XML Version 1.1" §2.4):
 * the attributes an apex (an element whose parent is omitted) takes from its omitted ancestors. xml:lang and
 * xml:space are imported as in 1.0, xml:id is not, and xml:base is "fixed up": the apex gets the value the
 * omitted ancestors' xml:base values (and its own) join to, by RFC 3986 §5.2 with C14N 1.1's remove_dot_segments.
 * Every other xml: attribute is an ordinary attribute (not imported).
 *
 * Where the text of the standard and the implementations other signers use (Apache Santuario, inside the JDK) would
 * give different bytes, nothing is guessed: {@link XmlC14nError} is thrown (see `joinable`).
 */

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** The URIs of Canonical XML 1.1, without and with comments. */
export const C14N_11_URIS = [
  'http://www.w3.org/2006/12/xml-c14n11',
  'http://www.w3.org/2006/12/xml-c14n11#WithComments',
] as const;

/** More xml:base values (on the omitted ancestors and the apex together) than this are refused. */
export const MAX_XML_BASE_VALUES = 256;
/** More characters of xml:base values (together) than this are refused. */
export const MAX_XML_BASE_CHARS = 16_384;

/**
 * A document subset whose Canonical XML 1.1 form this module does not compute because the standard's xml:base
 * join is ambiguous for it, or because it is past the limits above. Not a verdict on the signature: the caller
 * reports it as "could not be checked".
 */
export class XmlC14nError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlC14nError';
  }
}

/** True for an {@link XmlC14nError} (by name, so it works across two installed copies of the package). */
export function isXmlC14nError(value: unknown): value is XmlC14nError {
  return value instanceof Error && value.name === 'XmlC14nError';
}

/** The parts of a DOM element (xmldom 0.8 or 0.9) read here. */
export interface XmlAttrNode {
  nodeType: number;
  parentNode?: XmlAttrNode | null;
  attributes?: ArrayLike<{ namespaceURI?: string | null; localName?: string | null; value?: string }>;
}

/** The xml: attribute `local` of `n`, or undefined. */
function xmlAttr(n: XmlAttrNode, local: string): string | undefined {
  const attrs = n.attributes;
  if (!attrs) return undefined;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a && a.namespaceURI === XML_NS && a.localName === local) return a.value ?? '';
  }
  return undefined;
}

interface UriParts {
  scheme: string | undefined;
  authority: string | undefined;
  path: string;
  query: string | undefined;
}

/** RFC 3986 Appendix B. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
/** Characters an xml:base taking part in a join may hold: RFC 3986's, less `%`, `#`, `[`, `]`, plus non-ASCII. */
const JOINABLE = /^[A-Za-z0-9\-._~:/?@!$&'()*+,;=\u00A1-\uD7FF\uE000-\uFFFC\u{10000}-\u{10FFFF}]*$/u;
const SPACE_LIKE = /[\s\p{Z}\p{C}]/u;

/**
 * The parts of an xml:base value that takes part in a join, or an {@link XmlC14nError} where the standard's join
 * and Santuario's (which decodes percent-escapes, drops fragments, reads an empty authority as none, cannot join
 * opaque URIs, and skips values `java.net.URI` refuses) would not give the same value.
 */
function joinable(value: string, base: boolean): UriParts {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  const refuse = (why: string) => new XmlC14nError(`Canonical XML 1.1: the xml:base ${shown} ${why}`);
  if (value.includes('%')) throw refuse('holds a percent-escape, which implementations join differently');
  if (value.includes('#')) throw refuse('holds a fragment, which implementations join differently');
  if (!JOINABLE.test(value) || SPACE_LIKE.test(value))
    throw refuse('holds characters a URI reference may not hold');
  const m = URI_PARTS.exec(value) as RegExpExecArray;
  const parts: UriParts = { scheme: m[1], authority: m[2], path: m[3] ?? '', query: m[4] };
  if (parts.scheme !== undefined && !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(parts.scheme))
    throw refuse('starts with something that is not a URI scheme');
  if (parts.scheme !== undefined && parts.authority === undefined)
    throw refuse('is a URI without an authority (such as urn:), which implementations join differently');
  if (parts.authority === '') throw refuse('has an empty authority, which implementations join differently');
  if (base && /(^|\/)\.\.$/.test(parts.path))
    throw refuse('ends in a ".." segment: whether it names a folder is read differently by implementations');
  return parts;
}

/**
 * remove_dot_segments as Canonical XML 1.1 §2.4 modifies RFC 3986 §5.2.4 for relative results: "//" becomes "/",
 * leading ".." segments are kept (moved to the output) instead of dropped, and a final ".." gets a "/". Steps are
 * the standard's (A to E); "..", where the text asks, is a complete segment ("a.." is not). Throws
 * {@link XmlC14nError} for an absolute path that climbs above its root (see step C).
 */
export function removeDotSegments11(path: string): string {
  let input = path.replace(/\/{2,}/g, '/');
  let out = '';
  if (input.startsWith('/')) {
    out = '/';
    input = input.slice(1);
  }
  const lastIsDotDot = () => out === '..' || out.endsWith('/..');
  const lastIsDotDotSlash = () => out === '../' || out.endsWith('/../');
  while (input.length > 0) {
    if (input.startsWith('./'))
      input = input.slice(2); // A
    else if (input.startsWith('../')) {
      input = input.slice(3); // A
      if (out !== '/') out += '../';
    } else if (input.startsWith('/./'))
      input = input.slice(2); // B
    else if (input === '/.')
      input = '/'; // B
    else if (input.startsWith('/../') || input === '/..') {
      input = input === '/..' ? '/' : input.slice(3); // C
      // Only an absolute path climbing above its root gets here with nothing output: the text would make it
      // relative ("../g"), RFC 3986 keeps it at the root ("/g"), Santuario writes "//g". Not guessed.
      if (out === '') throw new XmlC14nError('Canonical XML 1.1: an xml:base path climbs above its root');
      if (lastIsDotDotSlash()) out += '..';
      else if (lastIsDotDot()) out += '/..';
      else {
        // The last segment goes with its "/"; when that empties a relative output, the input's "/" goes too.
        const slash = out.lastIndexOf('/');
        out = slash < 0 ? '' : out.slice(0, slash);
        if (slash < 0) input = input.slice(1);
      }
    } else if (input === '.')
      input = ''; // D
    else if (input === '..') {
      if (out !== '/') out += '..'; // D
      input = '';
    } else {
      const end = input.indexOf('/', 1); // E
      out += end < 0 ? input : input.slice(0, end);
      input = end < 0 ? '' : input.slice(end);
    }
  }
  return lastIsDotDot() ? `${out}/` : out;
}

const unparse = (t: UriParts) =>
  `${t.scheme !== undefined ? `${t.scheme}:` : ''}${t.authority !== undefined ? `//${t.authority}` : ''}${t.path}${
    t.query !== undefined ? `?${t.query}` : ''
  }`;

/**
 * join-URI-References (Canonical XML 1.1 §2.4): `ref` resolved against `base` by RFC 3986 §5.2.2, where `base`
 * may itself be relative, with {@link removeDotSegments11}. Throws {@link XmlC14nError} for the cases
 * `joinable` refuses (among them a scheme without an authority, so "http:x", which RFC 3986's strict and
 * non-strict readings join differently, never gets here).
 */
export function joinUriReferences(base: string, ref: string): string {
  const b = joinable(base, true);
  const r = joinable(ref, false);
  let t: UriParts;
  if (r.scheme !== undefined) {
    t = { ...r, path: removeDotSegments11(r.path) };
  } else if (r.authority !== undefined) {
    t = { scheme: b.scheme, authority: r.authority, path: removeDotSegments11(r.path), query: r.query };
  } else if (r.path === '') {
    t = { scheme: b.scheme, authority: b.authority, path: b.path, query: r.query ?? b.query };
  } else {
    const merged = r.path.startsWith('/')
      ? r.path
      : b.authority !== undefined && b.path === ''
        ? `/${r.path}`
        : `${b.path.slice(0, b.path.lastIndexOf('/') + 1)}${r.path}`;
    t = { scheme: b.scheme, authority: b.authority, path: removeDotSegments11(merged), query: r.query };
  }
  return unparse(t);
}

/**
 * The xml:base Canonical XML 1.1 puts on `apex` when every ancestor is omitted (a same-document reference's
 * subtree, a SignedInfo): undefined when no ancestor has one (the apex's own, if any, stays as it is), else the
 * ancestors' values X1…Xm (outermost first) reduced in reverse document order, as §2.4 says: Xm resolved against
 * Xm-1, the result against Xm-2, and so on to X1. The apex's own value Xe, when it has one, is the innermost of
 * the chain (resolved against Xm first), as Santuario does too. A single value is imported as written.
 */
export function fixedUpXmlBase(apex: XmlAttrNode): string | undefined {
  const values: string[] = [];
  let chars = 0;
  for (let p = apex.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const v = xmlAttr(p, 'base');
    if (v === undefined) continue;
    chars += v.length;
    if (values.length >= MAX_XML_BASE_VALUES || chars > MAX_XML_BASE_CHARS)
      throw new XmlC14nError(
        `Canonical XML 1.1: more than ${MAX_XML_BASE_VALUES} xml:base values or ${MAX_XML_BASE_CHARS} characters of them on the ancestors of a signed element`,
      );
    values.push(v); // innermost first
  }
  if (values.length === 0) return undefined;
  const own = xmlAttr(apex, 'base');
  if (own !== undefined && own.length + chars > MAX_XML_BASE_CHARS)
    throw new XmlC14nError(`Canonical XML 1.1: an xml:base longer than ${MAX_XML_BASE_CHARS} characters`);
  let acc = own ?? (values.shift() as string);
  for (const base of values) acc = joinUriReferences(base, acc);
  if (acc === '')
    throw new XmlC14nError(
      'Canonical XML 1.1: the xml:base values of a signed element join to an empty value',
    );
  return acc;
}

/**
 * The xml: attributes Canonical XML 1.1 sets on `apex`, whose ancestors are all omitted: the nearest xml:lang and
 * xml:space of the ancestors unless the apex has its own, and the fixed-up xml:base (replacing the apex's own).
 */
export function c14n11ApexAttributes(apex: XmlAttrNode): [string, string][] {
  const out: [string, string][] = [];
  for (const local of ['lang', 'space']) {
    if (xmlAttr(apex, local) !== undefined) continue;
    for (let p = apex.parentNode; p && p.nodeType === 1; p = p.parentNode) {
      const v = xmlAttr(p, local);
      if (v === undefined) continue;
      out.push([local, v]);
      break;
    }
  }
  const base = fixedUpXmlBase(apex);
  if (base !== undefined && base !== xmlAttr(apex, 'base')) out.push(['base', base]);
  return out;
}
