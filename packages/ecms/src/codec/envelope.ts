import { redactPreview } from '@thgov/core';
import { EcmsFaultError, ecmsError } from '../errors.js';
import type { ErrorDetail, ProcessAck } from '../model.js';
import { resolveLimits } from '../xml/limits.js';
import { child, fieldText, nameKey, type ParsedXml, parseXml, sameName, type XmlNode } from '../xml/tree.js';
import { type DecodeOptions, messageError } from './letter.js';
import { LETTER_ELEMENT } from './names.js';

/** A SOAP envelope as `decodeEnvelope` reads it: the parsed tree, the WS-Addressing headers and the Body's element. */
export interface DecodedEnvelope {
  parsed: ParsedXml;
  messageId: string | undefined;
  to: string | undefined;
  /** First element inside soap:Body. */
  body: XmlNode | undefined;
  /** soap:Body itself (for answers whose entries sit directly in the Body, without a wrapper). */
  soapBody: XmlNode;
}

export function readErrorDetail(parsed: ParsedXml, node: XmlNode): ErrorDetail {
  return {
    errorCode: fieldText(parsed, child(node, 'ErrorCode')) || 'UNKNOWN',
    errorDescription: redactPreview(fieldText(parsed, child(node, 'ErrorDescription')) ?? '', 500),
  };
}

/**
 * An `ErrorDetail` some nodes put inside their answer element (`<…Response><ErrorDetail>`), which must not read
 * as an empty answer. Not when the answer names a queue entry (a ProcessID): the element may then be the item
 * itself, which the inbound decoder keeps as a poison item instead of letting it jam the queue. A letter sent
 * as the Body's own element is the sender's content and is not looked into.
 */
function answerErrorDetail(parsed: ParsedXml, bodyEl: XmlNode): XmlNode | undefined {
  const answer = bodyEl.children[0];
  if (!answer || answer.key === nameKey(LETTER_ELEMENT)) return undefined;
  const detail = child(answer, 'ErrorDetail');
  if (!detail || fieldText(parsed, child(answer, 'ProcessID'))) return undefined;
  return detail;
}

/**
 * The node's fault, if the body is one. Only where the protocol puts it counts: an `ErrorDetail` or a SOAP
 * `Fault` directly in the Body, or an `ErrorDetail` directly in the Body's answer element (`answerErrorDetail`).
 * An `ErrorDetail` element inside a letter is the sender's content, not a fault of the node (and must not let a
 * sender make the receiver's queue look broken).
 */
function faultOf(parsed: ParsedXml, bodyEl: XmlNode): EcmsFaultError | undefined {
  const detail = child(bodyEl, 'ErrorDetail') ?? answerErrorDetail(parsed, bodyEl);
  if (detail) {
    const d = readErrorDetail(parsed, detail);
    return new EcmsFaultError({ nodeCode: d.errorCode, nodeDescription: d.errorDescription });
  }
  const soapFault = child(bodyEl, 'Fault');
  if (!soapFault) return undefined;
  const inner = child(child(soapFault, 'detail'), 'ErrorDetail');
  if (inner) {
    const d = readErrorDetail(parsed, inner);
    return new EcmsFaultError({ nodeCode: d.errorCode, nodeDescription: d.errorDescription });
  }
  // SOAP 1.2: Code/Value (+ Subcode/Value) and Reason/Text; SOAP 1.1: faultcode and faultstring.
  const code12 = child(soapFault, 'Code');
  const code = code12
    ? fieldText(parsed, child(code12, 'Value'))
    : fieldText(parsed, child(soapFault, 'faultcode'));
  const subcode = code12 ? fieldText(parsed, child(child(code12, 'Subcode'), 'Value')) : undefined;
  const reason = code12
    ? fieldText(parsed, child(child(soapFault, 'Reason'), 'Text'))
    : fieldText(parsed, child(soapFault, 'faultstring'));
  return new EcmsFaultError({
    nodeCode: code || 'soap:Server',
    nodeDescription: reason === undefined ? undefined : redactPreview(reason, 500),
    ...(subcode ? { nodeSubcode: subcode } : {}),
    soapFault: true,
  });
}

/** Parses a SOAP envelope (hostile-XML limits applied) and raises the node's ErrorDetail / Fault as ERR_ECMS_FAULT. */
export function decodeEnvelope(input: string | Uint8Array, options: DecodeOptions = {}): DecodedEnvelope {
  const parsed = parseXml(input, resolveLimits(options.limits), options.contentType);
  const root = parsed.root;
  if (!sameName(root.local, 'Envelope'))
    throw ecmsError('ERR_ECMS_XML', `Expected a SOAP Envelope, got <${root.local}>`);
  const header = child(root, 'Header');
  const bodyEl = child(root, 'Body');
  if (!bodyEl) throw ecmsError('ERR_ECMS_XML', 'SOAP envelope without a Body');
  const fault = faultOf(parsed, bodyEl);
  if (fault) throw fault;
  return {
    parsed,
    messageId: fieldText(parsed, child(header, 'MessageID')),
    to: fieldText(parsed, child(header, 'To')),
    body: bodyEl.children[0],
    soapBody: bodyEl,
  };
}

/** The body element, which must be `local` (tolerant fold). */
export function expectBody(env: DecodedEnvelope, local: string): XmlNode {
  const b = env.body;
  if (!b || b.key !== nameKey(local)) {
    throw ecmsError('ERR_ECMS_XML', `Expected <${local}> in the SOAP body, got <${b?.local ?? 'nothing'}>`);
  }
  return b;
}

/**
 * The answer's container: the `wrapper` element (`GetOrganizationListResponse`…) or, as real nodes answer,
 * soap:Body itself when its first element is already an entry (`OrganizationList`, `ECMSTime`…). Tolerant
 * fold on both names, like `expectBody`.
 */
export function expectBodyOrEntries(env: DecodedEnvelope, wrapper: string, entry: string): XmlNode {
  const b = env.body;
  if (b && b.key === nameKey(entry)) return env.soapBody;
  if (!b || b.key !== nameKey(wrapper)) {
    throw ecmsError(
      'ERR_ECMS_XML',
      `Expected <${wrapper}> or <${entry}> in the SOAP body, got <${b?.local ?? 'nothing'}>`,
    );
  }
  return b;
}

/** Depth-first search that does not enter letters: their content is the sender's, not the node's. */
function findOutsideLetters(node: XmlNode, local: string): XmlNode | undefined {
  const key = nameKey(local);
  const letter = nameKey(LETTER_ELEMENT);
  for (const c of node.children) {
    if (c.key === key) return c;
    if (c.key === letter) continue;
    const f = findOutsideLetters(c, local);
    if (f) return f;
  }
  return undefined;
}

/** ProcessID and ProcessTime of a response: the body's own, never ones inside a letter. */
export function ack(env: DecodedEnvelope, where: string): ProcessAck {
  const body = env.body;
  if (!body) throw ecmsError('ERR_ECMS_XML', `${where}: empty SOAP body`);
  const processId = fieldText(env.parsed, findOutsideLetters(body, 'ProcessID'));
  if (!processId) throw messageError(`${where}: response without ProcessID`);
  return {
    processId,
    processTime: fieldText(env.parsed, findOutsideLetters(body, 'ProcessTime')) ?? '',
  };
}
