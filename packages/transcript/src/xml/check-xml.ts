import { redactPreview } from '@thgov/core';
import type { CheckResult } from '@thgov/esign';
import { check, failed, indeterminate } from '@thgov/esign/internal';
import { isXmlC14nError, registerXmlDsigAlgorithms } from '@thgov/pki/internal';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { ZodType } from 'zod';
import type { XmlValidator } from '../verify/options.js';
import { decodeXml, UnsupportedXmlEncoding } from './decode-xml.js';
import { doctypeProblem, documentTypeProblem, entityDeclarationProblem } from './doctype.js';
import { chooseSignerCertificate, keyInfoCertificates, xmlAlgorithmProblems } from './dsig-parts.js';
import { isXmlCodePoint, NOT_XML_CHAR, scanXml } from './scan-xml.js';

export { decodeXml };

/** Counts refused before any XML-DSig work: xml-crypto's costs grow with the square of some of them. */
export interface XmlLimits {
  /** Elements in the document. */
  maxElements: number;
  /** Comments and processing instructions together. */
  maxMarkup: number;
  /** `ds:Signature` elements (each one makes xml-crypto parse the whole document again). */
  maxSignatures: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxElements: 20_000, maxMarkup: 1_000, maxSignatures: 8 };

/** verifyTranscript's default `limits.maxXmlBytes`; issuing refuses a larger XML (its own check would). */
export const DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024;
/** verifyTranscript's default `limits.maxXmlDepth`; issuing refuses deeper XML. */
export const DEFAULT_MAX_XML_DEPTH = 64;

export interface XmlCheckOptions {
  maxBytes: number;
  maxDepth: number;
  limits?: Partial<XmlLimits> | undefined;
  validator?: XmlValidator | undefined;
  schema?: ZodType | undefined;
  /** The namespace URIs the root element may be in ('' for none); any when undefined. */
  namespaces?: readonly string[] | undefined;
  /** DER of the PDF signer: an XML-DSig signer must be the same certificate. */
  pdfSigner?: Uint8Array | undefined;
  strict: boolean;
}

type XNode = {
  nodeType: number;
  localName?: string | null;
  namespaceURI?: string | null;
  nodeName: string;
  nodeValue?: string | null;
  childNodes?: ArrayLike<XNode>;
  attributes?: ArrayLike<XNode>;
  textContent?: string | null;
};

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

