import type { Document, Element } from '@xmldom/xmldom';
import { NS } from '../codec/names.js';
import { EcmsSignatureError, type SignatureFailureReason } from '../errors.js';
import { childElements, descendantElements, elementChildren, idValues } from '../xml/dom.js';
import { sameName } from '../xml/tree.js';
import { ALLOWED_CANONICALIZATIONS, ALLOWED_TRANSFORMS } from './algorithms.js';

/** What a structurally sound letter signature consists of. */
export interface SignatureStructure {
  signature: Element;
  /** The letter element of this GovernmentDocument, and the one element the Reference resolves to. */
  letter: Element;
  referenceUri: string;
  canonicalization: string;
  signatureMethod: string;
  digestMethod: string;
  /** Base64 DER of each X509Certificate in KeyInfo, in document order. */
  certificates: string[];
}

/** KeyInfo may carry the signer and its chain; more is not a chain but a search problem. */
const MAX_KEYINFO_CERTIFICATES = 16;

export function structureError(reason: SignatureFailureReason, message: string): EcmsSignatureError {
  return new EcmsSignatureError('ERR_ECMS_SIGNATURE', message, { reason });
}

/** The one XML-DSig child `local` of `parent`. */
function one(parent: Element, local: string): Element {
  const found = childElements(parent, local).filter((e) => e.namespaceURI === NS.ds);
  const [el] = found;
  if (found.length !== 1 || !el)
    throw structureError('malformed', `The signature must have exactly one ${local}`);
  return el;
}

/** The Algorithm of the one XML-DSig child `local` (CanonicalizationMethod, SignatureMethod, DigestMethod). */
function algorithmOf(parent: Element, local: string): string {
  const a = one(parent, local).getAttribute('Algorithm');
  if (!a) throw structureError('malformed', `${local} without an Algorithm`);
  return a;
}

/** The letter element: exactly one in the whole GovernmentDocument, and a direct child of it. */
function soleLetter(govDoc: Element): Element {
  const letters = [...descendantElements(govDoc)].filter((e) =>
    sameName(e.localName, 'CorrespondenceLetter'),
  );
  const [letter] = letters;
  if (letters.length !== 1 || !letter || letter.parentNode !== govDoc) {
    throw structureError(
      'letter-count',
      `The GovernmentDocument must hold exactly one CorrespondenceLetter, as its child (found ${letters.length})`,
    );
  }
  return letter;
}

/** The one signature of the document, which must sit in the document's own GovernmentSignature block. */
function soleSignature(govDoc: Element): Element | undefined {
  const signatures = [...descendantElements(govDoc)].filter((e) => sameName(e.localName, 'Signature'));
  const [signature] = signatures;
  if (!signature) return undefined;
  if (signatures.length > 1)
    throw structureError('signature-count', 'The GovernmentDocument holds more than one signature');
  const blocks = childElements(govDoc, 'GovernmentSignature');
  if (blocks.length !== 1 || signature.parentNode !== blocks[0]) {
    throw structureError(
      'signature-location',
      'The signature must be in the GovernmentSignature block of its own GovernmentDocument',
    );
  }
  if (signature.namespaceURI !== NS.ds)
    throw structureError('malformed', 'The signature is not an XML-DSig Signature');
  return signature;
}

/** The reference's URI must name, in any ID spelling, exactly one element of the whole message: the letter. */
function checkTarget(doc: Document, letter: Element, uri: string): void {
  if (!/^#[^\s#'"()/]+$/.test(uri)) {
    throw structureError('reference-uri', 'The Reference must be a same-document reference (#id)');
  }
  const id = uri.slice(1);
  const root = doc.documentElement;
  const holders = root
    ? [root, ...descendantElements(root)].filter((e) => idValues(e).some((v) => v.trim() === id))
    : [];
  if (holders.length > 1) {
    throw structureError(
      'duplicate-id',
      `${holders.length} elements carry the referenced ID (in some spelling)`,
    );
  }
  if (holders[0] !== letter) {
    throw structureError(
      'reference-target',
      'The Reference does not point at the letter of this GovernmentDocument',
    );
  }
}

function certificatesOf(signature: Element): string[] {
  const keyInfo = childElements(signature, 'KeyInfo')[0];
  const certs: string[] = [];
  for (const data of keyInfo ? childElements(keyInfo, 'X509Data') : []) {
    for (const c of childElements(data, 'X509Certificate'))
      certs.push((c.textContent ?? '').replace(/\s+/g, ''));
  }
  if (certs.length === 0) throw structureError('no-certificate', 'KeyInfo carries no X509Certificate');
  if (certs.length > MAX_KEYINFO_CERTIFICATES) {
    throw structureError(
      'certificate-unreadable',
      `KeyInfo carries more than ${MAX_KEYINFO_CERTIFICATES} certificates`,
    );
  }
  return certs;
}

/**
 * The structural half of letter-signature verification, the defence against signature wrapping (XSW): one
 * letter per GovernmentDocument, one signature inside the same document's GovernmentSignature, one
 * same-document Reference that resolves — counting every ID spelling across the whole message — to exactly
 * that letter, and only transforms that cannot leave part of the letter unsigned. Returns `undefined` when
 * the document carries no signature at all. Algorithms are read here and judged by the caller.
 */
export function inspectSignature(doc: Document, govDoc: Element): SignatureStructure | undefined {
  const signature = soleSignature(govDoc);
  if (!signature) return undefined;
  const letter = soleLetter(govDoc);
  const signedInfo = one(signature, 'SignedInfo');
  const canonicalization = algorithmOf(signedInfo, 'CanonicalizationMethod');
  if (!ALLOWED_CANONICALIZATIONS.includes(canonicalization)) {
    throw structureError(
      'canonicalization',
      'SignedInfo must use C14N 1.0 or exclusive C14N without comments',
    );
  }
  const signatureMethod = algorithmOf(signedInfo, 'SignatureMethod');
  const references = childElements(signedInfo, 'Reference');
  const [reference] = references;
  if (references.length !== 1 || !reference) {
    throw structureError('reference-count', 'The signature must have exactly one Reference, to the letter');
  }
  const transforms = childElements(reference, 'Transforms').flatMap((t) => elementChildren(t));
  for (const t of transforms) {
    if (
      !sameName(t.localName, 'Transform') ||
      !ALLOWED_TRANSFORMS.includes(t.getAttribute('Algorithm') ?? '')
    ) {
      throw structureError(
        'reference-transform',
        'Only exclusive C14N and enveloped-signature transforms are accepted',
      );
    }
  }
  const digestMethod = algorithmOf(reference, 'DigestMethod');
  const referenceUri = reference.getAttribute('URI') ?? '';
  checkTarget(doc, letter, referenceUri);
  return {
    signature,
    letter,
    referenceUri,
    canonicalization,
    signatureMethod,
    digestMethod,
    certificates: certificatesOf(signature),
  };
}
