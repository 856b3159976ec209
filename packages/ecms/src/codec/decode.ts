import { redactPreview } from '@thgov/core';
import { type CodeBook, DEFAULT_CODE_BOOK, secrecyFromCode, speedFromCode } from '../codes.js';
import { EcmsFaultError, ecmsError } from '../errors.js';
import {
  ALLOWED_MIME_TYPES,
  type BinaryObject,
  type CodeEntry,
  type ErrorDetail,
  type InboundItem,
  type InboundItemKind,
  isCalendarDate,
  type Letter,
  type LetterKey,
  letterSchema,
  type MimeEntry,
  type Ministry,
  NOTIFIER_ELEMENTS,
  type Notifier,
  type NotifierKind,
  type NotifierResult,
  notifierSchema,
  type Organization,
  type OutboundStatusEntry,
  type Party,
  type ProcessAck,
  type SendLetterResult,
} from '../model.js';
import { resolveLimits, type XmlLimits } from '../xml/limits.js';
import {
  child,
  childrenNamed,
  fieldBase64,
  fieldText,
  findDeep,
  type ParsedXml,
  parseXml,
  type XmlNode,
} from '../xml/tree.js';
import { LETTER_ELEMENT, REQUEST_ELEMENTS } from './names.js';

export interface DecodeOptions {
  codes?: CodeBook;
  limits?: Partial<XmlLimits>;
  allowedMimeTypes?: readonly string[];
}

export interface DecodedEnvelope {
  parsed: ParsedXml;
  messageId: string | undefined;
  to: string | undefined;
  /** First element inside soap:Body. */
  body: XmlNode | undefined;
}

const KIND_BY_ELEMENT: Record<string, NotifierKind> = Object.fromEntries(
  Object.entries(NOTIFIER_ELEMENTS).map(([k, v]) => [v, k as NotifierKind]),
);

function messageError(message: string): Error {
  return ecmsError('ERR_ECMS_MESSAGE', message);
}

/** Parses a SOAP envelope (hostile-XML limits applied) and raises the node's ErrorDetail / Fault as ERR_ECMS_FAULT. */
export function decodeEnvelope(input: string | Uint8Array, options: DecodeOptions = {}): DecodedEnvelope {
  const parsed = parseXml(input, resolveLimits(options.limits));
  const root = parsed.root;
  if (root.local !== 'Envelope')
    throw ecmsError('ERR_ECMS_XML', `Expected a SOAP Envelope, got <${root.local}>`);
  const header = child(root, 'Header');
  const bodyEl = child(root, 'Body');
  if (!bodyEl) throw ecmsError('ERR_ECMS_XML', 'SOAP envelope without a Body');
  const body = bodyEl.children[0];
  const fault = findDeep(bodyEl, 'ErrorDetail');
  if (fault) {
    const detail = readErrorDetail(parsed, fault);
    throw new EcmsFaultError({ nodeCode: detail.errorCode, nodeDescription: detail.errorDescription });
  }
  const soapFault = child(bodyEl, 'Fault');
  if (soapFault) {
    throw new EcmsFaultError({
      nodeCode: fieldText(parsed, child(soapFault, 'faultcode')) || 'soap:Server',
      nodeDescription: fieldText(parsed, child(soapFault, 'faultstring')),
    });
  }
  return {
    parsed,
    messageId: fieldText(parsed, child(header, 'MessageID')),
    to: fieldText(parsed, child(header, 'To')),
    body,
  };
}

export function readErrorDetail(parsed: ParsedXml, node: XmlNode): ErrorDetail {
  return {
    errorCode: fieldText(parsed, child(node, 'ErrorCode')) || 'UNKNOWN',
    errorDescription: redactPreview(fieldText(parsed, child(node, 'ErrorDescription')) ?? '', 500),
  };
}

const DOUBLE_ESCAPED = /&(lt|gt|amp|quot|apos|#\d{1,7});/;
/** Some clients escape ID/Subject twice ("&amp;lt;"): undo one level when that is visible. */
function undoDoubleEscape(s: string): string {
  if (!DOUBLE_ESCAPED.test(s)) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7});/g, (_m, e: string) =>
    e === 'lt'
      ? '<'
      : e === 'gt'
        ? '>'
        : e === 'amp'
          ? '&'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : String.fromCodePoint(Number(e.slice(1))),
  );
}

