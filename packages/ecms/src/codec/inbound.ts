import { invalidArgument, isThGovError, type ThGovError } from '@thgov/core';
import type { Element } from '@xmldom/xmldom';
import { EcmsFaultError, EcmsSignatureError, ecmsError } from '../errors.js';
import type { InboundItem, Letter, PoisonItem, ProcessAck } from '../model.js';
import { failedEvidence, passedEvidence, type SignatureEvidence } from '../signature/evidence.js';
import { structureError } from '../signature/structure.js';
import {
  signedSenderDepartment,
  type VerifiedSignature,
  type VerifyLetterOptions,
  verifyDocumentElement,
} from '../signature/verify.js';
import { childElements } from '../xml/dom.js';
import { resolveLimits } from '../xml/limits.js';
import { locateQueueItem } from '../xml/salvage.js';
import { signatureDom } from '../xml/signature-dom.js';
import { child, descendantsNamed, fieldText, nameKey, parseXml, type XmlNode } from '../xml/tree.js';
import { type DecodedEnvelope, decodeEnvelope, expectBody } from './envelope.js';
import {
  type DecodeOptions,
  decodeLetterNode,
  decodeNotifierNode,
  isItemElement,
  messageError,
  notifierKindOf,
  salvageLetterKey,
} from './letter.js';
import { LETTER_ELEMENT, RESPONSE_ELEMENTS } from './names.js';

/**
 * The signature options of a letter item: the codec runs the synchronous checks (structure, algorithms, digest
 * and signature) and decodes the signed bytes; `confirmSigner` judges the signer afterwards.
 */
export type ItemVerifyOptions = Omit<VerifyLetterOptions, 'limits'>;

/** Options of `decodeInboundResponse`: codes and limits, and whether to verify each letter's signature. */
export interface InboundDecodeOptions extends DecodeOptions {
  /** Verify every letter item's signature, per item, and decode only the bytes the signature covers. */
  verify?: ItemVerifyOptions;
}

/** An inbound answer decoded, with what the client needs to finish the signature check (who signed). */
export interface DecodedInbound {
  item: InboundItem | null;
  verified: { signature: VerifiedSignature; departmentId: string | undefined } | undefined;
}

interface LetterOutcome {
  letter: Letter;
  verification: SignatureEvidence | undefined;
  verified: DecodedInbound['verified'];
}

/** A configuration error (a bad option) is the caller's to fix, not the item's fault: it is thrown, never poison. */
function rethrowConfigurationError(err: unknown): void {
  if ((err as { code?: unknown })?.code === 'ERR_INVALID_ARG') throw err;
}

/** Any failure as a typed error; a crash of the decoder on one item must not stop the queue either. */
function asThGovError(err: unknown): ThGovError {
  if (isThGovError(err)) return err;
  return ecmsError('ERR_ECMS_MESSAGE', 'The queue item could not be decoded', { cause: err });
}

export function poisonItem(
  ackOf: ProcessAck,
  element: string | undefined,
  err: unknown,
  letterKey?: PoisonItem['letterKey'],
): PoisonItem {
  rethrowConfigurationError(err);
  const error = asThGovError(err);
  return {
    ...ackOf,
    kind: 'poison',
    element,
    error,
    letterKey,
    verification: error instanceof EcmsSignatureError ? failedEvidence(error) : undefined,
  };
}

/** The queue item element in the DOM, found the same way as in the codec's tree. */
function domQueueItem(doc: ReturnType<typeof signatureDom>['doc']): Element {
  const root = doc.documentElement;
  const body = root ? childElements(root, 'Body')[0] : undefined;
  const response = body ? childElements(body, RESPONSE_ELEMENTS.inbound)[0] : undefined;
  const item = response ? childElements(response, LETTER_ELEMENT)[0] : undefined;
  if (!item) throw structureError('document-count', 'The letter item is not where the queue answer puts it');
  return item;
}

function decodeSigned(
  env: DecodedEnvelope,
  item: XmlNode,
  options: InboundDecodeOptions,
  verify: ItemVerifyOptions,
): LetterOutcome {
  const limits = resolveLimits(options.limits);
  // The answer as the envelope's scan read it (UTF-8, whatever encoding it came in), limits checked.
  const dom = signatureDom(env.parsed.scanned);
  const verified = verifyDocumentElement(dom, domQueueItem(dom.doc), verify);
  if (!verified)
    throw structureError('missing', 'The letter is not signed and the policy requires a signature');
  const signed = parseXml(verified.signedLetter, limits);
  const departmentId = signedSenderDepartment(signed);
  return {
    letter: decodeLetterNode(env.parsed, item, options, { parsed: signed, node: signed.root }),
    verification: passedEvidence('valid', verified.evidence),
    verified: { signature: verified, departmentId },
  };
}

/**
 * One letter item under the signature policy. With a valid signature the letter is decoded from the signed
 * bytes only. `require` turns any failure into an error (the item becomes poison); `verify-if-present`
 * keeps a letter whose signature failed, decoded from the item, with the failure in its evidence.
 */
