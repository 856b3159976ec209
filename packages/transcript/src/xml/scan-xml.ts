/**
 * A strict XML 1.0 + Namespaces well-formedness scanner that builds no tree. It serves one purpose: to let the
 * XML check pass a plainly well-formed transcript without loading a DOM parser (about 20 ms of a cold one-file
 * `thgov transcript verify`; scanning is also about 5 times cheaper than building the DOM). It never decides a
 * failure: on anything it does not accept (and it accepts less than the specification allows: XML 1.0 only, no
 * DTD, no entity but the five predefined ones, BMP names only) it returns `undefined`, and the DOM parser
 * decides as before. So what it accepts must be well-formed for the DOM parser too, with the same depth and
 * element count; `test/xml-scan.test.ts` checks that on mutated documents. Every search only moves forward, so
 * the time is linear in the text, whatever its shape.
 */

export interface XmlScan {
  /** Deepest element nesting, the root at 0 (as `parseXmlSafely` counts). */
  depth: number;
  elements: number;
  /** A namespace declaration names XML-DSig (or something close to it): the full parser must verify it. */
  mentionsXmlDsig: boolean;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

// XML 1.0 (fifth edition) name characters, without the planes beyond the BMP and without ':' (NCName).
const START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const CHAR = `${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const QNAME = new RegExp(`[${START}][${CHAR}]*(?::[${START}][${CHAR}]*)?`, 'y');
const NCNAME = new RegExp(`[${START}][${CHAR}]*`, 'y');
export const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const XML_DECL =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.0\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/y;
const REFERENCE = /&(?:#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6})|(amp|lt|gt|apos|quot));/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };

class Rejected extends Error {}
const reject = (): never => {
  throw new Rejected();
};

export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The namespace declarations of one element and of its ancestors (a chain: nothing is copied per element). */
interface Scope {
  /** prefix → namespace URI ('' for the default namespace). */
  bindings: Map<string, string>;
  parent: Scope | undefined;
}

function lookup(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const uri = s.bindings.get(prefix);
    if (uri !== undefined) return uri;
  }
  return prefix === 'xml' ? XML_NS : undefined;
}

interface Frame {
  name: string;
  scope: Scope | undefined;
}

interface Attribute {
  name: string;
  raw: string;
  /** With its references replaced (whitespace is kept: only namespace URIs are compared). */
  value: string;
}

/** Counts past which the scan leaves the document to the full parser (which refuses it). */
export interface ScanLimits {
  maxElements: number;
  /** Comments and processing instructions together. */
  maxMarkup: number;
}

const NO_LIMITS: ScanLimits = { maxElements: Number.POSITIVE_INFINITY, maxMarkup: Number.POSITIVE_INFINITY };

/** Scans `text`; the result, or `undefined` when the full parser must decide. */
export function scanXml(text: string, maxDepth: number, limits: ScanLimits = NO_LIMITS): XmlScan | undefined {
  // A DOCTYPE or entity declaration anywhere (even in a comment) is left to parseXmlSafely, which decides what
  // is allowed: it refuses "<!ENTITY" outside comments, CDATA and PIs, and any DOCTYPE but a plain one in the prolog.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text) || NOT_XML_CHAR.test(text)) return undefined;
  try {
    return new Scanner(text, maxDepth, limits).run();
  } catch (err) {
    if (err instanceof Rejected) return undefined;
    throw err;
  }
}

class Scanner {
  private i = 0;
  private readonly stack: Frame[] = [];
  private depth = 0;
  private elements = 0;
  private mentionsXmlDsig = false;
  private markup = 0;
  /** The next occurrence of a string at or after the cursor: the scan only moves forward, so one search each. */
  private readonly nextAt = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly limits: ScanLimits,
  ) {}

  run(): XmlScan {
    const t = this.text;
    // The declaration, not a processing instruction whose target only begins with "xml" (xml-stylesheet).
    if (/^<\?xml(?=[ \t\r\n?])/.test(t)) {
      XML_DECL.lastIndex = 0;
      if (!XML_DECL.test(t)) reject();
      this.i = XML_DECL.lastIndex;
    }
    let rootSeen = false;
    while (this.i < t.length) {
      if (this.stack.length > 0) {
        this.content();
        continue;
      }
      this.skipSpace();
      if (this.i >= t.length) break;
      if (t.startsWith('<!--', this.i)) this.comment();
      else if (t.startsWith('<?', this.i)) this.processingInstruction();
      else if (t[this.i] === '<' && !rootSeen && /[^!/?]/.test(t[this.i + 1] ?? '!')) {
        rootSeen = true;
        this.startTag();
      } else reject();
    }
    if (!rootSeen || this.stack.length > 0) reject();
    return { depth: this.depth, elements: this.elements, mentionsXmlDsig: this.mentionsXmlDsig };
  }

  /** Inside an element: character data up to the next markup, then that markup. */
  private content(): void {
    const t = this.text;
    const lt = this.find('<', this.i);
    if (lt < 0) reject();
    if (lt > this.i) this.characterData(this.i, lt);
    this.i = lt;
    if (t[lt + 1] === '/') this.endTag();
    else if (t.startsWith('<!--', lt)) this.comment();
    else if (t.startsWith('<![CDATA[', lt)) {
      const end = t.indexOf(']]>', lt + 9);
      if (end < 0) reject();
      this.i = end + 3;
    } else if (t[lt + 1] === '?') this.processingInstruction();
    else if (t[lt + 1] === '!') reject();
    else this.startTag();
  }

  private characterData(from: number, to: number): void {
    const close = this.find(']]>', from);
    if (close >= 0 && close < to) reject();
    this.references(from, to);
  }

  private find(s: string, from: number): number {
    const cached = this.nextAt.get(s);
    if (cached !== undefined && (cached === -1 || cached >= from)) return cached;
    const at = this.text.indexOf(s, from);
    this.nextAt.set(s, at);
    return at;
  }

  /** Every '&' in [from, to) starts a well-formed predefined or character reference. */
  private references(from: number, to: number): string | undefined {
    const t = this.text;
    let amp = this.find('&', from);
    if (amp < 0 || amp >= to) return undefined;
    let out = '';
    let last = from;
    while (amp >= 0 && amp < to) {
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(t);
      if (!m || REFERENCE.lastIndex > to) reject();
      const [, dec, hex, name] = m as RegExpExecArray;
      let value: string;
      if (name) value = PREDEFINED[name] as string;
      else {
        const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
        if (!isXmlCodePoint(cp)) reject();
        value = String.fromCodePoint(cp);
      }
      out += t.slice(last, amp) + value;
      last = REFERENCE.lastIndex;
      amp = this.find('&', last);
    }
    return out + t.slice(last, to);
  }

  private startTag(): void {
    const t = this.text;
    this.i++;
    const name = this.match(QNAME);
    const attributes: Attribute[] = [];
    const names = new Set<string>();
    for (;;) {
      const spaced = this.skipSpace();
      if (t[this.i] === '>' || t.startsWith('/>', this.i)) break;
      if (!spaced) reject();
      const a = this.attribute();
      if (names.has(a.name)) reject();
      names.add(a.name);
      attributes.push(a);
    }
    const parent = this.stack.at(-1)?.scope;
    const scope = this.declare(attributes, parent);
    this.checkNames(name, attributes, scope);
    const depth = this.stack.length;
    if (depth > this.maxDepth) reject();
    if (depth > this.depth) this.depth = depth;
    if (++this.elements > this.limits.maxElements) reject();
    if (t[this.i] === '>') {
      this.i++;
      this.stack.push({ name, scope });
    } else this.i += 2;
  }

  private attribute(): Attribute {
    const t = this.text;
    const name = this.match(QNAME);
    this.skipSpace();
    if (t[this.i] !== '=') reject();
    this.i++;
    this.skipSpace();
    const quote = t[this.i];
    if (quote !== '"' && quote !== "'") reject();
    const end = t.indexOf(quote as string, this.i + 1);
    if (end < 0) reject();
    const lt = this.find('<', this.i + 1);
    if (lt >= 0 && lt < end) reject();
    const raw = t.slice(this.i + 1, end);
    const value = this.references(this.i + 1, end) ?? raw;
    this.i = end + 1;
    return { name, raw, value };
  }

  /** The namespace scope of an element with these attributes, checking each declaration (Namespaces in XML 1.0). */
  private declare(attributes: Attribute[], parent: Scope | undefined): Scope | undefined {
    let bindings: Map<string, string> | undefined;
    for (const a of attributes) {
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
      const uri = a.value;
      if (/xmldsig/i.test(uri) || /xmldsig/i.test(a.raw)) this.mentionsXmlDsig = true;
      if (prefix === 'xmlns' || uri === XMLNS_NS) reject();
      if ((prefix === 'xml') !== (uri === XML_NS)) reject();
      if (prefix !== '' && uri === '') reject();
      bindings ??= new Map();
      bindings.set(prefix, uri);
    }
    return bindings ? { bindings, parent } : parent;
  }

  /** Prefixes are bound, and no two attributes share a namespace and local name. */
  private checkNames(name: string, attributes: Attribute[], scope: Scope | undefined): void {
    const colon = name.indexOf(':');
    if (colon >= 0 && !lookup(scope, name.slice(0, colon))) reject();
    const expanded = new Set<string>();
    for (const a of attributes) {
      const at = a.name.indexOf(':');
      if (at < 0 || a.name.startsWith('xmlns:')) continue;
      const uri = lookup(scope, a.name.slice(0, at));
      if (!uri) reject();
      const key = `${uri} ${a.name.slice(at + 1)}`;
      if (expanded.has(key)) reject();
      expanded.add(key);
    }
  }

  private endTag(): void {
    const t = this.text;
    this.i += 2;
    const name = this.match(QNAME);
    this.skipSpace();
    if (t[this.i] !== '>') reject();
    this.i++;
    const open = this.stack.pop();
    if (!open || open.name !== name) reject();
  }

  private comment(): void {
    const t = this.text;
    if (++this.markup > this.limits.maxMarkup) reject();
    const end = t.indexOf('--', this.i + 4);
    if (end < 0 || t[end + 2] !== '>') reject();
    this.i = end + 3;
  }

  private processingInstruction(): void {
    const t = this.text;
    if (++this.markup > this.limits.maxMarkup) reject();
    this.i += 2;
    const target = this.match(NCNAME);
    if (target.toLowerCase() === 'xml') reject();
    const end = t.indexOf('?>', this.i);
    if (end < 0) reject();
    if (end > this.i && !/[ \t\r\n]/.test(t[this.i] as string)) reject();
    this.i = end + 2;
  }

  private match(re: RegExp): string {
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) return reject();
    this.i = re.lastIndex;
    return m[0];
  }

  private skipSpace(): boolean {
    const t = this.text;
    const from = this.i;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.i++;
    }
    return this.i > from;
  }
}
