import { isThGovError, redactPreview } from '@thgov/core';
import { ecmsError } from '../errors.js';
import type {
  CodeEntry,
  InboundItemKind,
  Letter,
  LetterKey,
  MimeEntry,
  Ministry,
  Notifier,
  NotifierResult,
  Organization,
  OutboundStatusEntry,
  ProcessAck,
  SendLetterResult,
} from '../model.js';
import { child, fieldText, findDeep, nameKey, type ParsedXml, type XmlNode } from '../xml/tree.js';
import { agencyInstant, parseAgencyDate } from './dates.js';
import { ack, decodeEnvelope, expectBody, expectBodyOrEntries } from './envelope.js';
import {
  type DecodeOptions,
  decodeLetterNode,
  decodeNotifierNode,
  deptCode,
  messageError,
  normaliseDate,
  notifierKindOf,
  optional,
  required,
  undoDoubleEscape,
} from './letter.js';
import { LETTER_ELEMENT, REQUEST_ELEMENTS } from './names.js';

/** Decodes the node's answer to a letter sent: the ProcessID, time and the echoed document. */
export function decodeSendLetterResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): SendLetterResult {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'CorrespondenceLetterOutboundResponse');
  const doc = child(body, LETTER_ELEMENT);
  const result: SendLetterResult = { ...ack(env, body.local), echoedLetter: undefined };
  if (!doc) return result;
  // The node has queued the letter once it answers with a ProcessID: an echo that cannot be read must not
  // turn a done send into an ambiguous one.
  try {
    result.echoedLetter = decodeLetterNode(env.parsed, doc, options);
  } catch (err) {
    result.echoError = isThGovError(err)
      ? err
      : ecmsError('ERR_ECMS_MESSAGE', 'The echoed letter cannot be read');
  }
  return result;
}

/** Decodes the node's answer to a notifier sent (ProcessID, time, and AcceptDate when accepted). */
export function decodeNotifierResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): NotifierResult {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'CorrespondenceLetterOutboundResponse');
  const acceptDate = fieldText(env.parsed, findDeep(body, 'AcceptDate'));
  const acc = findDeep(body, 'AcceptDepartment');
  return {
    ...ack(env, body.local),
    acceptDate: acceptDate || undefined,
    acceptDepartmentId: acc
      ? fieldText(env.parsed, child(acc, 'Code')) || fieldText(env.parsed, acc) || undefined
      : undefined,
  };
}

/** Decodes the answer to CorrespondenceLetterDeleteRequest (dequeue): the ProcessID and time. */
export function decodeDequeueResponse(input: string | Uint8Array, options: DecodeOptions = {}): ProcessAck {
  const env = decodeEnvelope(input, options);
  return ack(env, expectBody(env, 'CorrespondenceLetterDeleteResponse').local);
}

/** Decodes the answer to CorrespondenceDeleteGovernmentDocumentRequest (withdraw). */
export function decodeWithdrawResponse(input: string | Uint8Array, options: DecodeOptions = {}): ProcessAck {
  const env = decodeEnvelope(input, options);
  return ack(env, expectBody(env, 'CorrespondenceDeleteGovernmentDocumentResponse').local);
}

/** Decodes an OutboundStatusRequest answer: the status of each letter this node sent. */
export function decodeOutboundStatusResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): OutboundStatusEntry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'OutboundStatusResponse');
  const entries: OutboundStatusEntry[] = [];
  const walk = (n: XmlNode) => {
    for (const c of n.children) {
      if (c.key === nameKey('Outbound')) {
        const processId = optional(env.parsed, c, 'ProcessID');
        const letterId = optional(env.parsed, c, 'LetterID');
        if (!processId || !letterId) throw messageError('Outbound entry without ProcessID or LetterID');
        const date = optional(env.parsed, c, 'CorrespondenceDate');
        entries.push({
          processId,
          letterId: undoDoubleEscape(letterId),
          processStatus: optional(env.parsed, c, 'ProcessStatus') ?? '',
          correspondenceDate: date ? normaliseDate(date, 'Outbound/CorrespondenceDate') : undefined,
          acceptDepartmentId: deptCode(env.parsed, c, 'AcceptDepartment'),
        });
      } else walk(c);
    }
  };
  walk(body);
  return entries;
}