function decodeLetterItem(env: DecodedEnvelope, item: XmlNode, options: InboundDecodeOptions): LetterOutcome {
  const verify = options.verify;
  const policy = verify?.policy ?? 'ignore';
  const present = descendantsNamed(item, 'Signature').length > 0;
  if (!verify || policy === 'ignore' || (!present && policy === 'verify-if-present')) {
    const letter = decodeLetterNode(env.parsed, item, options);
    const verification = verify ? passedEvidence(policy === 'ignore' ? 'ignored' : 'absent') : undefined;
    return { letter, verification, verified: undefined };
  }
  if (!present)
    throw structureError('missing', 'The letter is not signed and the policy requires a signature');
  try {
    return decodeSigned(env, item, options, verify);
  } catch (err) {
    if (policy !== 'verify-if-present' || !(err instanceof EcmsSignatureError)) throw err;
    let letter: Letter;
    try {
      letter = decodeLetterNode(env.parsed, item, options);
    } catch {
      throw err;
    }
    return { letter, verification: failedEvidence(err), verified: undefined };
  }
}

function envelopeOrPoison(
  input: string | Uint8Array,
  options: InboundDecodeOptions,
): DecodedEnvelope | PoisonItem {
  try {
    return decodeEnvelope(input, options);
  } catch (err) {
    if (err instanceof EcmsFaultError || !isThGovError(err)) throw err;
    // Malformed or over-limit content inside the item: find the ProcessID from the tag structure alone.
    const located = locateQueueItem(input, options.contentType);
    if (!located) throw err;
    return poisonItem(
      { processId: located.processId, processTime: located.processTime ?? '' },
      located.element,
      err,
    );
  }
}

const ACK_KEYS = new Set([nameKey('ProcessID'), nameKey('ProcessTime')]);

/**
 * An answer without a letter or a known notifier: an empty queue (`null`), unless it names a queue entry (a
 * ProcessID) and carries a structured element the SDK does not know — a notifier kind added after this
 * release, say. That is a poison item: kept as evidence and reported, never taken for an empty queue (which
 * left it at the head of the queue with every item behind it undelivered).
 */
function unknownItem(env: DecodedEnvelope, body: XmlNode): PoisonItem | null {
  const processId = fieldText(env.parsed, child(body, 'ProcessID'));
  if (!processId) return null;
  const unknown = body.children.find((c) => !ACK_KEYS.has(c.key) && c.children.length > 0);
  if (!unknown) return null;
  const a: ProcessAck = { processId, processTime: fieldText(env.parsed, child(body, 'ProcessTime')) ?? '' };
  return poisonItem(a, unknown.local, messageError(`<${unknown.local}> is not a queue item this SDK knows`));
}

/**
 * An inbound answer (fetch or re-request) into its item. An item that cannot be used — undecodable, or
 * refused by the signature policy — comes back as `kind: 'poison'` with its ProcessID instead of throwing,
 * so the caller can keep it as evidence and dequeue it. Throws only when the answer itself is unusable
 * (a fault, no ProcessID, not an inbound answer).
 */
export function decodeInboundItem(
  input: string | Uint8Array,
  options: InboundDecodeOptions = {},
): DecodedInbound {
  const env = envelopeOrPoison(input, options);
  if ('kind' in env) return { item: env, verified: undefined };
  const body = expectBody(env, RESPONSE_ELEMENTS.inbound);
  const items = body.children.filter(isItemElement);
  const [item] = items;
  if (!item) return { item: unknownItem(env, body), verified: undefined };
  const processId = fieldText(env.parsed, child(body, 'ProcessID'));
  if (!processId) throw messageError(`${body.local}: response without ProcessID`);
  const a: ProcessAck = { processId, processTime: fieldText(env.parsed, child(body, 'ProcessTime')) ?? '' };
  if (items.length > 1) {
    return {
      item: poisonItem(a, item.local, messageError(`${body.local} carries ${items.length} items`)),
      verified: undefined,
    };
  }
  if (notifierKindOf(item)) {
    try {
      return {
        item: { ...a, kind: 'notifier', notifier: decodeNotifierNode(env.parsed, item) },
        verified: undefined,
      };
    } catch (err) {
      return { item: poisonItem(a, item.local, err), verified: undefined };
    }
  }
  try {
    const outcome = decodeLetterItem(env, item, options);
    const sig = child(item, 'GovernmentSignature');
    return {
      item: {
        ...a,
        kind: 'letter',
        letter: outcome.letter,
        signature: sig ? { present: child(sig, 'Signature') !== undefined } : undefined,
        verification: outcome.verification,
      },
      verified: outcome.verified,
    };
  } catch (err) {
    return { item: poisonItem(a, item.local, err, salvageLetterKey(env.parsed, item)), verified: undefined };
  }
}

/**
 * The next queued item, or `null` when the queue is empty; an unusable item is `kind: 'poison'`. Letters are
 * decoded unverified: judging a signer (chain, revocation) is asynchronous, so signed letters are checked by
 * `EcmsClient.fetchNext` (per item) or `verifyLetterSignature` (on the answer), never here.
 *
 * @example
 * ```ts
 * const item = decodeInboundResponse(responseXml);
 * if (item?.kind === 'poison') console.warn(item.error.code);
 * ```
 */
export function decodeInboundResponse(
  input: string | Uint8Array,
  options: Omit<InboundDecodeOptions, 'verify'> = {},
): InboundItem | null {
  if ((options as InboundDecodeOptions).verify !== undefined) {
    throw invalidArgument(
      'decodeInboundResponse does not verify signatures: use EcmsClient.fetchNext or verifyLetterSignature',
    );
  }
  return decodeInboundItem(input, options).item;
}
