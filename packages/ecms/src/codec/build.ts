import { js2xml, type Element as XmlJsElement } from 'xml-js';
import { ecmsError } from '../errors.js';
import { base64Length, writeBase64 } from '../xml/base64.js';
import { placeholderMarker, splitAtPlaceholders } from '../xml/marker.js';
import { INVALID_XML_CHAR } from '../xml/tree.js';

/**
 * Builds documents with xml-js, except for large payloads: those are placeholders in the tree and are
 * spliced in as bytes afterwards, so a 10 MB PDF is base64-encoded once, in chunks, straight into the document,
 * and never walks through the
 * generic serializer.
 */
export type Splice = { kind: 'base64'; bytes: Uint8Array } | { kind: 'raw'; bytes: Uint8Array };

export class XmlBuilder {
  readonly #marker = placeholderMarker('splice');
  readonly #splices: Splice[] = [];

  el(name: string, attributes?: Record<string, string>, elements?: XmlJsElement[]): XmlJsElement {
    const e: XmlJsElement = { type: 'element', name };
    if (attributes && Object.keys(attributes).length > 0) e.attributes = attributes;
    if (elements && elements.length > 0) e.elements = elements;
    return e;
  }

  /** An element with text content; `undefined` yields no element (optional fields). */
  text(name: string, value: string | undefined, attributes?: Record<string, string>): XmlJsElement[] {
    if (value === undefined) return [];
    return [this.el(name, attributes, value === '' ? [] : [{ type: 'text', text: preEscape(value) }])];
  }

  /** Always present, possibly empty (elements real clients always send). */
  textAlways(name: string, value: string | undefined): XmlJsElement {
    return this.el(name, undefined, value ? [{ type: 'text', text: preEscape(value) }] : []);
  }

  base64(name: string, bytes: Uint8Array, attributes?: Record<string, string>): XmlJsElement {
    return this.el(name, attributes, [{ type: 'text', text: this.#placeholder({ kind: 'base64', bytes }) }]);
  }

  /** Marks a place where already serialized XML is inserted verbatim (a signed document). */
  raw(bytes: Uint8Array): XmlJsElement {
    return { type: 'text', text: this.#placeholder({ kind: 'raw', bytes }) };
  }

  #placeholder(s: Splice): string {
    this.#splices.push(s);
    return `${this.#marker}${this.#splices.length - 1}__`;
  }

  toBuffer(root: XmlJsElement, declaration = true): Buffer {
    const xml = js2xml(
      { elements: [root] },
      {
        compact: false,
        spaces: 0,
        fullTagEmptyElement: false,
        // xml-js escapes & < > in text but un-escapes "&amp;" first (to avoid double escaping), which
        // would corrupt a literal "&amp;". preEscape() doubles every "&" so that step restores it; here
        // only the line ends parsers would otherwise normalise to a line feed are added: the carriage return,
        // and U+0085/U+2028/U+2029, which xmldom (so xml-crypto, when signing) reads as XML 1.1 line ends.
        textFn: escapeLineEnds,
      },
    );
    const head = declaration ? '<?xml version="1.0" encoding="utf-8"?>' : '';
    if (this.#splices.length === 0) return Buffer.from(head + xml, 'utf8');
    // One allocation for the whole document: the base64 text is written straight into it.
    const pieces: (string | Splice)[] = [head];
    for (const p of splitAtPlaceholders(xml, this.#marker))
      pieces.push(typeof p === 'string' ? p : (this.#splices[p] as Splice));
    let total = 0;
    for (const p of pieces) {
      if (typeof p === 'string') total += Buffer.byteLength(p, 'utf8');
      else total += p.kind === 'raw' ? p.bytes.byteLength : base64Length(p.bytes.byteLength);
    }
    const out = Buffer.allocUnsafe(total);
    let off = 0;
    for (const p of pieces) {
      if (typeof p === 'string') off += out.write(p, off, 'utf8');
      else if (p.kind === 'raw') {
        out.set(p.bytes, off);
        off += p.bytes.byteLength;
      } else off += writeBase64(out, off, p.bytes);
    }
    return off === total ? out : out.subarray(0, off);
  }
}

const LINE_ENDS = /[\r\u0085\u2028\u2029]/g;

function escapeLineEnds(text: string): string {
  return /[\r\u0085\u2028\u2029]/.test(text) ? text.replace(LINE_ENDS, (c) => `&#${c.charCodeAt(0)};`) : text;
}

function preEscape(value: string): string {
  if (INVALID_XML_CHAR.test(value)) {
    throw ecmsError('ERR_ECMS_MESSAGE', 'Text contains a character XML 1.0 cannot carry (control character)');
  }
  return value.includes('&') ? value.replace(/&/g, '&amp;') : value;
}
