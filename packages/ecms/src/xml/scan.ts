import { ecmsError } from '../errors.js';
import { xmlAsUtf8 } from './encoding.js';
import type { XmlLimits } from './limits.js';
import { placeholderMarker } from './marker.js';

/**
 * A hardened pre-pass over an incoming document. It refuses DOCTYPE/ENTITY declarations (no XXE, no
 * entity expansion), enforces the size/depth/count/attribute limits, and lifts large text runs (the
 * base64 of PDFs) out of the document, leaving a placeholder. The generic XML parser then only sees a
 * small skeleton, and binaries are decoded straight from the original bytes.
 */
export interface ScannedXml {
  skeleton: string;
  /** Placeholder text of blob i is `${marker}${i}__`. */
  marker: string;
  /** The document as UTF-8 (decoded from the encoding it declared, see `xmlAsUtf8`): what blobs index into. */
  source: Buffer;
  blobs: BlobRange[];
  /**
   * The number of attributes written in each start tag, in document order (the order a parser meets the
   * elements in). sax keeps only the first of two attributes with the same name; comparing its count with this
   * one finds the duplicate it dropped (see `parseXml`).
   */
  attributeCounts: number[];
}

export interface BlobRange {
  start: number;
  end: number;
  cdata: boolean;
}

/** Text runs longer than this are lifted out of the skeleton. */
const BLOB_THRESHOLD = 2048;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const EQ = 0x3d;

function hostile(message: string): Error {
  return ecmsError('ERR_ECMS_XML_HOSTILE', `Refused XML: ${message}`);
}
function malformed(message: string): Error {
  return ecmsError('ERR_ECMS_XML', `Malformed XML: ${message}`);
}

/**
 * End-of-line handling (XML 1.0 §2.11): each literal CR LF, and each CR alone, read as one LF, as every conformant
 * parser (xmldom, so the DOM of a signature check) reads them; sax keeps the CR. A character reference (`&#13;`)
 * is not a line end and stays a CR. Applies to the skeleton and to every lifted text run (`resolveText`).
 */
export function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