function required(parsed: ParsedXml, node: XmlNode | undefined, local: string, where: string): string {
  const v = fieldText(parsed, child(node, local));
  if (!v) throw messageError(`${where}: required <${local}> is missing or empty`);
  return v;
}

function optional(parsed: ParsedXml, node: XmlNode | undefined, local: string): string | undefined {
  const v = fieldText(parsed, child(node, local));
  return v ? v : undefined;
}

/**
 * A date as peers send it: ISO date, optionally with a time (kept as the date), and Buddhist-era years
 * (> 2400) converted, since Thai systems sometimes send them. Anything else is refused.
 */
export function normaliseDate(value: string, where: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!m) throw messageError(`${where}: "${redactPreview(value, 40)}" is not a date (yyyy-MM-dd)`);
  let year = Number(m[1]);
  if (year > 2400) year -= 543;
  const iso = `${String(year).padStart(4, '0')}-${m[2]}-${m[3]}`;
  if (!isCalendarDate(iso))
    throw messageError(`${where}: "${redactPreview(value, 40)}" is not a calendar date`);
  return iso;
}

function normaliseDateTime(value: string, where: string): string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return normaliseDate(v, where);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (!m) throw messageError(`${where}: "${redactPreview(v, 40)}" is not a date-time`);
  return `${normaliseDate(m[1] as string, where)}T${m[2]}${m[3] ?? ''}${m[4] ?? ''}`;
}

function decodeParty(parsed: ParsedXml, node: XmlNode | undefined, where: string): Party {
  if (!node) throw messageError(`${where} is missing`);
  const departmentId = fieldText(parsed, child(child(node, 'DepartmentOrganization'), 'ID'));
  if (!departmentId || !/^\d{10}$/.test(departmentId)) {
    throw messageError(`${where}: DepartmentOrganization/ID must be a 10-digit department code`);
  }
  const p: Party = { departmentId };
  const given = optional(parsed, node, 'GivenName');
  const family = optional(parsed, node, 'FamilyName');
  const job = optional(parsed, node, 'JobTitle');
  const ministry = fieldText(parsed, child(child(node, 'MinistryOrganization'), 'ID'));
  if (given) p.givenName = given;
  if (family) p.familyName = family;
  if (job) p.jobTitle = job;
  if (ministry) p.ministryId = ministry;
  return p;
}

function sniffMime(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'application/pdf';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'application/zip';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  return undefined;
}

function decodeBinary(
  parsed: ParsedXml,
  node: XmlNode,
  allowed: readonly string[],
  where: string,
): BinaryObject {
  const content = fieldBase64(parsed, node);
  const declared = (node.attrs.mimeCode ?? node.attrs.mimecode ?? '').split(';')[0]?.trim().toLowerCase();
  const mimeCode = declared || sniffMime(content);
  if (!mimeCode)
    throw ecmsError('ERR_ECMS_MIME', `${where}: no mimeCode and the content type is not recognisable`);
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mimeCode) || !allowed.includes(mimeCode)) {
    throw ecmsError('ERR_ECMS_MIME', `${where}: MIME type ${redactPreview(mimeCode, 80)} is not allowed`);
  }
  return { mimeCode, content };
}

