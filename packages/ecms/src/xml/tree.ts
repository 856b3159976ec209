import { type Element as XmlJsElement, xml2js } from 'xml-js';
import { ecmsError } from '../errors.js';
import { decodeCanonicalBase64 } from './base64.js';
import type { XmlLimits } from './limits.js';
import { splitAtPlaceholders } from './marker.js';
import { normalizeLineEnds, type ScannedXml, scanXml } from './scan.js';

/**
 * A namespace-agnostic view of a parsed document: elements by local name, prefixes dropped.
 * e-CMS peers disagree on prefixes and sometimes on namespaces, so matching is by local name.
 */
export interface XmlNode {
  local: string;
  /** `local` folded by `nameKey`: what name comparisons use. */
  key: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Direct text and CDATA, concatenated, blob placeholders still in place. */
  text: string;
}

export interface ParsedXml {
  root: XmlNode;
  scanned: ScannedXml;
  limits: XmlLimits;
}

/**
 * The form element names are compared in: lower case, without dashes and underscores. Real nodes and
 * clients spell names differently (`ProcessId`, `Th-Name`, `correspondenceLetter`); every lookup, and every
 * structural check of a signed letter, goes through this one fold so the decoder and the verifier can never
 * disagree about which element is meant.
 */
export function nameKey(local: string): string {
  return local.toLowerCase().replace(/[-_]/g, '');
}

/** Whether an element's local name is `want` under the tolerant fold of `nameKey`. */
export function sameName(local: string | null | undefined, want: string): boolean {
  return local != null && nameKey(local) === nameKey(want);
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i === -1 ? qname : qname.slice(i + 1);
}

/**
 * The namespace-agnostic view of `el` and its descendants. Attributes keep their qualified names (`mimeCode` and
 * `x:mimeCode` are two attributes, as in every namespace-aware reader); `attribute` folds them. `counts` is the
 * scanner's attribute count of each start tag in document order, `next` the index of `el`'s: an element with
 * fewer attributes here had one written twice, which sax drops silently and xmldom refuses.
 */
function convert(el: XmlJsElement, counts: readonly number[], next: { i: number }): XmlNode {
  const written = Object.entries(el.attributes ?? {});
  if (written.length !== counts[next.i++]) {
    throw ecmsError('ERR_ECMS_XML', `Malformed XML: <${el.name ?? ''}> carries an attribute written twice`);
  }
  const attrs: Record<string, string> = {};
  for (const [k, v] of written) if (k !== 'xmlns' && !k.startsWith('xmlns:')) attrs[k] = String(v);
  const local = localName(el.name ?? '');
  const node: XmlNode = { local, key: nameKey(local), attrs, children: [], text: '' };
  let text = '';
  for (const c of el.elements ?? []) {
    if (c.type === 'element') node.children.push(convert(c, counts, next));
    else if (c.type === 'text') text += String(c.text ?? '');
    else if (c.type === 'cdata') text += String(c.cdata ?? '');
  }
  node.text = text;
  return node;
}

/** `contentType`: the HTTP Content-Type the bytes came with (its charset is honoured, see `scanXml`). */
export function parseXml(input: string | Uint8Array, limits: XmlLimits, contentType?: string): ParsedXml {
  const scanned = scanXml(input, limits, contentType);
  assertXmlChars(scanned.skeleton, 'the document');
  assertReferences(scanned.skeleton);
  let doc: XmlJsElement;
  try {
    doc = xml2js(scanned.skeleton, {
      compact: false,
      captureSpacesBetweenElements: false,
      ignoreDoctype: true,
      ignoreComment: true,
      ignoreInstruction: true,
      ignoreDeclaration: true,
    }) as XmlJsElement;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : 'parse error';
    throw ecmsError('ERR_ECMS_XML', `Malformed XML: ${detail}`, { cause });
  }
  const rootEl = (doc.elements ?? []).find((e) => e.type === 'element');
  if (!rootEl) throw ecmsError('ERR_ECMS_XML', 'Malformed XML: no root element');
  return { root: convert(rootEl, scanned.attributeCounts, { i: 0 }), scanned, limits };
}

/** First child whose name is `local` under the tolerant fold (`nameKey`). */
export function child(node: XmlNode | undefined, local: string): XmlNode | undefined {
  if (!node) return undefined;
  const key = nameKey(local);
  return node.children.find((c) => c.key === key);
}

export function childrenNamed(node: XmlNode | undefined, local: string): XmlNode[] {
  if (!node) return [];
  const key = nameKey(local);
  return node.children.filter((c) => c.key === key);
}

