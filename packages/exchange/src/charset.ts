import { isUtf8 } from 'node:buffer';

/**
 * Single-byte charset labels (lower-cased, without "-", "_" and spaces) that a UTF-8 body is seen mislabelled
 * with: the Thai legacy ones (TIS-620 = windows-874 = ISO-8859-11; Thai web servers long ran with
 * `AddDefaultCharset TIS-620`) and Latin-1's (the default charset of Java servlet containers).
 */
const SINGLE_BYTE_LABELS = new Set([
  'tis620',
  'windows874',
  'cp874',
  'dos874',
  'xcp874',
  'iso885911',
  'iso88591',
  'iso88591:1987',
  'latin1',
  'l1',
  'cp819',
  'ibm819',
  'windows1252',
  'cp1252',
  'xcp1252',
]);
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** The charset a Content-Type declares, lower-cased, or undefined. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  return CHARSET.exec(contentType ?? '')?.[1]?.toLowerCase();
}
const UTF8_JSON = 'application/json; charset=utf-8';

/** True when the bytes start with a UTF-8 byte-order mark. */
function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** True when a byte is outside ASCII (a body of ASCII only reads the same in every one of these charsets). */
function hasNonAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

/**
 * The Content-Type to decode a body with: a UTF-8 byte-order mark outranks the declared charset (as WHATWG's
 * decode does), and a body that is valid UTF-8 with non-ASCII bytes is UTF-8 although it is labelled with a
 * single-byte charset (see SINGLE_BYTE_LABELS): decoded as TIS-620 its Thai reads "เธชเธกเธจเธฃเธต", as Latin-1
 * "à¸ªà¸¡…", silently. The reverse guess is not made: Thai text in TIS-620 is not valid UTF-8 (its bytes 0xA1 to
 * 0xFB do not form UTF-8's lead and continuation pattern), so a body in the charset it declares keeps it, and
 * one that is not UTF-8 without declaring a charset stays refused. Otherwise `contentType` as it is.
 */
export function effectiveContentType(bytes: Uint8Array, contentType: string | undefined): string | undefined {
  if (hasUtf8Bom(bytes)) return UTF8_JSON;
  if (!declaresSingleByte(contentType)) return contentType;
  return hasNonAscii(bytes) && isUtf8(bytes) ? UTF8_JSON : contentType;
}

/**
 * Content-Types already read by `declaresSingleByte`: a server sends the same one on every answer, so its
 * charset is looked up once, not parsed on every response. Bounded: a server that varies it cannot grow it.
 */
const singleByteByType = new Map<string, boolean>();
const MAX_REMEMBERED_TYPES = 64;

/** Whether `contentType` declares one of the single-byte charsets of SINGLE_BYTE_LABELS. */
function declaresSingleByte(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  let known = singleByteByType.get(contentType);
  if (known === undefined) {
    const charset = declaredCharset(contentType);
    known = charset !== undefined && SINGLE_BYTE_LABELS.has(charset.replace(/[-_\s]/g, ''));
    if (singleByteByType.size >= MAX_REMEMBERED_TYPES) singleByteByType.clear();
    singleByteByType.set(contentType, known);
  }
  return known;
}