/** A `GovernmentDocument` element (wherever it sits) into a validated `Letter`. */
export function decodeLetterNode(parsed: ParsedXml, doc: XmlNode, options: DecodeOptions = {}): Letter {
  const codes = options.codes ?? DEFAULT_CODE_BOOK;
  const allowed = options.allowedMimeTypes ?? ALLOWED_MIME_TYPES;
  const l = child(doc, 'CorrespondenceLetter');
  if (!l) throw messageError('GovernmentDocument without CorrespondenceLetter');
  const where = 'CorrespondenceLetter';
  const main = child(l, 'MainLetterBinaryObject');
  if (!main) throw messageError(`${where}: required <MainLetterBinaryObject> is missing`);
  const secretCode = optional(parsed, l, 'SecretCode');
  const speedCode = optional(parsed, l, 'SpeedCode');
  const sendDate = optional(parsed, l, 'SendDate');
  const letter: Letter = {
    id: undoDoubleEscape(required(parsed, l, 'ID', where)),
    correspondenceDate: normaliseDate(
      required(parsed, l, 'CorrespondenceDate', where),
      `${where}/CorrespondenceDate`,
    ),
    subject: undoDoubleEscape(required(parsed, l, 'Subject', where)),
    secrecy: secretCode ? secrecyFromCode(secretCode, codes) : 'normal',
    speed: speedCode ? speedFromCode(speedCode, codes) : 'normal',
    sender: decodeParty(parsed, child(l, 'SenderParty'), `${where}/SenderParty`),
    receiver: decodeParty(parsed, child(l, 'ReceiverParty'), `${where}/ReceiverParty`),
    references: childrenNamed(l, 'ReferenceCorrespondence').map((r, i) => ({
      id: undoDoubleEscape(required(parsed, r, 'ID', `ReferenceCorrespondence[${i}]`)),
      correspondenceDate: normaliseDate(
        required(parsed, r, 'CorrespondenceDate', `ReferenceCorrespondence[${i}]`),
        `ReferenceCorrespondence[${i}]/CorrespondenceDate`,
      ),
      subject: undoDoubleEscape(required(parsed, r, 'Subject', `ReferenceCorrespondence[${i}]`)),
    })),
    mainLetter: decodeBinary(parsed, main, allowed, 'MainLetterBinaryObject'),
    attachments: childrenNamed(l, 'AttachmentBinaryObject').map((a, i) =>
      decodeBinary(parsed, a, allowed, `AttachmentBinaryObject[${i}]`),
    ),
  };
  const enclosures = optional(parsed, l, 'Attachment');
  const description = optional(parsed, l, 'Description');
  if (enclosures) letter.enclosures = enclosures;
  if (description) letter.description = description;
  if (sendDate) letter.sendDate = normaliseDateTime(sendDate, `${where}/SendDate`);
  const sig = child(doc, 'GovernmentSignature');
  if (sig) {
    const sp = child(sig, 'SignerParty');
    const signer = {
      givenName: optional(parsed, sp, 'GivenName'),
      familyName: optional(parsed, sp, 'FamilyName'),
      title: optional(parsed, sp, 'Title'),
      ministryCode: optional(parsed, sp, 'MinistryCode'),
      departmentCode: optional(parsed, sp, 'DepartmentCode'),
    };
    const clean = Object.fromEntries(Object.entries(signer).filter(([, v]) => v !== undefined));
    const typeCode = optional(parsed, sig, 'TypeCode');
    letter.signature = {
      ...(typeCode ? { typeCode } : {}),
      ...(Object.keys(clean).length ? { signer: clean } : {}),
    };
  }
  const checked = letterSchema.safeParse(letter);
  if (!checked.success) {
    const first = checked.error.issues[0];
    throw messageError(
      `Invalid letter at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`,
    );
  }
  return checked.data;
}

/** A standalone `rsm:GovernmentDocument` (as relayed or stored). */
export function decodeGovernmentDocument(input: string | Uint8Array, options: DecodeOptions = {}): Letter {
  const parsed = parseXml(input, resolveLimits(options.limits));
  if (parsed.root.local !== LETTER_ELEMENT) {
    throw ecmsError('ERR_ECMS_XML', `Expected GovernmentDocument, got <${parsed.root.local}>`);
  }
  return decodeLetterNode(parsed, parsed.root, options);
}

function deptCode(parsed: ParsedXml, node: XmlNode | undefined, local: string): string | undefined {
  const c = child(node, local);
  if (!c) return undefined;
  return fieldText(parsed, child(c, 'Code')) || fieldText(parsed, c) || undefined;
}

