import { type Element as XmlJsElement, xml2js } from 'xml-js';
import { ecmsError } from '../errors.js';
import type { XmlLimits } from './limits.js';
import { type ScannedXml, scanXml } from './scan.js';

/**
 * A namespace-agnostic view of a parsed document: elements by local name, prefixes dropped.
 * e-CMS peers disagree on prefixes and sometimes on namespaces, so matching is by local name.
 */
export interface XmlNode {
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Direct text and CDATA, concatenated, blob placeholders still in place. */
  text: string;
}

export interface ParsedXml {
  root: XmlNode;
  scanned: ScannedXml;
  limits: XmlLimits;
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i === -1 ? qname : qname.slice(i + 1);
}

function convert(el: XmlJsElement): XmlNode {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attributes ?? {})) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attrs[localName(k)] = String(v);
  }
  const node: XmlNode = { local: localName(el.name ?? ''), attrs, children: [], text: '' };
  let text = '';
  for (const c of el.elements ?? []) {
    if (c.type === 'element') node.children.push(convert(c));
    else if (c.type === 'text') text += String(c.text ?? '');
    else if (c.type === 'cdata') text += String(c.cdata ?? '');
  }
  node.text = text;
  return node;
}

export function parseXml(input: string | Uint8Array, limits: XmlLimits): ParsedXml {
  const scanned = scanXml(input, limits);
  let doc: XmlJsElement;
  try {
    doc = xml2js(scanned.skeleton, {
      compact: false,
      captureSpacesBetweenElements: false,
      ignoreDoctype: true,
      ignoreComment: true,
      ignoreInstruction: true,
      ignoreDeclaration: true,
    }) as XmlJsElement;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : 'parse error';
    throw ecmsError('ERR_ECMS_XML', `Malformed XML: ${detail}`, { cause });
  }
  const rootEl = (doc.elements ?? []).find((e) => e.type === 'element');
  if (!rootEl) throw ecmsError('ERR_ECMS_XML', 'Malformed XML: no root element');
  return { root: convert(rootEl), scanned, limits };
}

export function child(node: XmlNode | undefined, local: string): XmlNode | undefined {
  return node?.children.find((c) => c.local === local);
}

export function childrenNamed(node: XmlNode | undefined, local: string): XmlNode[] {
  return node ? node.children.filter((c) => c.local === local) : [];
}

/** Depth-first search by local name. */
export function findDeep(node: XmlNode, local: string): XmlNode | undefined {
  if (node.local === local) return node;
  for (const c of node.children) {
    const f = findDeep(c, local);
    if (f) return f;
  }
  return undefined;
}

const ENTITY = /&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;
function decodeEntities(s: string): string {
  return s.replace(ENTITY, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const cp = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      }
    }
  });
}

/** Replaces placeholders with the lifted text (entity-decoded when not CDATA). */
export function resolveText(parsed: ParsedXml, text: string): string {
  const { marker, blobs, source } = parsed.scanned;
  if (blobs.length === 0 || !text.includes(marker)) return text;
  return text.replace(new RegExp(`${marker}(\\d+)__`, 'g'), (_m, i: string) => {
    const b = blobs[Number(i)];
    if (!b) return '';
    const raw = source.toString('utf8', b.start, b.end);
    return b.cdata || !raw.includes('&') ? raw : decodeEntities(raw);
  });
}

/** Field text: placeholders resolved, bounded in length, trimmed. */
export function fieldText(parsed: ParsedXml, node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const text = resolveText(parsed, node.text);
  if (text.length > parsed.limits.maxTextLength) {
    throw ecmsError(
      'ERR_ECMS_XML_HOSTILE',
      `Refused XML: text of <${node.local}> longer than ${parsed.limits.maxTextLength}`,
    );
  }
  return text.trim();
}

const BASE64_STRICT = /^[A-Za-z0-9+/]*={0,2}$/;
const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/;

function strictBase64(s: string, where: string): Buffer {
  const compact = /\s/.test(s) ? s.replace(/\s+/g, '') : s;
  if (compact.length % 4 !== 0 || !BASE64_STRICT.test(compact)) {
    throw ecmsError('ERR_ECMS_BASE64', `<${where}> is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

function equalsOnlyAtEnd(s: string, pad: number): boolean {
  const eq = s.indexOf('=');
  return eq === -1 || eq >= s.length - pad;
}

/**
 * Base64 content of an element. Fast path: one lifted blob without entities, decoded straight from the
 * source bytes and validated by length (Node's decoder skips what it does not understand, so a decoded
 * length that matches the character count proves every character was valid); else the strict slow path.
 */
export function fieldBase64(parsed: ParsedXml, node: XmlNode): Buffer {
  const { marker, blobs, source } = parsed.scanned;
  const text = node.text.trim();
  const m =
    blobs.length > 0 && text.startsWith(marker) ? /^__thgov_blob_[0-9a-f]+_(\d+)__$/.exec(text) : null;
  if (m) {
    const b = blobs[Number(m[1])] as { start: number; end: number; cdata: boolean };
    const slice = source.subarray(b.start, b.end);
    if (slice.indexOf(0x26) === -1) {
      const ascii = slice.toString('latin1');
      const trimmed = ascii.trim();
      const decoded = Buffer.from(trimmed, 'base64');
      if (trimmed.length % 4 === 0) {
        const pad = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
        const expected = (trimmed.length / 4) * 3 - pad;
        if (
          decoded.length === expected &&
          trimmed.indexOf('-') === -1 &&
          trimmed.indexOf('_') === -1 &&
          equalsOnlyAtEnd(trimmed, pad)
        ) {
          return decoded;
        }
      }
      if (NOT_BASE64.test(trimmed)) throw ecmsError('ERR_ECMS_BASE64', `<${node.local}> is not valid base64`);
      return strictBase64(trimmed, node.local);
    }
  }
  return strictBase64(resolveText(parsed, node.text), node.local);
}
