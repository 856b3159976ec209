import { randomBytes } from 'node:crypto';
import { ecmsError } from '../errors.js';
import type { XmlLimits } from './limits.js';

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
  source: Buffer;
  blobs: BlobRange[];
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

export function toBuffer(input: string | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export function scanXml(input: string | Uint8Array, limits: XmlLimits): ScannedXml {
  if (typeof input === 'string' && input.length > limits.maxBytes) {
    throw hostile(`document larger than ${limits.maxBytes} bytes`);
  }
  const buf = toBuffer(input);
  const len = buf.length;
  if (len > limits.maxBytes) throw hostile(`document larger than ${limits.maxBytes} bytes`);
  const marker = `__thgov_blob_${randomBytes(6).toString('hex')}_`;
  const parts: string[] = [];
  const blobs: BlobRange[] = [];
  let segStart = 0;
  let pos = 0;
  // A UTF-8 byte-order mark is legal before the declaration; sax in strict mode rejects it.
  if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    pos = 3;
    segStart = 3;
  }
  let depth = 0;
  let elements = 0;
  let sawRoot = false;

  const liftBlob = (start: number, end: number, cdata: boolean, cutStart: number, cutEnd: number) => {
    parts.push(buf.toString('utf8', segStart, cutStart));
    parts.push(`${marker}${blobs.length}__`);
    blobs.push({ start, end, cdata });
    segStart = cutEnd;
  };

  while (pos < len) {
    const lt = buf.indexOf(LT, pos);
    const textEnd = lt === -1 ? len : lt;
    if (textEnd - pos > BLOB_THRESHOLD && depth > 0) liftBlob(pos, textEnd, false, pos, textEnd);
    if (lt === -1) break;
    const next = buf[lt + 1];
    if (next === QUESTION) {
      const end = buf.indexOf('?>', lt + 2, 'latin1');
      if (end === -1) throw malformed('unterminated processing instruction');
      pos = end + 2;
      continue;
    }
    if (next === BANG) {
      if (buf[lt + 2] === 0x2d && buf[lt + 3] === 0x2d) {
        const end = buf.indexOf('-->', lt + 4, 'latin1');
        if (end === -1) throw malformed('unterminated comment');
        pos = end + 3;
        continue;
      }
      if (buf.toString('latin1', lt, lt + 9) === '<![CDATA[') {
        const end = buf.indexOf(']]>', lt + 9, 'latin1');
        if (end === -1) throw malformed('unterminated CDATA section');
        if (depth === 0) throw malformed('CDATA outside the root element');
        if (end - (lt + 9) > BLOB_THRESHOLD) liftBlob(lt + 9, end, true, lt, end + 3);
        pos = end + 3;
        continue;
      }
      const word = buf.toString('latin1', lt + 2, Math.min(len, lt + 10)).toUpperCase();
      if (word.startsWith('DOCTYPE')) throw hostile('DOCTYPE declarations are not allowed');
      if (word.startsWith('ENTITY')) throw hostile('ENTITY declarations are not allowed');
      throw hostile('markup declarations are not allowed');
    }
    if (next === SLASH) {
      const end = buf.indexOf(GT, lt + 2);
      if (end === -1) throw malformed('unterminated end tag');
      depth--;
      if (depth < 0) throw malformed('end tag without a start tag');
      pos = end + 1;
      continue;
    }
    // Start tag: walk to the closing '>' outside quoted attribute values.
    if (depth === 0 && sawRoot) throw malformed('more than one root element');
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
        break;
      } else if (c === LT) {
        throw malformed('"<" inside a tag');
      }
      if (i - lt > limits.maxAttributeLength * 2 + 1024 && attributes === 0) {
        throw hostile('start tag too long');
      }
    }
    if (i >= len) throw malformed('unterminated start tag');
    elements++;
    if (elements > limits.maxElements) throw hostile(`more than ${limits.maxElements} elements`);
    sawRoot = true;
    if (buf[i - 1] !== SLASH) {
      depth++;
      if (depth > limits.maxDepth) throw hostile(`nesting deeper than ${limits.maxDepth}`);
    }
    pos = i + 1;
  }
  if (!sawRoot) throw malformed('no root element');
  if (depth !== 0) throw malformed('unclosed elements at end of document');
  parts.push(buf.toString('utf8', segStart, len));
  return { skeleton: parts.join(''), marker, source: buf, blobs };
}
