// DOM surgery on fetch answers, for attack tests: what an attacker between the node and the client (or a
// hostile sender crafting its item) does to a signed letter. xmldom, namespace-aware.
import { DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom';

export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  rsm: 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0',
  ram: 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

export interface Parts {
  doc: Document;
  envelope: Element;
  header: Element;
  body: Element;
  response: Element;
  govDoc: Element;
  letter: Element;
  signatureBlock: Element;
  signature: Element;
  signedInfo: Element;
  reference: Element;
}

function first(parent: Element | Document, ns: string, local: string): Element {
  const found = parent.getElementsByTagNameNS(ns, local).item(0);
  if (!found) throw new Error(`no ${local} in the answer`);
  return found;
}

function parts(doc: Document): Parts {
  const envelope = doc.documentElement as Element;
  let header = envelope.getElementsByTagNameNS(NS.soap, 'Header').item(0);
  const body = first(envelope, NS.soap, 'Body');
  if (!header) {
    header = doc.createElementNS(NS.soap, 'soap:Header');
    envelope.insertBefore(header, body);
  }
  const govDoc = first(body, NS.rsm, 'GovernmentDocument');
  const signature = first(govDoc, NS.ds, 'Signature');
  const signedInfo = first(signature, NS.ds, 'SignedInfo');
  return {
    doc,
    envelope,
    header,
    body,
    response: govDoc.parentNode as Element,
    govDoc,
    letter: first(govDoc, NS.ram, 'CorrespondenceLetter'),
    signatureBlock: first(govDoc, NS.ram, 'GovernmentSignature'),
    signature,
    signedInfo,
    reference: first(signedInfo, NS.ds, 'Reference'),
  };
}

/** Applies `surgery` to the answer's DOM and serializes it again. */
export function operate(xml: string, surgery: (p: Parts) => void): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  surgery(parts(doc));
  return new XMLSerializer().serializeToString(doc);
}

/**
 * The attacker's letter: a copy of the signed one with another book number and subject, and without its ID
 * attribute (it is not the signed element; wrapping attacks make a reader look at it anyway).
 */
export function evilLetter(
  p: Parts,
  options: { keepId?: boolean; ns?: string; qname?: string } = {},
): Element {
  let evil: Element;
  if (options.ns || options.qname) {
    evil = p.doc.createElementNS(options.ns ?? NS.ram, options.qname ?? 'ram:CorrespondenceLetter');
    for (let c = p.letter.firstChild; c; c = c.nextSibling) evil.appendChild(c.cloneNode(true));
  } else {
    evil = p.letter.cloneNode(true) as Element;
  }
  if (!options.keepId) evil.removeAttribute('ID');
  const id = evil.getElementsByTagNameNS(NS.ram, 'ID').item(0);
  const subject = evil.getElementsByTagNameNS(NS.ram, 'Subject').item(0);
  if (id) id.textContent = 'EVIL 666/2569';
  if (subject) subject.textContent = 'โอนเงินด่วน (attacker)';
  return evil;
}

export const EVIL_SUBJECT = 'โอนเงินด่วน (attacker)';
