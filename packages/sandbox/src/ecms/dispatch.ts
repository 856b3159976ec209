import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { readBody } from '../http-server.js';
import { ECMS_MIME_CODES, ECMS_MINISTRIES, ECMS_SECRET_CODES, ECMS_SPEED_CODES } from './directory.js';
import { NOTIFIER_BY_ELEMENT } from './fields.js';
import { notify, sendLetter } from './letters.js';
import type { EcmsNetworkState, NodeState } from './node-state.js';
import { dequeue, fetchNext, outboundStatus, reRequest, withdraw } from './queue.js';
import {
  bangkokTime,
  el,
  elementChildren,
  envelope,
  errorDetail,
  isSoap11ContentType,
  parseEnvelope,
  SoapInputError,
  SoapVersionMismatch,
  soapFault,
} from './soap.js';

/** The path of each sandbox e-CMS node's SOAP endpoint (as real nodes). */
export const ECMS_ENDPOINT_PATH = '/ecms-ws01/service2';

type Answer = { op: string; body: string };

/** CorrespondenceLetterOutboundRequest carries either a letter or one of the five notifiers. */
function outbound(
  state: EcmsNetworkState,
  node: NodeState,
  body: XmlElement,
  to: string | undefined,
): Answer {
  const item = elementChildren(body)[0];
  if (!item) throw new SoapInputError('E_REQUEST', 'empty outbound request');
  if (item.localName === 'GovernmentDocument')
    return { op: 'sendLetter', body: sendLetter(state, node, item, to) };
  const kind = NOTIFIER_BY_ELEMENT[item.localName ?? ''];
  if (!kind) throw new SoapInputError('E_REQUEST', `unknown outbound item ${item.localName}`);
  return { op: `notifier.${kind}`, body: notify(state, node, item, kind, to) };
}

function codeList(wrapper: string, entry: string, list: readonly { value: string; description: string }[]) {
  return `<${wrapper}>${list.map((c) => `<${entry}>${el('Value', c.value)}${el('Description', c.description)}</${entry}>`).join('')}</${wrapper}>`;
}

/** The directory and clock operations: answers that do not depend on the calling node. */
function directoryAnswer(state: EcmsNetworkState, name: string): Answer | undefined {
  switch (name) {
    case 'GetMinistryOrganizationList': {
      const entries = ECMS_MINISTRIES.map(
        (m) =>
          `<MinistryOrganizationList>${el('Th-Name', m.nameTh)}${el('MinistryID', m.ministryId)}</MinistryOrganizationList>`,
      );
      return { op: 'ministries', body: state.wrap('GetMinistryOrganizationListResponse', entries.join('')) };
    }
    case 'GetOrganizationList': {
      const entries = [...state.nodes.values()].map(
        (n) =>
          `<OrganizationList>${el('En-Name', n.spec.nameEn)}${el('Th-Name', n.spec.nameTh)}${el(
            'ECMS-URL',
            n.url,
          )}${el('OrganizationID', n.spec.organizationId)}</OrganizationList>`,
      );
      return { op: 'organizations', body: state.wrap('GetOrganizationListResponse', entries.join('')) };
    }
    case 'GetSecretCodes':
      return { op: 'secretCodes', body: codeList('GetSecretCodesResponse', 'SecretCode', ECMS_SECRET_CODES) };
    case 'GetSpeedCodes':
      return { op: 'speedCodes', body: codeList('GetSpeedCodesResponse', 'SpeedCode', ECMS_SPEED_CODES) };
    case 'GetMimeCodes':
      return {
        op: 'mimeCodes',
        body: `<GetMimeCodesResponse>${ECMS_MIME_CODES.map(
          (m) =>
            `<MimeCode>${el('Content-type', m.contentType)}${el('File-Extension', m.fileExtension)}</MimeCode>`,
        ).join('')}</GetMimeCodesResponse>`,
      };
    case 'TimeCheckRequest':
      if (state.timeCheck === 'fault') throw new SoapInputError('E_TIME', 'time service unavailable');
      return {
        op: 'timeCheck',
        body: state.wrap('TimeCheckResponse', el('ECMSTime', bangkokTime(state.now()))),
      };
    default:
      return undefined;
  }
}

/** One SOAP Body to its operation: the name in the counters and the answer's Body content. */
function dispatch(
  state: EcmsNetworkState,
  node: NodeState,
  body: XmlElement,
  to: string | undefined,
): Answer {
  const name = body.localName;
  switch (name) {
    case 'CorrespondenceLetterOutboundRequest':
      return outbound(state, node, body, to);
    case 'CorrespondenceLetterInboundRequest':
      return { op: 'fetchNext', body: fetchNext(state, node) };
    case 'CorrespondenceLetterDeleteRequest':
      return { op: 'dequeue', body: dequeue(state, node, body) };
    case 'CorrespondenceLetterInboundSpecialRequest':
      return { op: 'reRequest', body: reRequest(state, node, body) };
    case 'CorrespondenceDeleteGovernmentDocumentRequest':
      return { op: 'withdraw', body: withdraw(state, node, body) };
    case 'OutboundStatusRequest':
      return { op: 'outboundStatus', body: outboundStatus(state, node) };
  }
  const answer = directoryAnswer(state, name ?? '');
  if (!answer) throw new SoapInputError('E_OPERATION', `unknown operation ${name}`);
  return answer;
}

/** Reads, dispatches and answers one request; input faults become a SOAP ErrorDetail (counted as `fault`). */
async function answer(state: EcmsNetworkState, node: NodeState, req: IncomingMessage) {
  try {
    let raw: Buffer;
    try {
      raw = await readBody(req, state.maxRequestBytes);
    } catch {
      throw new SoapInputError('E_TOO_LARGE', 'request body too large', 413);
    }
    const envelopeIn = parseEnvelope(raw.toString('utf8'));
    return { status: 200, ...dispatch(state, node, envelopeIn.body, envelopeIn.to) };
  } catch (err) {
    if (!(err instanceof SoapInputError)) throw err;
    const body =
      err instanceof SoapVersionMismatch
        ? soapFault(err.errorCode, err.message)
        : errorDetail(err.errorCode, err.message);
    return { status: err.httpStatus, op: 'fault', body };
  }
}

/** The HTTP side of one node: faults first, then path and method, then the SOAP operation. */
export async function handleNodeRequest(
  state: EcmsNetworkState,
  node: NodeState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (await state.faults.intercept(req, res)) return;
  const urlPath = (req.url ?? '/').split('?')[0];
  if (urlPath !== ECMS_ENDPOINT_PATH) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' });
    res.end('method not allowed');
    return;
  }
  if (!isSoap11ContentType(req.headers['content-type'])) {
    node.counters.fault = (node.counters.fault ?? 0) + 1;
    req.resume(); // discard the body: the answer does not depend on it
    res.writeHead(415, { 'content-type': 'text/plain', connection: 'close' });
    res.end('unsupported media type: SOAP 1.1 requests are text/xml');
    return;
  }
  const { status, op, body } = await answer(state, node, req);
  node.counters[op] = (node.counters[op] ?? 0) + 1;
  const text = envelope(body);
  if (status === 200 && state.losesResponse(op)) {
    // Committed, but the answer never arrives: the caller cannot tell whether the send happened.
    res.socket?.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/xml; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
