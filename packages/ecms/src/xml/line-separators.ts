import { ecmsError } from '../errors.js';

/**
 * U+0085, U+2028 and U+2029 are line ends in XML 1.1 only, yet both xmldom copies apply (part of) the 1.1 rule
 * to XML 1.0: @xmldom/xmldom 0.9 (our DOM) turns all three into "\n", the 0.8 inside xml-crypto U+0085 and U+2028
 * but not U+2029. A signature check parses the same text with both, so they would disagree on the letter.
 * A numeric character reference is never line-end normalised and canonicalizes to the character itself.
 */
const SEPARATOR = /[\u0085\u2028\u2029]/;
const SEPARATORS = /[\u0085\u2028\u2029]/g;

function reference(c: string): string {
  return `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`;
}

function refused(where: string): Error {
  return ecmsError('ERR_ECMS_XML', `Malformed XML: U+0085, U+2028 or U+2029 in ${where}`);
}

/**
 * Rewrites each raw U+0085/U+2028/U+2029 of character data and attribute values as a character reference, so every
 * parser reads the character as written. Where a reference would change the meaning (a name, markup, CDATA, a
 * comment or a processing instruction) they are refused (`ERR_ECMS_XML`). Text without them is returned as is.
 */
export function escapeLineSeparators(xml: string): string {
  if (!SEPARATOR.test(xml)) return xml;
  const out: string[] = [];
  let pos = 0;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt === -1 ? xml.length : lt;
    out.push(xml.slice(pos, textEnd).replace(SEPARATORS, reference));
    if (lt === -1) break;
    pos = markupEnd(xml, lt, out);
  }
  return out.join('');
}

/** Copies the markup at `lt` to `out`; returns where it ends. */
function markupEnd(xml: string, lt: number, out: string[]): number {
  const next = xml[lt + 1];
  if (next !== '!' && next !== '?') return tagEnd(xml, lt, out);
  const end = opaqueEnd(xml, lt);
  out.push(xml.slice(lt, end));
  return end;
}

/** The end of a comment, CDATA section, processing instruction or declaration, none of which may hold them. */
function opaqueEnd(xml: string, lt: number): number {
  const close = xml.startsWith('<!--', lt)
    ? '-->'
    : xml.startsWith('<![CDATA[', lt)
      ? ']]>'
      : xml[lt + 1] === '?'
        ? '?>'
        : '>';
  const at = xml.indexOf(close, lt + 2);
  const end = at === -1 ? xml.length : at + close.length;
  if (SEPARATOR.test(xml.slice(lt, end))) throw refused('a comment, CDATA section or processing instruction');
  return end;
}

/** Copies a start or end tag to `out`, escaping inside quoted attribute values; anywhere else is refused. */
function tagEnd(xml: string, lt: number, out: string[]): number {
  let quote = '';
  let i = lt + 1;
  for (; i < xml.length; i++) {
    const c = xml[i] as string;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') break;
    else if (SEPARATOR.test(c)) throw refused('a tag (a name or between attributes)');
  }
  const end = Math.min(i + 1, xml.length);
  out.push(xml.slice(lt, end).replace(SEPARATORS, reference));
  return end;
}