/** Throws when the text holds a character, raw or as a character reference, that XML 1.0 forbids. */
function assertXmlChars(text: string): void {
  const raw = NOT_XML_CHAR.exec(text);
  if (raw) {
    const cp = (raw[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw new Error(`XML forbids the character U+${cp}`);
  }
  for (const m of text.matchAll(/&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g)) {
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2] as string, 10);
    // The reference itself is not quoted: its digits are the document's (a citizen ID written as `&#…;`).
    if (!isXmlCodePoint(cp))
      throw new Error(
        Number.isSafeInteger(cp) && cp <= 0x10ffff
          ? `XML forbids the character reference to U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
          : 'XML forbids a character reference beyond Unicode',
      );
  }
}

const LINE_BREAK = /[\u0085\u2028\u2029]/;

/**
 * Whether U+0085, U+2028 or U+2029 stands in markup: in a tag outside its attribute values, or in a processing
 * instruction. xmldom 0.9 (ours) turns them into line breaks before parsing and xmldom 0.8 (xml-crypto's) reads
 * them as name characters, so `<Name\u2029>` is an element to one and text to the other. Unclosed markup counts.
 */
function lineBreakInMarkup(text: string): boolean {
  if (!LINE_BREAK.test(text)) return false;
  for (let i = 0; ; ) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return false;
    const pi = text.startsWith('<?', lt);
    const close = text.startsWith('<!--', lt)
      ? '-->'
      : text.startsWith('<![CDATA[', lt)
        ? ']]>'
        : pi
          ? '?>'
          : '';
    if (close) {
      const end = text.indexOf(close, lt + 2);
      if (end < 0 || (pi && LINE_BREAK.test(text.slice(lt, end)))) return true;
      i = end + close.length;
      continue;
    }
    let quote = '';
    let j = lt + 1;
    for (; j < text.length; j++) {
      const c = text[j] as string;
      if (quote) quote = c === quote ? '' : quote;
      else if (c === '>') break;
      else if (c === '"' || c === "'") quote = c;
      else if (LINE_BREAK.test(c)) return true;
    }
    if (j >= text.length) return true;
    i = j + 1;
  }
}

/**
 * Line endings as xmldom 0.8 (inside xml-crypto, and so inside every signer and verifier built on it) normalizes
 * them: CR LF, CR NEL, CR, NEL and U+2028 become LF, U+2029 stays. xmldom 0.9's default also turns U+2029 into LF,
 * so a signed text holding one would read differently to us than to what was digested.
 */
function xmldom08LineEndings(input: string): string {
  return input.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028]/g, '\n');
}

/** Depth and counts of the parsed tree; throws past a limit. */
function measure(doc: XNode, maxDepth: number, limits: XmlLimits): { depth: number; elements: number } {
  let maxSeen = 0;
  let elements = 0;
  let markup = 0;
  let signatures = 0;
  const stack: [XNode, number][] = [[doc, 0]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (n.nodeType === 1) {
      if (++elements > limits.maxElements)
        throw new Error(`XML has more than ${limits.maxElements} elements`);
      if (d > maxSeen) maxSeen = d;
      if (d > maxDepth) throw new Error(`XML nesting deeper than ${maxDepth}`);
      if (n.localName === 'Signature' && n.namespaceURI === DSIG && ++signatures > limits.maxSignatures)
        throw new Error(`XML has more than ${limits.maxSignatures} XML-DSig Signature elements`);
    } else if ((n.nodeType === 7 || n.nodeType === 8) && ++markup > limits.maxMarkup)
      throw new Error(`XML has more than ${limits.maxMarkup} comments and processing instructions`);
    const kids = n.childNodes;
    if (kids) for (let i = 0; i < kids.length; i++) stack.push([kids[i]!, n.nodeType === 1 ? d + 1 : d]);
  }
  return { depth: maxSeen, elements };
}

/**
 * The kind of each xmldom failure, by its message. xmldom quotes the markup (element, attribute and entity names,
 * stray text): a student's name and citizen ID written there would reach the report and issuing's error, where a
 * redactor cannot tell a bare name from any other word. So the message is replaced, never passed on.
 */
const PARSER_FAULTS: [RegExp, string][] = [
  [/tag mismatch|end tag/i, 'an end tag does not match its start tag'],
  [/unclosed xml tag/i, 'an element is not closed'],
  [/entity not found/i, 'a reference to an undeclared entity'],
  [/outside root|extra content|only one element/i, 'content outside the root element'],
  [/namespace/i, 'a namespace prefix that is not declared'],
  [/attribute/i, 'a malformed or repeated attribute'],
  [/tagName/i, 'an invalid element name'],
  [/CDATA|comment|processing instruction/i, 'a malformed CDATA section, comment or processing instruction'],
];

/** What a parser failure says: its kind and position, nothing the document wrote. */
function parserFault(err: unknown): string {
  const message = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : '';
  const kind = PARSER_FAULTS.find(([re]) => re.test(message))?.[1] ?? 'not well-formed';
  const at = (err as { locator?: { lineNumber?: unknown; columnNumber?: unknown } } | null)?.locator;
  const line = Number.isSafeInteger(at?.lineNumber) ? at?.lineNumber : undefined;
  const column = Number.isSafeInteger(at?.columnNumber) ? at?.columnNumber : undefined;
  return line === undefined
    ? kind
    : `${kind} (line ${line}${column === undefined ? '' : `, column ${column}`})`;
}

/**
 * Parses XML without any DTD, entity or external resource support: "<!ENTITY" is refused outside comments, CDATA
 * sections and processing instructions, and a DOCTYPE when it is more than a plain `<!DOCTYPE Name>` in the
 * prolog (see doctype.ts).
 * Throws on anything unusual: characters XML forbids, line-break characters the two xmldom versions read
 * differently, and counts past `limits`.
 */
export function parseXmlSafely(
  text: string,
  maxDepth: number,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): { doc: XNode; depth: number; elements: number } {
  const dtd = entityDeclarationProblem(text) ?? doctypeProblem(text);
  if (dtd) throw new Error(dtd);
  assertXmlChars(text);
  if (lineBreakInMarkup(text))
    throw new Error('A U+0085, U+2028 or U+2029 character in markup (outside text and attribute values)');
  const parser = new DOMParser({
    normalizeLineEndings: xmldom08LineEndings,
    // xmldom reports as mere warnings markup XML 1.0 says is not well-formed (`<T a/>` read as a="a", `<T a=1/>`,
    // attributes run together), which other parsers refuse: only a decoded U+FFFD, a legal character, passes.
    onError: (level: string, message: string) => {
      if (level !== 'warning' || !message.startsWith('Unicode replacement character'))
        throw new Error(message);
    },
  });
  let doc: XNode;
  try {
    doc = parser.parseFromString(text, 'text/xml') as unknown as XNode;
  } catch (err) {
    throw new Error(parserFault(err));
  }
  const parsedDtd = documentTypeProblem(doc);
  if (parsedDtd) throw new Error(parsedDtd);
  return { doc, ...measure(doc, maxDepth, limits) };
}

/**
 * The XML as plain data for zod: element → object of children (arrays when repeated), `@attr` keys (by local name;
 * `@prefix:name` for a namespaced attribute whose local name another attribute of the element already has), text.
 * Elements are keyed by local name whatever their namespace (a transcript vocabulary such as UN/CEFACT's spreads
 * its elements over several namespaces; the XML is signed, so its issuer chose every element). A leaf's text is its
 * value (or `#text` beside attributes); text beside child elements (mixed content) is `#text` too, unless it is only
 * whitespace (indentation).
 * Every key is an own property, whatever its name (`constructor`, `__proto__`).
 * Namespaces are not in the data: an XML of another vocabulary with the same local names gives the same shape, so
 * pin the root element's namespace with verifyTranscript's `xmlNamespace` option.
 */
export function xmlToData(node: XNode): unknown {
  const root = Array.from(node.childNodes ?? []).find((n) => n.nodeType === 1);
  if (!root) return {};
  return { [root.localName ?? root.nodeName]: elementToData(root, 0) };
}

function elementToData(el: XNode, depth: number): unknown {
  if (depth > 256) return null;
  const out: Record<string, unknown> = {};
  attributesToData(el, out);
  const nodes = Array.from(el.childNodes ?? []);
  const kids = nodes.filter((n) => n.nodeType === 1);
  if (kids.length === 0) {
    const text = el.textContent ?? '';
    return Object.keys(out).length === 0 ? text : { ...out, '#text': text };
  }
  for (const k of kids) {
    const name = k.localName ?? k.nodeName;
    const v = elementToData(k, depth + 1);
    if (Object.hasOwn(out, name)) {
      const cur = out[name];
      setOwn(out, name, Array.isArray(cur) ? [...cur, v] : [cur, v]);
    } else setOwn(out, name, v);
  }
  // Text and CDATA beside the children (mixed content); indentation alone is no text.
  const text = nodes
    .filter((n) => n.nodeType === 3 || n.nodeType === 4)
    .map((n) => n.nodeValue ?? '')
    .join('');
  if (text.trim() !== '') setOwn(out, '#text', text);
  return out;
}

/**
 * The attributes as `@local` keys. Unqualified ones first, so `type` keeps `@type` whatever the order beside an
 * `xsi:type` (serializers write both); a namespaced attribute whose `@local` is taken keeps its qualified name
 * (`@xsi:type`) instead of overwriting the value.
 */
function attributesToData(el: XNode, out: Record<string, unknown>): void {
  const attrs = Array.from(el.attributes ?? []).filter((a) => !a.nodeName.startsWith('xmlns'));
  for (const a of [...attrs.filter((x) => !x.namespaceURI), ...attrs.filter((x) => x.namespaceURI)]) {
    const local = `@${a.localName ?? a.nodeName}`;
    setOwn(out, Object.hasOwn(out, local) ? `@${a.nodeName}` : local, a.nodeValue ?? '');
  }
}

/**
 * Sets an own, enumerable property. Element names are the document's: `constructor` or `toString` must not be
 * taken for an existing value, nor `__proto__` switch the object's prototype (assignment would do both).
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function findSignatures(root: XNode): XNode[] {
  // Iterative, with no depth cut-off of its own: a signature at any depth the parse accepted is checked (the parse
  // already bounded depth and element count). Document order, as the recursion had it.
  const out: XNode[] = [];
  const stack: XNode[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.nodeType === 1 && node.localName === 'Signature' && node.namespaceURI === DSIG) out.push(node);
    const kids = Array.from(node.childNodes ?? []);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as XNode);
  }
  return out;
}

/**
 * With `namespaces`, whether the root element is in one of them (its namespace URI, '' for none): `xmlToData` keys
 * elements by local name, so this is what tells a transcript from another vocabulary's document of the same names.
 * The namespace found goes to the evidence, bounded and redacted (the document chose it).
 */
function rootNamespaceFailure(
  doc: XNode | undefined,
  o: XmlCheckOptions,
  evidence: Record<string, unknown>,
): CheckResult | undefined {
  if (!o.namespaces || !doc) return undefined;
  const root = Array.from(doc.childNodes ?? []).find((n) => n.nodeType === 1);
  const ns = root?.namespaceURI ?? '';
  evidence.rootNamespace = redactPreview(ns, 256);
  if (o.namespaces.includes(ns)) return undefined;
  return failed(
    'xml',
    'FORMAT_FAILURE',
    ns === ''
      ? 'The XML root element is in no namespace, not in one the caller expects'
      : 'The XML root element is in a namespace the caller does not expect',
    { evidence },
  );
}

/** The caller's validator function, when there is one. */
async function checkValidator(
  bytes: Uint8Array,
  text: string,
  o: XmlCheckOptions,
  evidence: Record<string, unknown>,
): Promise<CheckResult | undefined> {
  if (o.validator) {
    let res: Awaited<ReturnType<XmlValidator>>;
    try {
      res = await o.validator({ xml: bytes, text });
    } catch (err) {
      return failed('xml', 'FORMAT_FAILURE', `XML validator failed: ${callerMessage(err)}`);
    }
    // The caller's code answers whatever it answers (plain JavaScript, an assert-style function returning
    // nothing): anything but `true` or `{ valid: true }` is a failure of this check, never a throw here.
    if (typeof res !== 'boolean' && (typeof res !== 'object' || res === null))
      return failed('xml', 'FORMAT_FAILURE', 'XML validator returned neither a boolean nor { valid }', {
        evidence,
      });
    if (!(typeof res === 'boolean' ? res : res.valid === true)) {
      const errors = typeof res === 'boolean' || !Array.isArray(res.errors) ? [] : res.errors;
      return failed('xml', 'FORMAT_FAILURE', 'XML does not satisfy the caller-supplied schema', {
        evidence: { ...evidence, errors: errors.slice(0, 20).map((e) => shownMessage(String(e))) },
      });
    }
    evidence.validator = 'passed';
  }
  return undefined;
}

/** What the caller's checks say of the document (an XSD error quoting a value, a path of its element names). */
const shownMessage = (text: string) => redactPreview(text, 500);

/** A message thrown by the caller's code, which may quote the document: redacted and shortened. */
const callerMessage = (err: unknown) => redactPreview(err instanceof Error ? err.message : String(err), 200);

/**
 * The caller's zod schema, when there is one, on the XML as plain data. Parsed asynchronously, so a schema with
 * async refinements or transforms works; a schema that throws fails this check (its message redacted).
 */
async function checkSchema(
  doc: XNode,
  o: XmlCheckOptions,
  evidence: Record<string, unknown>,
): Promise<CheckResult | undefined> {
  if (o.schema) {
    let r: Awaited<ReturnType<ZodType['safeParseAsync']>>;
    try {
      r = await o.schema.safeParseAsync(xmlToData(doc));
    } catch (err) {
      return failed('xml', 'FORMAT_FAILURE', `XML schema check failed: ${callerMessage(err)}`, { evidence });
    }
    if (!r.success) {
      return failed('xml', 'FORMAT_FAILURE', 'XML data does not match the supplied zod schema', {
        evidence: {
          ...evidence,
          issues: r.error.issues
            .slice(0, 20)
            .map((i) => ({ path: shownMessage(i.path.join('.')), message: shownMessage(i.message) })),
        },
      });
    }
    evidence.schema = 'passed';
  }
  return undefined;
}

/**
 * The element our DOM resolves a reference URI to, as xml-crypto resolves it in its own: the document element
 * for "", else the one element whose Id, ID or id attribute (any namespace) is the fragment. `undefined` when
 * there is none or more than one.
 */
function referencedNode(doc: XNode, uri: string | undefined): XNode | undefined {
  const kids = Array.from(doc.childNodes ?? []);
  if (!uri) return kids.find((n) => n.nodeType === 1);
  const id = uri.startsWith('#') ? uri.slice(1) : uri;
  const found: XNode[] = [];
  const stack = [...kids];
  while (stack.length && found.length < 2) {
    const n = stack.pop()!;
    if (n.nodeType !== 1) continue;
    for (const a of Array.from(n.attributes ?? []))
      if (/^(Id|ID|id)$/.test(a.localName ?? '') && a.nodeValue === id) found.push(n);
    stack.push(...Array.from(n.childNodes ?? []));
  }
  return found.length === 1 ? found[0] : undefined;
}

type CanonReference = (doc: unknown, ref: unknown, node: unknown) => string;

/**
 * Why what xml-crypto verified is not what our DOM holds, or undefined. xml-crypto parses the text again with
 * its own xmldom, which reads some documents differently (signature wrapping): so each reference, resolved in
 * our DOM and canonicalized the way the reference says, must be byte for byte what was digested.
 */
function signedReferenceMismatch(sx: SignedXml, doc: XNode): string | undefined {
  const refs = sx.getReferences();
  const signed = sx.getSignedReferences();
  if (refs.length === 0 || signed.length !== refs.length) return 'its references could not be read back';
  // A method of xml-crypto's SignedXml (public in its JavaScript, not in its types); without it, fail closed.
  const method = (sx as unknown as { getCanonReferenceXml?: CanonReference }).getCanonReferenceXml;
  if (typeof method !== 'function') return 'this xml-crypto cannot canonicalize a reference for comparison';
  const canon = method.bind(sx);
  for (const [i, ref] of refs.entries()) {
    const node = referencedNode(doc, ref.uri);
    const where = `reference ${JSON.stringify(redactPreview(ref.uri ?? '', 40))}`;
    if (!node) return `${where} resolves to no single element of this document`;
    let ours: string | undefined;
    try {
      ours = canon(doc, ref, node);
    } catch {
      ours = undefined;
    }
    if (ours !== signed[i]) return `${where} resolves to other content in this document`;
  }
  return undefined;
}

/** One XML-DSig signature: its certificate, its value, what it covers, and whether the PDF signer made it. */
export function checkXmlSignature(
  sig: XNode,
  text: string,
  doc: XNode,
  o: XmlCheckOptions,
  evidence: Record<string, unknown>,
  warnings: string[],
): CheckResult | undefined {
  const listed = keyInfoCertificates(sig);
  if (listed.length === 0)
    return indeterminate('xml', 'NO_SIGNING_CERTIFICATE_FOUND', 'XML-DSig without an X509Certificate', {
      evidence,
    });
  let certDer: Uint8Array;
  let pem: string;
  try {
    ({ der: certDer, pem } = chooseSignerCertificate(listed, o.pdfSigner));
  } catch {
    return failed('xml', 'FORMAT_FAILURE', 'XML-DSig certificate could not be read', { evidence });
  }
  const algorithms = xmlAlgorithmProblems(sig);
  if (algorithms.refused)
    return indeterminate('xml', 'CRYPTO_CONSTRAINTS_FAILURE', algorithms.refused, { evidence });
  warnings.push(...algorithms.warnings);
  // ECDSA, RSA-SHA384 and SHA-384 added; not even the library may accept SHA-1, should the check above be bypassed.
  // Canonical XML 1.1 is accepted besides C14N 1.0 and exclusive C14N (other signers' tools write it).
  const sx = registerXmlDsigAlgorithms(new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null }), {
    sha1: false,
    c14n11: true,
  });
  let ok = false;
  try {
    sx.loadSignature(sig as unknown as Parameters<SignedXml['loadSignature']>[0]);
    ok = sx.checkSignature(text);
  } catch (err) {
    // A C14N 1.1 subset whose xml:base join the standard leaves open: neither verified nor disproved.
    if (isXmlC14nError(err))
      return indeterminate(
        'xml',
        'FORMAT_FAILURE',
        `The XML-DSig could not be checked: ${redactPreview(err.message, 200)}`,
        {
          evidence,
        },
      );
    ok = false;
  }
  if (!ok) return failed('xml', 'SIG_CRYPTO_FAILURE', 'The XML-DSig signature does not verify', { evidence });
  const mismatch = signedReferenceMismatch(sx, doc);
  if (mismatch)
    return failed('xml', 'SIG_CRYPTO_FAILURE', `The XML-DSig is not what was signed: ${mismatch}`, {
      evidence,
    });
  const whole = sx.getReferences().some((r) => r.uri === '' || r.uri === undefined);
  if (!whole) {
    const msg = 'The XML-DSig does not cover the whole document (no enveloped reference to "")';
    if (o.strict) return indeterminate('xml', 'SIG_CONSTRAINTS_FAILURE', msg, { evidence });
    warnings.push(msg);
  }
  if (o.pdfSigner && !Buffer.from(o.pdfSigner).equals(Buffer.from(certDer))) {
    const msg = 'The XML signer is not the PDF signer';
    if (o.strict) return indeterminate('xml', 'SIG_CONSTRAINTS_FAILURE', msg, { evidence });
    warnings.push(msg);
  }

  return undefined;
}

/** Step 14: the transcript XML. */
export async function checkXml(bytes: Uint8Array, o: XmlCheckOptions): Promise<CheckResult> {
  if (bytes.length > o.maxBytes)
    return failed('xml', 'FORMAT_FAILURE', `XML larger than ${o.maxBytes} bytes`, {
      evidence: { errorCode: 'ERR_TRANSCRIPT_XML' },
    });
  let text: string;
  let parsed: { doc?: XNode; depth: number; elements: number };
  try {
    text = decodeXml(bytes);
    // Plainly well-formed XML without XML-DSig and without a zod schema needs no DOM: the scanner passes it, and
    // leaves everything else (including every failure) to the DOM parser.
    const limits = { ...DEFAULT_XML_LIMITS, ...o.limits };
    const scan = o.schema || o.namespaces ? undefined : scanXml(text, o.maxDepth, limits);
    parsed = scan && !scan.mentionsXmlDsig ? scan : parseXmlSafely(text, o.maxDepth, limits);
  } catch (err) {
    if (err instanceof UnsupportedXmlEncoding)
      return indeterminate('xml', 'FORMAT_FAILURE', `${err.message}: the XML was not checked`, {
        evidence: { errorCode: 'ERR_TRANSCRIPT_XML' },
      });
    // Parser messages can quote the document (names, citizen IDs): pass them through the redactor.
    return failed('xml', 'FORMAT_FAILURE', `XML rejected: ${redactPreview((err as Error).message, 200)}`, {
      evidence: { errorCode: 'ERR_TRANSCRIPT_XML' },
    });
  }
  const warnings: string[] = [];
  const evidence: Record<string, unknown> = {
    bytes: bytes.length,
    depth: parsed.depth,
    elements: parsed.elements,
  };
  const failure =
    rootNamespaceFailure(parsed.doc, o, evidence) ?? (await checkValidator(bytes, text, o, evidence));
  if (failure) return failure;
  if (!parsed.doc)
    return check('xml', 'PASSED', 'XML well-formed, no DTD, within limits', { warnings, evidence });
  const schemaFailure = await checkSchema(parsed.doc, o, evidence);
  if (schemaFailure) return schemaFailure;
  const sigs = findSignatures(parsed.doc);
  if (sigs.length > 0) {
    for (const sig of sigs) {
      const failure = checkXmlSignature(sig, text, parsed.doc, o, evidence, warnings);
      if (failure) return failure;
    }
    evidence.xmlSignatures = sigs.length;
  }
  return check(
    'xml',
    'PASSED',
    sigs.length
      ? 'XML well-formed, within limits; XML-DSig verified'
      : 'XML well-formed, no DTD, within limits',
    { warnings, evidence },
  );
}