export function decodeNotifierNode(parsed: ParsedXml, node: XmlNode): Notifier {
  const kind = KIND_BY_ELEMENT[node.local];
  if (!kind) throw messageError(`<${node.local}> is not a notifier`);
  const acceptDate = optional(parsed, node, 'AcceptDate');
  const n: Notifier = {
    kind,
    letterId: undoDoubleEscape(required(parsed, node, 'LetterID', node.local)),
    correspondenceDate: normaliseDate(
      required(parsed, node, 'CorrespondenceDate', node.local),
      `${node.local}/CorrespondenceDate`,
    ),
    subject: undoDoubleEscape(required(parsed, node, 'Subject', node.local)),
  };
  const acceptId = optional(parsed, node, 'AcceptID');
  if (acceptId) n.acceptId = undoDoubleEscape(acceptId);
  if (acceptDate) n.acceptDate = normaliseDateTime(acceptDate, `${node.local}/AcceptDate`);
  const acc = deptCode(parsed, node, 'AcceptDepartment');
  const snd = deptCode(parsed, node, 'SenderDepartment');
  if (acc) n.acceptDepartmentId = acc;
  if (snd) n.senderDepartmentId = snd;
  const r = notifierSchema.safeParse(n);
  if (!r.success) {
    const first = r.error.issues[0];
    throw messageError(`Invalid ${node.local} at ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return r.data;
}

function ack(env: DecodedEnvelope, where: string): ProcessAck {
  const body = env.body;
  if (!body) throw ecmsError('ERR_ECMS_XML', `${where}: empty SOAP body`);
  const pid = findDeep(body, 'ProcessID');
  const processId = fieldText(env.parsed, pid);
  if (!processId) throw messageError(`${where}: response without ProcessID`);
  return { processId, processTime: fieldText(env.parsed, findDeep(body, 'ProcessTime')) ?? '' };
}

function expectBody(env: DecodedEnvelope, local: string): XmlNode {
  const b = env.body;
  if (!b || b.local !== local) {
    throw ecmsError('ERR_ECMS_XML', `Expected <${local}> in the SOAP body, got <${b?.local ?? 'nothing'}>`);
  }
  return b;
}

export function decodeSendLetterResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): SendLetterResult {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'CorrespondenceLetterOutboundResponse');
  const doc = child(body, LETTER_ELEMENT);
  return {
    ...ack(env, body.local),
    echoedLetter: doc ? decodeLetterNode(env.parsed, doc, options) : undefined,
  };
}

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

/** The next queued item, or `null` when the queue is empty. */
export function decodeInboundResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): InboundItem | null {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'CorrespondenceLetterInboundResponse');
  const item = body.children.find(
    (c) => c.local === LETTER_ELEMENT || KIND_BY_ELEMENT[c.local] !== undefined,
  );
  if (!item) return null;
  const a = ack(env, body.local);
  if (item.local === LETTER_ELEMENT) {
    const sig = child(item, 'GovernmentSignature');
    return {
      ...a,
      kind: 'letter',
      letter: decodeLetterNode(env.parsed, item, options),
      signature: sig ? { present: child(sig, 'Signature') !== undefined } : undefined,
    };
  }
  return { ...a, kind: 'notifier', notifier: decodeNotifierNode(env.parsed, item) };
}

export function decodeDequeueResponse(input: string | Uint8Array, options: DecodeOptions = {}): ProcessAck {
  const env = decodeEnvelope(input, options);
  return ack(env, expectBody(env, 'CorrespondenceLetterDeleteResponse').local);
}

export function decodeWithdrawResponse(input: string | Uint8Array, options: DecodeOptions = {}): ProcessAck {
  const env = decodeEnvelope(input, options);
  return ack(env, expectBody(env, 'CorrespondenceDeleteGovernmentDocumentResponse').local);
}

export function decodeOutboundStatusResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): OutboundStatusEntry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'OutboundStatusResponse');
  const entries: OutboundStatusEntry[] = [];
  const walk = (n: XmlNode) => {
    for (const c of n.children) {
      if (c.local === 'Outbound') {
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

/** Element-name match that ignores case, dashes and underscores (peers spell list fields differently). */
function loose(node: XmlNode, ...names: string[]): XmlNode | undefined {
  const want = names.map((n) => n.toLowerCase().replace(/[-_]/g, ''));
  return node.children.find((c) => want.includes(c.local.toLowerCase().replace(/[-_]/g, '')));
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

export function decodeMinistryListResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Ministry[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'GetMinistryOrganizationListResponse');
  return listEntries(body, (n) => loose(n, 'MinistryID') !== undefined).map((n) => ({
    ministryId: fieldText(env.parsed, loose(n, 'MinistryID')) ?? '',
    nameTh: fieldText(env.parsed, loose(n, 'Th-Name', 'ThName', 'NameTh')) ?? '',
  }));
}

export function decodeOrganizationListResponse(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Organization[] {
  const env = decodeEnvelope(input, options);
  const body = expectBody(env, 'GetOrganizationListResponse');
  return listEntries(body, (n) => loose(n, 'OrganizationID') !== undefined).map((n) => ({
    organizationId: fieldText(env.parsed, loose(n, 'OrganizationID')) ?? '',
    nameEn: fieldText(env.parsed, loose(n, 'En-Name', 'EnName', 'NameEn', 'Name')) ?? '',
    nameTh: fieldText(env.parsed, loose(n, 'Th-Name', 'ThName', 'NameTh')) ?? '',
    ecmsUrl: fieldText(env.parsed, loose(n, 'ECMS-URL', 'EcmsUrl', 'URL')) ?? '',
  }));
}

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
  const body = expectBody(env, 'TimeCheckResponse');
  const t = fieldText(env.parsed, findDeep(body, 'ECMSTime'));
  if (!t) throw messageError('TimeCheckResponse without ECMSTime');
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) throw messageError(`ECMSTime "${redactPreview(t, 40)}" is not a date-time`);
  const date = normaliseDate(m[1] as string, 'ECMSTime');
  const d = new Date(`${date}T${m[2]}${m[3] ?? '+07:00'}`);
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

export function decodeRequest(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): DecodedRequest & { to: string | undefined } {
  const env = decodeEnvelope(input, options);
  const body = env.body;
  if (!body) throw ecmsError('ERR_ECMS_XML', 'Empty SOAP body');
  const to = env.to;
  switch (body.local) {
    case REQUEST_ELEMENTS.outbound: {
      const item = body.children[0];
      if (!item) throw messageError('Empty CorrespondenceLetterOutboundRequest');
      if (item.local === LETTER_ELEMENT)
        return { op: 'sendLetter', letter: decodeLetterNode(env.parsed, item, options), to };
      return { op: 'notifier', notifier: decodeNotifierNode(env.parsed, item), to };
    }
    case REQUEST_ELEMENTS.inbound:
      return { op: 'fetchNext', to };
    case REQUEST_ELEMENTS.dequeue:
      return { op: 'dequeue', processId: required(env.parsed, body, 'ProcessID', body.local), to };
    case REQUEST_ELEMENTS.inboundSpecial: {
      const item = body.children[0];
      if (!item) throw messageError('Empty CorrespondenceLetterInboundSpecialRequest');
      const kind: InboundItemKind | undefined =
        item.local === LETTER_ELEMENT ? 'letter' : KIND_BY_ELEMENT[item.local];
      if (!kind) throw messageError(`Unknown item kind <${item.local}>`);
      return { op: 'reRequest', kind, key: decodeKey(env.parsed, item, item.local), to };
    }
    case REQUEST_ELEMENTS.withdraw:
      return { op: 'withdraw', key: decodeKey(env.parsed, body, body.local), to };
    case REQUEST_ELEMENTS.outboundStatus:
      return { op: 'outboundStatus', to };
    case REQUEST_ELEMENTS.ministries:
      return { op: 'ministries', to };
    case REQUEST_ELEMENTS.organizations:
      return { op: 'organizations', to };
    case REQUEST_ELEMENTS.secretCodes:
      return { op: 'secretCodes', to };
    case REQUEST_ELEMENTS.speedCodes:
      return { op: 'speedCodes', to };
    case REQUEST_ELEMENTS.mimeCodes:
      return { op: 'mimeCodes', to };
    case REQUEST_ELEMENTS.timeCheck:
      return { op: 'timeCheck', to };
    default:
      throw ecmsError('ERR_ECMS_XML', `Unknown request <${body.local}>`);
  }
}