/** An element with nothing in it: no children, no attributes, no text (`<ram:Description/>`). */
function isBlank(n: XmlNode): boolean {
  return n.children.length === 0 && n.text.trim() === '' && Object.keys(n.attrs).length === 0;
}

/** Two copies of a field with the same text and attributes (and no child elements): one value written twice. */
function sameContent(parsed: ParsedXml, a: XmlNode, b: XmlNode): boolean {
  if (a === b) return true;
  if (a.children.length > 0 || b.children.length > 0) return false;
  return (
    JSON.stringify(a.attrs) === JSON.stringify(b.attrs) &&
    resolveText(parsed, a.text).trim() === resolveText(parsed, b.text).trim()
  );
}

/**
 * The child `local` (tolerant fold) of a field written once. Clients that concatenate XML by hand leave a
 * template's empty element beside the filled one: empty copies are ignored, and copies with the same text are
 * one value. Two that differ are refused (ERR_ECMS_MESSAGE): reading the first would silently drop the other,
 * which another reader of the same document could take instead.
 */
export function soleChild(parsed: ParsedXml, node: XmlNode | undefined, local: string): XmlNode | undefined {
  const all = childrenNamed(node, local);
  if (all.length < 2) return all[0];
  const filled = all.filter((n) => !isBlank(n));
  const [first] = filled;
  if (!first) return all[0];
  if (filled.every((n) => sameContent(parsed, n, first))) return first;
  throw ecmsError(
    'ERR_ECMS_MESSAGE',
    `<${first.local}> is written ${filled.length} times with different content`,
  );
}

/**
 * The value of the attribute named `local` under the tolerant fold (`nameKey`), prefix dropped: `mimeCode`,
 * `MimeCode`, `mime-code`, `ram:mimeCode`. Attribute names are spelled as loosely as element names. Two
 * spellings with different values are refused (ERR_ECMS_MESSAGE): taking one would give the application a value
 * another reader of the same (possibly signed) document does not see, as `soleChild` refuses for elements.
 */
export function attribute(node: XmlNode, local: string): string | undefined {
  const key = nameKey(local);
  let found: string | undefined;
  for (const [name, value] of Object.entries(node.attrs)) {
    if (nameKey(localName(name)) !== key) continue;
    if (found !== undefined && found !== value) {
      throw ecmsError(
        'ERR_ECMS_MESSAGE',
        `<${node.local}> carries ${local} in two spellings with different values`,
      );
    }
    found = value;
  }
  return found;
}

/** Depth-first search by name (tolerant fold), `node` itself included. */
export function findDeep(node: XmlNode, local: string): XmlNode | undefined {
  const key = nameKey(local);
  const walk = (n: XmlNode): XmlNode | undefined => {
    if (n.key === key) return n;
    for (const c of n.children) {
      const f = walk(c);
      if (f) return f;
    }
    return undefined;
  };
  return walk(node);
}