/** The first child with any of `names` (peers spell list fields differently; see `nameKey`). */
function loose(node: XmlNode, ...names: string[]): XmlNode | undefined {
  const want = names.map(nameKey);
  return node.children.find((c) => want.includes(c.key));
}

function listEntries(body: XmlNode, isEntry: (n: XmlNode) => boolean): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    for (const c of n.children) {
      if (isEntry(c)) out.push(c);
      else walk(c);
    }
  };
  walk(body);
  return out;
}

/** Decodes a GetMinistryOrganizationList answer, wrapped or bare. */
export function decodeMinistryListResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Ministry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBodyOrEntries(env, 'GetMinistryOrganizationListResponse', 'MinistryOrganizationList');
  return listEntries(body, (n) => loose(n, 'MinistryID') !== undefined).map((n) => ({
    ministryId: fieldText(env.parsed, loose(n, 'MinistryID')) ?? '',
    nameTh: fieldText(env.parsed, loose(n, 'Th-Name', 'ThName', 'NameTh')) ?? '',
  }));
}

/** Decodes a GetOrganizationList answer: the organisations with their node URLs, wrapped or bare. */
export function decodeOrganizationListResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Organization[] {
  const env = decodeEnvelope(input, options);
  const body = expectBodyOrEntries(env, 'GetOrganizationListResponse', 'OrganizationList');
  return listEntries(body, (n) => loose(n, 'OrganizationID') !== undefined).map((n) => ({
    organizationId: fieldText(env.parsed, loose(n, 'OrganizationID')) ?? '',
    nameEn: fieldText(env.parsed, loose(n, 'En-Name', 'EnName', 'NameEn', 'Name')) ?? '',
    nameTh: fieldText(env.parsed, loose(n, 'Th-Name', 'ThName', 'NameTh')) ?? '',
    ecmsUrl: fieldText(env.parsed, loose(n, 'ECMS-URL', 'EcmsUrl', 'URL')) ?? '',
  }));
}

/** Decodes a GetSecretCodes or GetSpeedCodes answer into its code entries. */
export function decodeCodeListResponse(
  input: string | Uint8Array,
  list: 'secret' | 'speed',
  options: DecodeOptions = {},
): CodeEntry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, list === 'secret' ? 'GetSecretCodesResponse' : 'GetSpeedCodesResponse');
  return listEntries(body, (n) => loose(n, 'Value') !== undefined).map((n) => ({
    value: fieldText(env.parsed, loose(n, 'Value')) ?? '',
    description: fieldText(env.parsed, loose(n, 'Description')) ?? '',
  }));
}

/** Decodes a GetMimeCodes answer: content types and file extensions. */
export function decodeMimeListResponse(input: string | Uint8Array, options: DecodeOptions = {}): MimeEntry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'GetMimeCodesResponse');
  return listEntries(body, (n) => loose(n, 'Content-type') !== undefined).map((n) => ({
    contentType: (fieldText(env.parsed, loose(n, 'Content-type', 'ContentType')) ?? '').toLowerCase(),
    fileExtension: fieldText(env.parsed, loose(n, 'File-Extension', 'FileExtension')) ?? '',
  }));
}

/** The node's clock as an instant; times without an offset are Thailand local time (UTC+7). */
export function decodeTimeCheckResponse(input: string | Uint8Array, options: DecodeOptions = {}): Date {
  const env = decodeEnvelope(input, options);
  const body = expectBodyOrEntries(env, 'TimeCheckResponse', 'ECMSTime');
  const t = fieldText(env.parsed, findDeep(body, 'ECMSTime'));
  if (!t) throw messageError('TimeCheckResponse without ECMSTime');
  const p = parseAgencyDate(t, 'ECMSTime');
  if (p.time === undefined) throw messageError(`ECMSTime "${redactPreview(t, 40)}" is not a date-time`);
  const d = agencyInstant(p);
  if (Number.isNaN(d.getTime())) throw messageError(`ECMSTime "${redactPreview(t, 40)}" is not a date-time`);
  return d;
}

