import { DOMParser, XMLSerializer, type Element as XmlElement } from '@xmldom/xmldom';

/**
 * The node's own SOAP handling, independent of @thgov/ecms (the SDK's tests run against this node, so
 * sharing the SDK's codec would hide its bugs). xmldom with DOCTYPE refused up front.
 */
export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';

export class SoapInputError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/**
 * SOAP 1.1 §4.4.1: an envelope outside the SOAP 1.1 namespace (a SOAP 1.2 one, or none) is answered with a
 * `VersionMismatch` soap:Fault and HTTP 500, as a SOAP 1.1 stack does, not with the node's ErrorDetail.
 */
export class SoapVersionMismatch extends SoapInputError {
  constructor() {
    super('VersionMismatch', 'the envelope is not in the SOAP 1.1 namespace', 500);
  }
}

/** SOAP 1.1 over HTTP is `text/xml`: a SOAP 1.1 stack answers any other (or no) Content-Type with HTTP 415. */
export function isSoap11ContentType(value: string | undefined): boolean {
  return /^\s*text\/xml\s*(;|$)/i.test(value ?? '');
}

/** The envelope's one Header (if any) and its one Body: two of either is refused, never "take the first". */
function envelopeParts(root: XmlElement): { header: XmlElement | undefined; bodyEl: XmlElement | undefined } {
  if (root.namespaceURI !== SOAP_NS) throw new SoapVersionMismatch();
  const children = elementChildren(root).filter((c) => c.namespaceURI === SOAP_NS);
  const headers = children.filter((c) => c.localName === 'Header');
  const bodies = children.filter((c) => c.localName === 'Body');
  if (bodies.length > 1 || headers.length > 1) {
    throw new SoapInputError('E_XML', 'a SOAP envelope has one Body and at most one Header', 400);
  }
  return { header: headers[0], bodyEl: bodies[0] };
}

export function parseEnvelope(text: string): {
  to: string | undefined;
  messageId: string | undefined;
  body: XmlElement;
} {
  if (/<!(DOCTYPE|ENTITY)/i.test(text))
    throw new SoapInputError('E_XML_HOSTILE', 'DOCTYPE and ENTITY are refused', 400);
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw new SoapInputError('E_XML', `malformed XML: ${(err as Error).message.split('\n')[0]}`, 400);
  }
  const root = doc.documentElement as unknown as XmlElement | null;
  if (root?.localName !== 'Envelope') throw new SoapInputError('E_XML', 'not a SOAP envelope', 400);
  const { header, bodyEl } = envelopeParts(root);
  const body = bodyEl ? elementChildren(bodyEl)[0] : undefined;
  if (!body) throw new SoapInputError('E_XML', 'empty SOAP body', 400);
  return { to: textOf(firstChild(header, 'To')), messageId: textOf(firstChild(header, 'MessageID')), body };
}

export function elementChildren(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmlElement);
  return out;
}

export function firstChild(el: XmlElement | undefined, local: string): XmlElement | undefined {
  if (!el) return undefined;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as XmlElement).localName === local) return n as XmlElement;
  }
  return undefined;
}

export function path(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let cur = el;
  for (const l of locals) cur = firstChild(cur, l);
  return cur;
}

export function textOf(el: XmlElement | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t ? t : undefined;
}

export function serialize(el: XmlElement): string {
  return new XMLSerializer().serializeToString(el);
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function el(name: string, content: string | undefined): string {
  return content === undefined ? '' : `<${name}>${esc(content)}</${name}>`;
}

export function envelope(body: string, relatesTo?: string): string {
  const header = relatesTo
    ? `<soap:Header><wsa:RelatesTo>${esc(relatesTo)}</wsa:RelatesTo></soap:Header>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:wsa="${WSA_NS}">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** A SOAP 1.1 Fault (for faults the SOAP stack raises before the node's own code runs). */
export function soapFault(code: string, description: string): string {
  return `<soap:Fault><faultcode>soap:${esc(code)}</faultcode>${el('faultstring', description)}</soap:Fault>`;
}

export function errorDetail(code: string, description: string): string {
  return `<ErrorDetail>${el('ErrorCode', code)}${el('ErrorDescription', description)}</ErrorDetail>`;
}

/** Thailand local time (UTC+7), as e-CMS nodes print it. */
export function bangkokTime(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19);
  return `${t}+07:00`;
}

const WRITTEN_DATE =
  /(<(?:[\w.-]+:)?(?:CorrespondenceDate|AcceptDate|SendDate)>)\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?[^<]*(<\/)/g;

/**
 * Rewrites the ISO dates of an item's CorrespondenceDate / AcceptDate / SendDate elements as some agencies'
 * systems write them: day first, Buddhist era (`27/11/2569`, `27/11/2569 10:15:00`). Offsets and fractions are
 * dropped (the time is then read as Thailand local time).
 */
export function buddhistDayFirstDates(xml: string): string {
  return xml.replace(
    WRITTEN_DATE,
    (_m, open: string, y: string, mo: string, d: string, time: string | undefined, close: string) =>
      `${open}${d}/${mo}/${Number(y) + 543}${time ? ` ${time}` : ''}${close}`,
  );
}
