/**
 * Decoding the transcript XML's bytes as its byte order mark or XML declaration says. UTF-8 (the default),
 * UTF-16 with a byte order mark, US-ASCII, and the Thai single-byte encodings (TIS-620, ISO-8859-11,
 * windows-874) are decoded strictly; any other declared encoding is refused as unsupported, never decoded as
 * UTF-8 in its place (TIS-620 text can be valid UTF-8 that reads as other characters).
 */

/** The XML declares an encoding this verifier does not decode: the XML check is INDETERMINATE, not a guess. */
export class UnsupportedXmlEncoding extends Error {
  override name = 'UnsupportedXmlEncoding';
}

type Decoding = 'utf-8' | 'utf-16' | 'us-ascii' | 'tis-620' | 'iso-8859-11' | 'windows-874';

/** Declared labels (lower case) → how the bytes are read. IANA names and their common aliases. */
const LABELS: Record<string, Decoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16',
  'utf-16le': 'utf-16',
  'utf-16be': 'utf-16',
  'us-ascii': 'us-ascii',
  ascii: 'us-ascii',
  'tis-620': 'tis-620',
  tis620: 'tis-620',
  'iso-8859-11': 'iso-8859-11',
  iso8859_11: 'iso-8859-11',
  'iso8859-11': 'iso-8859-11',
  'iso_8859-11': 'iso-8859-11',
  'windows-874': 'windows-874',
  'x-windows-874': 'windows-874',
  cp874: 'windows-874',
};

const S = '[ \\t\\r\\n]';
const ENCODING_DECL = new RegExp(`${S}encoding${S}*=${S}*(["'])([^"']*)\\1`);

/**
 * The encoding the XML declaration names, lower-cased, or undefined when there is no declaration or it names
 * none. `head` is the start of the document as text (each byte one character, or already decoded).
 */
function declaredEncoding(head: string): string | undefined {
  if (!/^<\?xml[ \t\r\n]/.test(head)) return undefined;
  const end = head.indexOf('?>');
  const decl = end < 0 ? head : head.slice(0, end);
  const m = ENCODING_DECL.exec(decl);
  if (!m) {
    // Whatever xmldom would make of it, the bytes must not be decoded by a guess.
    if (/encoding/.test(decl))
      throw new Error('The XML declaration names its encoding in a form not understood');
    return undefined;
  }
  const label = m[2] as string;
  if (!/^[A-Za-z][A-Za-z0-9._-]{0,39}$/.test(label))
    throw new Error('The XML declaration names no valid encoding');
  return label.toLowerCase();
}

function decodingOf(label: string | undefined): Decoding {
  if (label === undefined) return 'utf-8';
  const d = LABELS[label];
  if (!d) throw new UnsupportedXmlEncoding(`XML in an unsupported encoding (${label})`);
  return d;
}

const fatal = (label: string, bytes: Uint8Array) => new TextDecoder(label, { fatal: true }).decode(bytes);

/** A single-byte Thai encoding. windows-874 differs from TIS-620 and ISO-8859-11 only at 0x80–0x9F. */
function decodeThai(bytes: Uint8Array, d: 'tis-620' | 'iso-8859-11' | 'windows-874'): string {
  if (d !== 'windows-874') {
    const at = bytes.findIndex((b) => b >= 0x80 && b <= 0x9f);
    if (at >= 0)
      throw new Error(
        `Byte 0x${bytes[at]!.toString(16).toUpperCase()} is not a ${d.toUpperCase()} character`,
      );
  }
  return fatal('windows-874', bytes);
}

/** The XML as text: by its byte order mark, else by its declaration (UTF-8 when it names none). Throws when the
 * bytes are not what is declared, and `UnsupportedXmlEncoding` for an encoding not supported here. */
export function decodeXml(bytes: Uint8Array): string {
  const bom: 'utf-16be' | 'utf-16le' | 'utf-8' | undefined =
    bytes[0] === 0xfe && bytes[1] === 0xff
      ? 'utf-16be'
      : bytes[0] === 0xff && bytes[1] === 0xfe
        ? 'utf-16le'
        : bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
          ? 'utf-8'
          : undefined;
  if (bom) {
    // The byte order mark decides (XML 1.0 appendix F); a declaration naming another, non-Unicode, charset
    // contradicts it.
    const text = fatal(bom, bytes.subarray(bom === 'utf-8' ? 3 : 2));
    const label = declaredEncoding(text.slice(0, 512));
    if (label !== undefined && !['utf-8', 'utf-16'].includes(LABELS[label] ?? ''))
      throw new Error(`The XML declares ${label} but starts with a ${bom.toUpperCase()} byte order mark`);
    return text;
  }
  const head = String.fromCharCode(...bytes.subarray(0, 512));
  const d = decodingOf(declaredEncoding(head));
  switch (d) {
    case 'us-ascii': {
      const at = bytes.findIndex((b) => b >= 0x80);
      if (at >= 0) throw new Error('The XML declares US-ASCII but holds a byte over 0x7F');
      return fatal('utf-8', bytes);
    }
    case 'tis-620':
    case 'iso-8859-11':
    case 'windows-874':
      return decodeThai(bytes, d);
    default:
      // UTF-8, and "UTF-16" declared over bytes that start in ASCII: without a byte order mark they cannot be
      // UTF-16 (what libxml2 does too), and a strict UTF-8 decoding refuses anything else.
      return fatal('utf-8', bytes);
  }
}
