import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { ecmsError } from '../errors.js';
import type { XmlLimits } from './limits.js';
import { escapeLineSeparators } from './line-separators.js';
import { scanXml } from './scan.js';
import { sameName } from './tree.js';

const XMLNS = 'http://www.w3.org/2000/xmlns/';

/**
 * A full DOM (xmldom) of a document, for signature checks. The same hostile-XML gate as the codec runs first,
 * so no DOCTYPE, entity or size/depth/count breach ever reaches xmldom.
 */
export function parseDom(input: string | Uint8Array, limits: XmlLimits): { xml: string; doc: Document } {
  // The scan also decodes the bytes as their encoding says: the DOM reads the same characters as the codec, and
  // a signature is checked over them (canonical XML is UTF-8 whatever the document's encoding).
  const { source } = scanXml(input, limits);
  // xml-crypto re-parses this text with its own xmldom: both must read the same characters.
  const xml = escapeLineSeparators(typeof input === 'string' ? input : source.toString('utf8'));
  return { xml, doc: domOf(xml) };
}

/** xmldom's DOM of text the hostile-XML gate has passed; a parse error is `ERR_ECMS_XML`, without the text. */
export function domOf(xml: string): Document {
  // The first error is kept and thrown after the parse: an error thrown from `onError` comes back wrapped in
  // xmldom's own ParseError, whose message quotes xmldom's (and with it the document).
  let problem: string | undefined;
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      onError: (level, msg, context) => {
        if (level !== 'warning' && problem === undefined) problem = parserProblem(msg, context?.locator);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (cause) {
    // A fatal error is thrown after it was reported; anything else (a DOMException) quotes what it names too.
    problem ??= parserProblem(cause instanceof Error ? cause.message : '', undefined);
  }
  if (problem !== undefined || doc === undefined)
    throw ecmsError('ERR_ECMS_XML', `Malformed XML: ${problem ?? 'parse error'}`);
  return doc;
}

/**
 * What xmldom says went wrong, without the document it quotes (`Opening and ending tag mismatch: "b" != "…"`,
 * `Unexpected content outside root element: '…'`, `attribute "…" missed quot`): the words before the first
 * quote, any non-ASCII run (a Thai name as an element name) replaced, and the position.
 */
function parserProblem(
  message: string,
  locator: { lineNumber?: number; columnNumber?: number } | undefined,
): string {
  const line = String(message).split('\n')[0] ?? '';
  const quote = line.search(/["'`]/);
  // Cut before the trim: a trailing-class regex over a long line of spaces would backtrack quadratically.
  let words = (quote >= 0 ? line.slice(0, quote) : line).slice(0, 120).replace(/[^\x20-\x7e]+/g, '…');
  while (words.endsWith(':') || words.endsWith(' ')) words = words.slice(0, -1);
  const at =
    typeof locator?.lineNumber === 'number'
      ? ` (line ${locator.lineNumber}, column ${locator.columnNumber ?? 0})`
      : '';
  return `${words || 'parse error'}${at}`;
}

export function elementChildren(el: Node): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

/** Element children named `local` under the codec's tolerant fold. */
export function childElements(el: Node, local: string): Element[] {
  return elementChildren(el).filter((c) => sameName(c.localName, local));
}

/** Every element below `el` (itself excluded), in document order. */
export function* descendantElements(el: Node): Generator<Element> {
  for (const c of elementChildren(el)) {
    yield c;
    yield* descendantElements(c);
  }
}

/**
 * Values of the attributes that can act as an element ID for a same-document reference, in every spelling:
 * any attribute whose local name is `id` in any case and any namespace (`ID`, `Id`, `id`, `xml:id`,
 * `wsu:Id`, …). Namespace declarations are not attributes of this kind.
 */
export function idValues(el: Element): string[] {
  const out: string[] = [];
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (!a || a.namespaceURI === XMLNS) continue;
    const local = (a.localName ?? a.name).toLowerCase();
    if (local === 'id') out.push(a.value);
  }
  return out;
}