export function toBuffer(input: string | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/**
 * `contentType`: the HTTP Content-Type the bytes came with; its charset, the byte-order mark or the XML
 * declaration decide how they are decoded (`xmlAsUtf8`). A string is characters already.
 */
export function scanXml(input: string | Uint8Array, limits: XmlLimits, contentType?: string): ScannedXml {
  if (typeof input === 'string' && input.length > limits.maxBytes) {
    throw hostile(`document larger than ${limits.maxBytes} bytes`);
  }
  const raw = toBuffer(input);
  if (raw.length > limits.maxBytes) throw hostile(`document larger than ${limits.maxBytes} bytes`);
  const buf = typeof input === 'string' ? raw : xmlAsUtf8(raw, contentType);
  return new Scanner(buf, limits).run();
}

/**
 * One pass over the bytes: text runs, then markup by its second byte (`<?`, `<!`, `</`, or a start tag). State
 * lives in fields so each kind of markup is a method of its own; the attribute walk, the hot loop, is a plain
 * function over locals (codec-bench decode measures this path).
 */
class Scanner {
  readonly #buf: Buffer;
  readonly #limits: XmlLimits;
  readonly #marker = placeholderMarker('blob');
  readonly #parts: string[] = [];
  readonly #blobs: BlobRange[] = [];
  readonly #attributeCounts: number[] = [];
  #segStart = 0;
  #depth = 0;
  #elements = 0;
  #commentsAndInstructions = 0;
  #sawRoot = false;

  constructor(buf: Buffer, limits: XmlLimits) {
    this.#buf = buf;
    this.#limits = limits;
  }

  run(): ScannedXml {
    const buf = this.#buf;
    const len = buf.length;
    let pos = 0;
    // A UTF-8 byte-order mark is legal before the declaration; sax in strict mode rejects it.
    if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      pos = 3;
      this.#segStart = 3;
    }
    while (pos < len) {
      const lt = buf.indexOf(LT, pos);
      const textEnd = lt === -1 ? len : lt;
      if (textEnd - pos > BLOB_THRESHOLD && this.#depth > 0) this.#lift(pos, textEnd, false, pos, textEnd);
      if (lt === -1) break;
      const next = buf[lt + 1];
      if (next === QUESTION) pos = this.#processingInstruction(lt);
      else if (next === BANG) pos = this.#declaration(lt);
      else if (next === SLASH) pos = this.#endTag(lt);
      else pos = this.#startTag(lt);
    }
    if (!this.#sawRoot) throw malformed('no root element');
    if (this.#depth !== 0) throw malformed('unclosed elements at end of document');
    this.#parts.push(buf.toString('utf8', this.#segStart, len));
    return {
      skeleton: normalizeLineEnds(this.#parts.join('')),
      marker: this.#marker,
      source: buf,
      blobs: this.#blobs,
      attributeCounts: this.#attributeCounts,
    };
  }

  /** Replaces bytes cutStart..cutEnd of the skeleton by blob i's placeholder; the blob is start..end. */
  #lift(start: number, end: number, cdata: boolean, cutStart: number, cutEnd: number): void {
    this.#parts.push(this.#buf.toString('utf8', this.#segStart, cutStart));
    this.#parts.push(`${this.#marker}${this.#blobs.length}__`);
    this.#blobs.push({ start, end, cdata });
    this.#segStart = cutEnd;
  }

  #processingInstruction(lt: number): number {
    const end = this.#buf.indexOf('?>', lt + 2, 'latin1');
    if (end === -1) throw malformed('unterminated processing instruction');
    if (!isXmlDeclaration(this.#buf, lt)) this.#countCommentOrInstruction();
    return end + 2;
  }

  /** Each one is cheap here, but xml-crypto removes comments with an XPath that is quadratic in their number. */
  #countCommentOrInstruction(): void {
    this.#commentsAndInstructions++;
    const max = this.#limits.maxCommentsAndInstructions;
    if (this.#commentsAndInstructions > max)
      throw hostile(`more than ${max} comments and processing instructions`);
  }

  /** `<!`: a comment or CDATA section passes (a large CDATA is lifted); any markup declaration is refused. */
  #declaration(lt: number): number {
    const buf = this.#buf;
    if (buf[lt + 2] === 0x2d && buf[lt + 3] === 0x2d) {
      const end = buf.indexOf('-->', lt + 4, 'latin1');
      if (end === -1) throw malformed('unterminated comment');
      this.#countCommentOrInstruction();
      return end + 3;
    }
    if (buf.toString('latin1', lt, lt + 9) === '<![CDATA[') {
      const end = buf.indexOf(']]>', lt + 9, 'latin1');
      if (end === -1) throw malformed('unterminated CDATA section');
      if (this.#depth === 0) throw malformed('CDATA outside the root element');
      if (end - (lt + 9) > BLOB_THRESHOLD) this.#lift(lt + 9, end, true, lt, end + 3);
      return end + 3;
    }
    const word = buf.toString('latin1', lt + 2, Math.min(buf.length, lt + 10)).toUpperCase();
    if (word.startsWith('DOCTYPE')) throw hostile('DOCTYPE declarations are not allowed');
    if (word.startsWith('ENTITY')) throw hostile('ENTITY declarations are not allowed');
    throw hostile('markup declarations are not allowed');
  }

  #endTag(lt: number): number {
    const end = this.#buf.indexOf(GT, lt + 2);
    if (end === -1) throw malformed('unterminated end tag');
    this.#depth--;
    if (this.#depth < 0) throw malformed('end tag without a start tag');
    return end + 1;
  }

  #startTag(lt: number): number {
    if (this.#depth === 0 && this.#sawRoot) throw malformed('more than one root element');
    const i = startTagEnd(this.#buf, lt, this.#limits, this.#attributeCounts);
    this.#elements++;
    if (this.#elements > this.#limits.maxElements)
      throw hostile(`more than ${this.#limits.maxElements} elements`);
    this.#sawRoot = true;
    if (this.#buf[i - 1] !== SLASH) {
      this.#depth++;
      if (this.#depth > this.#limits.maxDepth) throw hostile(`nesting deeper than ${this.#limits.maxDepth}`);
    }
    return i + 1;
  }
}

/** `<?xml` and white space at the very start (after a byte-order mark): the declaration, not an instruction. */
function isXmlDeclaration(buf: Buffer, lt: number): boolean {
  const ws = buf[lt + 5];
  return (
    (lt === 0 || lt === 3) &&
    buf.toString('latin1', lt, lt + 5) === '<?xml' &&
    (ws === 0x20 || ws === 0x09 || ws === 0x0a || ws === 0x0d)
  );
}

/**
 * The index of a start tag's closing '>', walking outside quoted attribute values and checking their limits.
 * Pushes the tag's number of attributes (each `=` outside a quoted value) onto `counts`.
 */
function startTagEnd(buf: Buffer, lt: number, limits: XmlLimits, counts: number[]): number {
  const len = buf.length;
  let i = lt + 1;
  let attributes = 0;
  let quote = 0;
  let valueStart = 0;
  for (; i < len; i++) {
    const c = buf[i] as number;
    if (quote !== 0) {
      if (c === quote) {
        if (i - valueStart > limits.maxAttributeLength) {
          throw hostile(`attribute value longer than ${limits.maxAttributeLength}`);
        }
        quote = 0;
      } else if (c === LT) {
        throw malformed('"<" inside an attribute value');
      }
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      quote = c;
      valueStart = i + 1;
    } else if (c === EQ) {
      attributes++;
      if (attributes > limits.maxAttributes)
        throw hostile(`more than ${limits.maxAttributes} attributes on an element`);
    } else if (c === GT) {
      counts.push(attributes);
      return i;
    } else if (c === LT) {
      throw malformed('"<" inside a tag');
    }
    if (i - lt > limits.maxAttributeLength * 2 + 1024 && attributes === 0) {
      throw hostile('start tag too long');
    }
  }
  throw malformed('unterminated start tag');
}
