import { decodeStream } from '../pdf/filters.js';
import type { Budget } from '../pdf/limits.js';
import { isName, type PdfObject, PdfStream } from '../pdf/objects.js';

/** Largest XMP packet checked: Acrobat's are a few kilobytes (with 2 KB of padding); anything larger is not one. */
const MAX_XMP_BYTES = 1024 * 1024;
/** Deepest element nesting checked. */
const MAX_DEPTH = 128;

/** The keys ISO 32000-2 §14.3.2 gives a metadata stream, with the stream's own. */
const METADATA_STREAM_KEYS = new Set(['Type', 'Subtype', 'Length', 'Filter', 'DecodeParms']);
/** The keys of an unfiltered metadata stream. */
const PLAIN_STREAM_KEYS = new Set(['Type', 'Subtype', 'Length']);

const NAME_START =
  'A-Za-z_:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME = `[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*`;
/** XML's white space (not JavaScript's `\\s`, which takes in more). */
const WS = '[ \\t\\r\\n]';
/** A start or empty-element tag at the position (sticky): name, attributes, `/` of an empty element. */
const START_TAG = new RegExp(
  `<(${NAME})((?:${WS}+${NAME}${WS}*=${WS}*(?:"[^"<]*"|'[^'<]*'))*)${WS}*(/?)>`,
  'y',
);
const ATTRIBUTE = new RegExp(`(${NAME})${WS}*=${WS}*(?:"([^"]*)"|'([^']*)')`, 'g');
const END_TAG = new RegExp(`</(${NAME})${WS}*>`, 'y');
const PI_TARGET = new RegExp(`<\\?(${NAME})(?:${WS}|\\?>)`, 'y');
const ONLY_WS = new RegExp(`^${WS}*$`);
/** A character XML 1.0 forbids (controls but TAB, LF, CR; U+FFFE, U+FFFF; a lone surrogate). */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** An `&` not starting one of the five predefined entities or a character reference. */
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/;
const CHAR_REFERENCE = /&#(x?)([0-9A-Fa-f]+);/g;

/** Whether every character reference in `text` names a character XML allows. */
function charReferencesOk(text: string): boolean {
  for (const m of text.matchAll(CHAR_REFERENCE)) {
    const c = Number.parseInt(m[2]!, m[1] ? 16 : 10);
    const ok =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) return false;
  }
  return true;
}

/** Character data (or an attribute value): only predefined entities and allowed character references. */
function textOk(text: string): boolean {
  return !BAD_REFERENCE.test(text) && !text.includes(']]>') && charReferencesOk(text);
}

/** The attributes of a start tag: each name once, each value free of `<` and of references to declared entities. */
function attributesOk(list: string): boolean {
  const seen = new Set<string>();
  for (const m of list.matchAll(ATTRIBUTE)) {
    if (seen.has(m[1]!)) return false;
    seen.add(m[1]!);
    if (!textOk(m[2] ?? m[3] ?? '')) return false;
  }
  return true;
}

/**
 * Markup other than elements at `at`: a processing instruction (the XMP packet wrapper `<?xpacket …?>`; an XML
 * declaration only first), a comment, or CDATA inside an element. The position after it, or -1: anything else
 * starting `<!` — a DOCTYPE, an ENTITY declaration — is refused without being read.
 */
function otherMarkup(s: string, at: number, inElement: boolean): number {
  if (s.startsWith('<?', at)) {
    PI_TARGET.lastIndex = at;
    const target = PI_TARGET.exec(s)?.[1];
    const end = s.indexOf('?>', at + 2);
    if (!target || end < 0 || (target.toLowerCase() === 'xml' && at !== 0)) return -1;
    return end + 2;
  }
  if (s.startsWith('<!--', at)) {
    const end = s.indexOf('-->', at + 4);
    return end < 0 || s.slice(at + 4, end).includes('--') ? -1 : end + 3;
  }
  if (inElement && s.startsWith('<![CDATA[', at)) {
    const end = s.indexOf(']]>', at + 9);
    return end < 0 ? -1 : end + 3;
  }
  return -1;
}

/**
 * Whether `s` is one well-formed XML document by a plain scan: one root element, tags that nest and match,
 * attributes once each, comments, CDATA and processing instructions; no DOCTYPE and no entity but the five
 * predefined ones and character references. Nothing is ever expanded or fetched.
 */
function wellFormed(s: string): boolean {
  if (NOT_XML_CHAR.test(s)) return false;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = s.slice(i, lt < 0 ? s.length : lt);
    if (stack.length ? !textOk(text) : !ONLY_WS.test(text)) return false;
    if (lt < 0) break;
    if (s[lt + 1] === '?' || s[lt + 1] === '!') {
      i = otherMarkup(s, lt, stack.length > 0);
      if (i < 0) return false;
      continue;
    }
    const re = s[lt + 1] === '/' ? END_TAG : START_TAG;
    re.lastIndex = lt;
    const m = re.exec(s);
    if (!m) return false;
    i = re.lastIndex;
    if (re === END_TAG) {
      if (stack.pop() !== m[1]) return false;
      continue;
    }
    if (!attributesOk(m[2]!) || (stack.length === 0 && roots++ > 0)) return false;
    if (m[3] !== '/') stack.push(m[1]!);
    if (stack.length > MAX_DEPTH) return false;
  }
  return roots === 1 && stack.length === 0;
}

/**
 * Whether `o` is an XMP metadata stream a later revision may replace another with (pyHanko's MetadataUpdateRule):
 * a stream of /Type /Metadata, /Subtype /XML and nothing but its stream keys, whose data is UTF-8 (a byte order
 * mark allowed) and well-formed XML with no DOCTYPE or entity declaration. With `plain` (the stream written after
 * signing) it has no filter: PDF/A asks that of metadata streams, Acrobat and iText write it so, and a filter would
 * only hide what a reader of the raw file sees. A stream that does not decode within the budget's limits, or is
 * larger than an XMP packet is, is none.
 */
export function isXmpStream(o: PdfObject | undefined, budget: Budget, plain = false): boolean {
  if (!(o instanceof PdfStream)) return false;
  const d = o.dict;
  if (!isName(d.get('Type'), 'Metadata') || !isName(d.get('Subtype'), 'XML')) return false;
  const allowed = plain ? PLAIN_STREAM_KEYS : METADATA_STREAM_KEYS;
  if ([...d.map.keys()].some((k) => !allowed.has(k))) return false;
  try {
    const data = decodeStream(o, budget);
    if (data.length > MAX_XMP_BYTES) return false;
    return wellFormed(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return false;
  }
}
