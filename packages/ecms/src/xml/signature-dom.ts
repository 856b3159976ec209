import type { Document, Node } from '@xmldom/xmldom';
import { NS } from '../codec/names.js';
import { domOf } from './dom.js';
import { escapeLineSeparators } from './line-separators.js';
import { splitAtPlaceholders } from './marker.js';
import { type BlobRange, normalizeLineEnds, type ScannedXml } from './scan.js';
import { sameName } from './tree.js';

/**
 * The DOM a letter signature is checked on, and the letter's canonical bytes. The base64 of a 10 MB PDF is a
 * 13 MB run of text: read into the DOM whole it was copied (as UTF-16) by both xmldoms, by every level of
 * xml-crypto's canonicalization, by the UTF-8 conversion of the digest and by the decoder's parse of the signed
 * text, 18 times the PDF at the peak. Here the long runs of the letter stay the scan's placeholders in the text
 * both xmldoms read; canonicalization leaves a placeholder as it is (it holds no character C14N escapes), and
 * `restore` puts each run's canonical bytes back in its place: the bytes that are digested, and then decoded.
 */
export interface SignatureDom {
  /** The text xml-crypto parses again; the text `doc` was parsed from. */
  xml: string;
  doc: Document;
  /**
   * The UTF-8 bytes of `canonical` (a canonicalization of part of `doc`) with each placeholder replaced by its
   * run's canonical bytes. Throws on a placeholder this document did not leave in the letter.
   */
  restore(canonical: string): Buffer;
}

/** Bytes a run may hold and still canonicalize to itself (apart from line ends): base64 and white space. */
const VERBATIM = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\n\r') {
  VERBATIM[c.charCodeAt(0)] = 1;
}
const CR = 0x0d;
const LF = 0x0a;

/**
 * A run whose canonical form is its bytes with line ends normalized: outside CDATA, and without `&` (a
 * reference), `>` or anything but base64 and white space. Anything else is put back into the text, as written.
 */
function verbatim(source: Buffer, b: BlobRange): boolean {
  if (b.cdata) return false;
  for (let i = b.start; i < b.end; i++) if (VERBATIM[source[i] as number] === 0) return false;
  return true;
}

/** A run's canonical bytes: as written, each CR LF or lone CR read as LF (XML 1.0 §2.11; no CR is escaped). */
function canonicalRun(source: Buffer, b: BlobRange): Buffer {
  const raw = source.subarray(b.start, b.end);
  if (raw.indexOf(CR) === -1) return raw;
  const out = Buffer.allocUnsafe(raw.length);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number;
    if (c !== CR) out[o++] = c;
    else {
      out[o++] = LF;
      if (raw[i + 1] === LF) i++;
    }
  }
  return out.subarray(0, o);
}

/**
 * The placeholders that stay: each the whole text of a text node inside a CorrespondenceLetter element and in
 * no XML-DSig element, whose run canonicalizes to its bytes. All others (KeyInfo's certificates, anything
 * unusual) are put back, so the signature and the structure checks read what was written.
 */
function keptPlaceholders(scanned: ScannedXml): Set<number> {
  const kept = new Set<number>();
  let doc: Document;
  try {
    doc = domOf(scanned.skeleton);
  } catch {
    return kept; // the full text is parsed next and reports the error
  }
  const { marker, blobs, source } = scanned;
  const visit = (node: Node, inLetter: boolean): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1) {
        const el = c as unknown as { localName: string | null; namespaceURI: string | null };
        if (el.namespaceURI !== NS.ds) visit(c, inLetter || sameName(el.localName, 'CorrespondenceLetter'));
      } else if (inLetter && c.nodeType === 3) {
        const parts = splitAtPlaceholders((c as unknown as { data: string }).data, marker);
        const i = parts[1];
        const blob = typeof i === 'number' ? blobs[i] : undefined;
        if (parts.length === 3 && parts[0] === '' && parts[2] === '' && blob && verbatim(source, blob)) {
          kept.add(i as number);
        }
      }
    }
  };
  visit(doc, false);
  return kept;
}

/** A run put back into the skeleton as written (a CDATA run with its delimiters). */
function writtenRun(source: Buffer, b: BlobRange): string {
  const text = normalizeLineEnds(source.toString('utf8', b.start, b.end));
  return b.cdata ? `<![CDATA[${text}]]>` : text;
}

/**
 * The signature DOM of a scanned document (see `SignatureDom`): the scan's skeleton with every placeholder
 * put back but those of the letter's long base64 runs.
 */
export function signatureDom(scanned: ScannedXml): SignatureDom {
  const { marker, blobs, source } = scanned;
  const kept = blobs.length === 0 ? new Set<number>() : keptPlaceholders(scanned);
  const text = splitAtPlaceholders(scanned.skeleton, marker)
    .map((p) => {
      if (typeof p === 'string') return p;
      const b = blobs[p] as BlobRange;
      return kept.has(p) ? `${marker}${p}__` : writtenRun(source, b);
    })
    .join('');
  // xml-crypto re-parses this text with its own xmldom: both must read the same characters.
  const xml = escapeLineSeparators(text);
  const restore = (canonical: string): Buffer => {
    const pieces = splitAtPlaceholders(canonical, marker).map((p) => {
      if (typeof p === 'string') return Buffer.from(p, 'utf8');
      if (!kept.has(p)) throw new Error('A placeholder that is not one of the letter');
      return canonicalRun(source, blobs[p] as BlobRange);
    });
    return Buffer.concat(pieces);
  };
  return { xml, doc: domOf(xml), restore };
}
