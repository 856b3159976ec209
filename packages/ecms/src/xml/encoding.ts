import { isAscii, isUtf8 } from 'node:buffer';
import { ecmsError } from '../errors.js';

/**
 * The character encoding of an incoming document (XML 1.0 §4.3.3, RFC 7303 §3.2): a byte-order mark, else the
 * charset of the HTTP Content-Type, else the XML declaration's `encoding`, else UTF-8. A document in another
 * encoding (a legacy Thai node's TIS-620 / windows-874 / ISO-8859-11) is decoded as declared and handed on as
 * UTF-8 with its declaration rewritten; bytes that are not valid in the encoding that applies, an encoding
 * nobody knows, or a Content-Type and a declaration that disagree about a non-ASCII document are a fatal error
 * (ERR_ECMS_XML), never U+FFFD in a book number or a subject.
 */

const UTF8 = 'utf-8';
const UTF8_LABELS = new Set([
  'utf-8',
  'utf8',
  'unicode-1-1-utf-8',
  'unicode11utf8',
  'unicode20utf8',
  'x-unicode20utf8',
]);
/** ASCII is a subset of UTF-8 (WHATWG would map these labels to windows-1252, which is not what they say). */
const ASCII_LABELS = new Set(['us-ascii', 'ascii', 'iso646-us', 'ansi_x3.4-1968']);

/** Buffers this module returned: valid UTF-8, declaration consistent; a second pass over them is skipped. */
const checked = new WeakSet<Uint8Array>();

function refuse(message: string): Error {
  return ecmsError('ERR_ECMS_XML', `Malformed XML: ${message}`);
}

const shown = (label: string) => JSON.stringify(label.slice(0, 40));

/** The WHATWG name of an encoding label (`tis-620`, `iso-8859-11` → `windows-874`), or a refusal. */
function canonical(label: string, where: string): string {
  const l = label.trim().toLowerCase();
  if (UTF8_LABELS.has(l) || ASCII_LABELS.has(l)) return UTF8;
  try {
    return new TextDecoder(l).encoding;
  } catch {
    throw refuse(`${where} declares the encoding ${shown(label)}, which is not supported`);
  }
}

/** The charset parameter of a Content-Type, or undefined; its name in any letter case (RFC 9110). */
function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes(';')) return undefined;
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
}

const DECLARATION = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]{0,63})\1/;

/** The `encoding` of the XML declaration, read from the bytes (ASCII in every encoding this reads). */
function declaredEncoding(buf: Buffer, from: number): string | undefined {
  if (buf[from] !== 0x3c || buf[from + 1] !== 0x3f) return undefined;
  const head = buf.toString('latin1', from, Math.min(buf.length, from + 256));
  return DECLARATION.exec(head)?.[2];
}

const UTF16 = new Set(['utf-16le', 'utf-16be']);

/**
 * The encoding a declaration read from the bytes as ASCII names, when it can describe them. One that names UTF-16
 * cannot: UTF-16 text starts with a byte-order mark (XML 1.0 §4.3.3) and no ASCII is legible in it. It is what a
 * .NET service writes after serialising through a StringWriter and sending the string as UTF-8, and is ignored
 * (as libxml2 does): the transport charset or UTF-8 applies, with its validity check.
 */
function readableDeclaration(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const encoding = canonical(label, 'the XML declaration');
  return UTF16.has(encoding) ? undefined : encoding;
}

function bomEncoding(buf: Buffer): string | undefined {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return UTF8;
  if (buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
  if (buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * `utf-16le` or `utf-16be` when `input` is UTF-16 by its byte-order mark or its Content-Type charset (the only
 * encodings read here in which ASCII markup is not legible byte for byte), else undefined.
 */
export function utf16Encoding(input: Buffer, contentType?: string): string | undefined {
  const bom = bomEncoding(input);
  if (bom) return bom === UTF8 ? undefined : bom;
  const label = charsetOf(contentType);
  if (label === undefined) return undefined;
  try {
    const encoding = canonical(label, 'the Content-Type');
    return UTF16.has(encoding) ? encoding : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `input` as UTF-8 bytes, decoded per its encoding (see the module comment); `contentType` is the HTTP header
 * the document came with, when it came over HTTP. UTF-8 input is returned as is, after a validity check.
 */
export function xmlAsUtf8(input: Buffer, contentType?: string): Buffer {
  if (checked.has(input) && charsetOf(contentType) === undefined) return input;
  const bom = bomEncoding(input);
  const transportLabel = charsetOf(contentType);
  const transport = transportLabel === undefined ? undefined : canonical(transportLabel, 'the Content-Type');
  const declaredLabel = bom && bom !== UTF8 ? undefined : declaredEncoding(input, bom ? 3 : 0);
  const declared = readableDeclaration(declaredLabel);
  let encoding: string;
  if (bom) encoding = bom;
  else if (transport && declared && transport !== declared) {
    // Either could be the serializer's: guessing could store a garbled book number. Pure ASCII reads the same.
    if (!isAscii(input)) {
      throw refuse(
        `the Content-Type declares ${shown(transportLabel ?? '')} but the XML declaration ${shown(declaredLabel ?? '')}`,
      );
    }
    encoding = UTF8;
  } else encoding = transport ?? declared ?? UTF8;

  if (encoding === UTF8) {
    if (!isUtf8(input)) {
      throw refuse(
        transport || declared
          ? 'the document is not valid UTF-8'
          : 'the document is not valid UTF-8 and declares no other encoding',
      );
    }
    checked.add(input);
    return input;
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(input);
  } catch {
    throw refuse(`the document is not valid ${encoding} text`);
  }
  // The declaration now names what the bytes are, so nothing downstream decodes them a second time.
  const out = Buffer.from(
    text.replace(/^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])[^"']*\1/, (m, q: string) =>
      m.replace(/encoding\s*=\s*(["'])[^"']*\1$/, `encoding=${q}UTF-8${q}`),
    ),
    'utf8',
  );
  checked.add(out);
  return out;
}