/** Elements named `local` anywhere below `node` (itself excluded), in document order. */
export function descendantsNamed(node: XmlNode, local: string): XmlNode[] {
  const key = nameKey(local);
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    for (const c of n.children) {
      if (c.key === key) out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

/**
 * Characters XML 1.0 forbids (C0 controls other than tab, LF and CR, U+FFFE/U+FFFF) and lone surrogates.
 * sax lets raw ones through on input; they would reach a letter's fields and every system downstream.
 */
export const INVALID_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws ERR_ECMS_XML when `text` holds a character XML 1.0 does not allow. */
export function assertXmlChars(text: string, where: string): void {
  const m = INVALID_XML_CHAR.exec(text);
  if (m) {
    const cp = (m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw ecmsError('ERR_ECMS_XML', `Malformed XML: ${where} holds the character U+${cp}, which XML forbids`);
  }
}

/**
 * The code point of a numeric character reference, or a typed error when XML does not allow it: beyond
 * U+10FFFF, a surrogate, NUL or another forbidden control character. `String.fromCodePoint` would throw a
 * RangeError (or build a lone surrogate) instead.
 */
export function charFromReference(ref: string, where: string): string {
  const cp =
    ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
  const allowed =
    Number.isInteger(cp) &&
    (cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff));
  if (!allowed) {
    throw ecmsError(
      'ERR_ECMS_XML',
      `Malformed XML: ${where} holds the character reference &${ref.slice(0, 12)}; outside the characters XML allows`,
    );
  }
  return String.fromCodePoint(cp);
}

const REFERENCE = 'lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+';

function undeclaredReference(): Error {
  return ecmsError(
    'ERR_ECMS_XML',
    'Malformed XML: an "&" begins no reference XML defines (an undeclared entity such as &nbsp;, or an unescaped &)',
  );
}

/** Comments, CDATA sections and processing instructions (where `&` is literal), or an `&` that begins no reference. */
const MARKUP_OR_BAD_REFERENCE = new RegExp(
  `<!--[\\s\\S]*?-->|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|<\\?[\\s\\S]*?\\?>|&(?!(?:${REFERENCE});)`,
  'g',
);

/**
 * One rule for references in every text run (XML 1.0 §4.1, WFC Entity Declared; no DTD is accepted): the five
 * predefined entities and character references, nothing else. sax, which reads the skeleton, would decode HTML
 * entities (`&nbsp;`) that the lifted runs, the DOM of a signature check and other nodes' parsers refuse.
 */
function assertReferences(skeleton: string): void {
  if (!skeleton.includes('&')) return;
  for (const m of skeleton.matchAll(MARKUP_OR_BAD_REFERENCE)) if (m[0] === '&') throw undeclaredReference();
}

const ENTITY = new RegExp(`&(?:(${REFERENCE});)?`, 'g');
function decodeEntities(s: string): string {
  return s.replace(ENTITY, (_m, e: string | undefined) => {
    switch (e) {
      case undefined:
        throw undeclaredReference();
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return charFromReference(e, 'a text run');
    }
  });
}

/** Replaces placeholders with the lifted text (entity-decoded when not CDATA). */
export function resolveText(parsed: ParsedXml, text: string): string {
  const { marker, blobs, source } = parsed.scanned;
  if (blobs.length === 0 || !text.includes(marker)) return text;
  let out = '';
  for (const p of splitAtPlaceholders(text, marker)) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const b = blobs[p];
    if (!b) continue;
    const raw = normalizeLineEnds(source.toString('utf8', b.start, b.end));
    assertXmlChars(raw, 'a text run');
    out += b.cdata || !raw.includes('&') ? raw : decodeEntities(raw);
  }
  return out;
}

/** Field text: placeholders resolved, bounded in length, trimmed. */
export function fieldText(parsed: ParsedXml, node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const text = resolveText(parsed, node.text);
  if (text.length > parsed.limits.maxTextLength) {
    throw ecmsError(
      'ERR_ECMS_XML_HOSTILE',
      `Refused XML: text of <${node.local}> longer than ${parsed.limits.maxTextLength}`,
    );
  }
  return text.trim();
}

const BASE64_STRICT = /^[A-Za-z0-9+/]*={0,2}$/;
const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/;

function strictBase64(s: string, where: string): Buffer {
  const compact = /\s/.test(s) ? s.replace(/\s+/g, '') : s;
  if (compact.length % 4 !== 0 || !BASE64_STRICT.test(compact)) {
    throw ecmsError('ERR_ECMS_BASE64', `<${where}> is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

/** `bytes` without the XML whitespace (space, tab, CR, LF) at either end. */
function trimAscii(bytes: Buffer): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && isXmlSpace(bytes[start] as number)) start++;
  while (end > start && isXmlSpace(bytes[end - 1] as number)) end--;
  return start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Base64 content of an element. Fast path: one lifted blob without entities, canonical base64, decoded in
 * chunks straight from the source bytes (`decodeCanonicalBase64`); else the strict slow path, which also
 * accepts whitespace inside the text and explains a refusal.
 */
export function fieldBase64(parsed: ParsedXml, node: XmlNode): Buffer {
  const { marker, blobs, source } = parsed.scanned;
  const text = node.text.trim();
  const m =
    blobs.length > 0 && text.startsWith(marker) ? /^__thgov_blob_[0-9a-f]+_(\d+)__$/.exec(text) : null;
  if (m) {
    const b = blobs[Number(m[1])] as { start: number; end: number; cdata: boolean };
    const slice = trimAscii(source.subarray(b.start, b.end));
    if (slice.indexOf(0x26) === -1) {
      const decoded = decodeCanonicalBase64(slice);
      if (decoded) return decoded;
      const trimmed = slice.toString('latin1');
      if (NOT_BASE64.test(trimmed)) throw ecmsError('ERR_ECMS_BASE64', `<${node.local}> is not valid base64`);
      return strictBase64(trimmed, node.local);
    }
  }
  return strictBase64(resolveText(parsed, node.text), node.local);
}