/** What a request carries, decoded (round trips, proxies, tests). */
export type DecodedRequest =
  | { op: 'sendLetter'; letter: Letter }
  | { op: 'notifier'; notifier: Notifier }
  | { op: 'fetchNext' }
  | { op: 'dequeue'; processId: string }
  | { op: 'reRequest'; kind: InboundItemKind; key: LetterKey }
  | { op: 'withdraw'; key: LetterKey }
  | {
      op:
        | 'outboundStatus'
        | 'ministries'
        | 'organizations'
        | 'secretCodes'
        | 'speedCodes'
        | 'mimeCodes'
        | 'timeCheck';
    };

function decodeKey(parsed: ParsedXml, node: XmlNode, where: string): LetterKey {
  const senderDepartmentId = deptCode(parsed, node, 'SenderDepartment');
  const acceptDepartmentId = deptCode(parsed, node, 'AcceptDepartment');
  if (!senderDepartmentId || !acceptDepartmentId) throw messageError(`${where}: department codes missing`);
  return {
    letterId: undoDoubleEscape(required(parsed, node, 'LetterID', where)),
    correspondenceDate: normaliseDate(
      required(parsed, node, 'CorrespondenceDate', where),
      `${where}/CorrespondenceDate`,
    ),
    senderDepartmentId,
    acceptDepartmentId,
  };
}

const OP_BY_KEY: Record<string, keyof typeof REQUEST_ELEMENTS> = Object.fromEntries(
  Object.entries(REQUEST_ELEMENTS).map(([op, el]) => [nameKey(el), op as keyof typeof REQUEST_ELEMENTS]),
);
const SIMPLE_OPS = {
  inbound: 'fetchNext',
  outboundStatus: 'outboundStatus',
  ministries: 'ministries',
  organizations: 'organizations',
  secretCodes: 'secretCodes',
  speedCodes: 'speedCodes',
  mimeCodes: 'mimeCodes',
  timeCheck: 'timeCheck',
} as const;

function firstItem(body: XmlNode): XmlNode {
  const item = body.children[0];
  if (!item) throw messageError(`Empty ${body.local}`);
  return item;
}

/** What a request carries, decoded: the node side of the codec (the sandbox, proxies, tests). */
export function decodeRequest(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): DecodedRequest & { to: string | undefined } {
  const env = decodeEnvelope(input, options);
  const body = env.body;
  if (!body) throw ecmsError('ERR_ECMS_XML', 'Empty SOAP body');
  const to = env.to;
  const op = OP_BY_KEY[body.key];
  if (op === undefined) throw ecmsError('ERR_ECMS_XML', `Unknown request <${body.local}>`);
  if (op in SIMPLE_OPS) return { op: SIMPLE_OPS[op as keyof typeof SIMPLE_OPS], to };
  if (op === 'outbound') {
    const item = firstItem(body);
    if (item.key === nameKey(LETTER_ELEMENT))
      return { op: 'sendLetter', letter: decodeLetterNode(env.parsed, item, options), to };
    return { op: 'notifier', notifier: decodeNotifierNode(env.parsed, item), to };
  }
  if (op === 'dequeue') {
    return { op: 'dequeue', processId: required(env.parsed, body, 'ProcessID', body.local), to };
  }
  if (op === 'inboundSpecial') {
    const item = firstItem(body);
    const kind: InboundItemKind | undefined =
      item.key === nameKey(LETTER_ELEMENT) ? 'letter' : notifierKindOf(item);
    if (!kind) throw messageError(`Unknown item kind <${item.local}>`);
    return { op: 'reRequest', kind, key: decodeKey(env.parsed, item, item.local), to };
  }
  return { op: 'withdraw', key: decodeKey(env.parsed, body, body.local), to };
}
