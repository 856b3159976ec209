import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { FaultInjector, type FaultProfile } from '../faults.js';
import { listen, type RunningServer, readBody } from '../http-server.js';
import { createRandom, type Random } from '../random.js';
import {
  ECMS_MIME_CODES,
  ECMS_MINISTRIES,
  ECMS_ORGANIZATIONS,
  ECMS_SECRET_CODES,
  ECMS_SPEED_CODES,
  type EcmsMinistry,
  type EcmsOrganizationSpec,
} from './directory.js';
import {
  bangkokTime,
  buddhistDayFirstDates,
  el,
  elementChildren,
  envelope,
  errorDetail,
  firstChild,
  parseEnvelope,
  path,
  SoapInputError,
  serialize,
  textOf,
} from './soap.js';

export const ECMS_ENDPOINT_PATH = '/ecms-ws01/service2';

export type EcmsItemKind = 'letter' | 'receive' | 'accept' | 'reject' | 'invalid' | 'invalid_accept_id';

const NOTIFIER_BY_ELEMENT: Record<string, EcmsItemKind> = {
  ReceiveLetterNotifier: 'receive',
  AcceptLetterNotifier: 'accept',
  RejectLetterNotifier: 'reject',
  InvalidLetterNotifier: 'invalid',
  InvalidAcceptIDNotifier: 'invalid_accept_id',
};
const ELEMENT_BY_KIND: Record<EcmsItemKind, string> = {
  letter: 'GovernmentDocument',
  receive: 'ReceiveLetterNotifier',
  accept: 'AcceptLetterNotifier',
  reject: 'RejectLetterNotifier',
  invalid: 'InvalidLetterNotifier',
  invalid_accept_id: 'InvalidAcceptIDNotifier',
};
const STATUS_BY_KIND: Partial<Record<EcmsItemKind, string>> = {
  receive: 'Received',
  accept: 'Accepted',
  reject: 'Rejected',
  invalid: 'Invalid',
};

/** One entry of an organisation's queue (also kept after dequeue, for re-requests and inspection). */
export interface EcmsQueueItem {
  processId: string;
  kind: EcmsItemKind;
  letterId: string;
  correspondenceDate: string;
  subject: string;
  senderDepartmentId: string;
  acceptDepartmentId: string;
  acceptId: string | undefined;
  /** The item element as delivered. */
  xml: string;
  enqueuedAt: Date;
  deleted: boolean;
  fetchCount: number;
  leasedUntil: number;
}

export interface EcmsOutboundRecord {
  processId: string;
  letterId: string;
  correspondenceDate: string;
  subject: string;
  acceptDepartmentId: string;
  status: string;
  /** OutboundStatusRequests answered since the send (for `outboundStatus.lagRequests`). */
  statusRequestsSeen: number;
}

/**
 * How the nodes answer OutboundStatusRequest (switchable at run time with `setOutboundStatus`).
 */
export interface EcmsOutboundStatusProfile {
  /**
   * `full` (default): each entry carries ProcessID, LetterID, CorrespondenceDate, AcceptDepartment/Code and
   * ProcessStatus. `minimal`: ProcessID, LetterID and ProcessStatus only, as shared/reference/ecms.md
   * documents real nodes' entries — a circular letter's sends cannot be told apart by receiver or date.
   */
  entries?: 'full' | 'minimal';
  /**
   * A lagging node: a send appears in the outbound status only from the (n+1)-th status request after it
   * was queued (0, the default: at once). Counted in requests, not time, so tests stay deterministic.
   */
  lagRequests?: number;
}

export interface EcmsNetworkOptions {
  /** Organisations with a node; default the first two of the directory. A number takes that many. */
  organizations?: EcmsOrganizationSpec[] | number;
  seed?: number;
  /** HTTP-level faults (latency, 503, 429, resets) on every node, as for the GDX emulator. */
  faults?: FaultProfile;
  /** Probability that a node commits a request and then drops the connection (the ambiguous send). */
  lostResponse?: number;
  /** Only requests of these operations lose their response (default: sends only). */
  lostResponseOperations?: string[];
  /**
   * Hide a fetched item from further fetches for this long (0 = the head item comes back on every fetch
   * until it is dequeued). Either way an undeleted item is delivered again.
   */
  redeliveryAfterInMs?: number;
  /** Echo the document in the send response, as nodes do. Default true. */
  echoDocument?: boolean;
  /** How OutboundStatusRequest is answered: entry fields and lag. */
  outboundStatus?: EcmsOutboundStatusProfile;
  /** Clock offset of every node (for clock-skew warnings). */
  clockSkewInMs?: number;
  /**
   * How directory and clock answers are shaped. `wrapped` (default): `GetOrganizationListResponse`,
   * `GetMinistryOrganizationListResponse` and `TimeCheckResponse` wrappers. `unwrapped`: the entries straight in
   * the SOAP Body (`OrganizationList`*, `MinistryOrganizationList`*, `ECMSTime`), as shared/reference/ecms.md
   * documents real nodes answering.
   */
  answerStyle?: 'wrapped' | 'unwrapped';
  /**
   * How queued items' CorrespondenceDate / AcceptDate / SendDate are written when delivered: `iso` (default,
   * as sent) or `buddhist` (`27/11/2569`, `27/11/2569 10:15:00`: day first, Buddhist era, as some agencies'
   * systems write them). Rewriting a signed letter breaks its signature, as it would from such a node.
   */
  dateStyle?: 'iso' | 'buddhist';
  /** `fault`: TimeCheckRequest is answered with an ErrorDetail (a node whose time call fails). Default `ok`. */
  timeCheck?: 'ok' | 'fault';
  /** Largest request body. Default 128 MiB. */
  maxRequestBytes?: number;
  host?: string;
}

export interface InjectedItem {
  /** The item element as it will appear in the fetch answer (not checked, not escaped). */
  xml: string;
  kind?: EcmsItemKind;
  letterId?: string;
  correspondenceDate?: string;
  subject?: string;
  senderDepartmentId?: string;
}

export interface EcmsNodeHandle {
  organizationId: string;
  nameTh: string;
  nameEn: string;
  bookPrefix: string;
  /** The node's endpoint: what goes into `wsa:To` and `EcmsClient({ nodeUrl })`. */
  url: string;
}

export interface EcmsNetwork {
  nodes: EcmsNodeHandle[];
  organizations: EcmsOrganizationSpec[];
  ministries: readonly EcmsMinistry[];
  faults: FaultInjector;
  node(organizationId: string): EcmsNodeHandle;
  /** Items of an organisation's queue; `pending` are not yet dequeued. */
  queue(organizationId: string): { pending: EcmsQueueItem[]; all: EcmsQueueItem[] };
  outbound(organizationId: string): EcmsOutboundRecord[];
  /**
   * Puts an item into an organisation's queue exactly as given, byte for byte, as a peer with a broken or
   * hostile saraban client would have it delivered (bad base64, a missing field, a forbidden character…).
   * Returns its ProcessID. The key fields only serve re-requests and `queue()`.
   */
  injectItem(organizationId: string, item: InjectedItem): string;
  /** Change the lost-response probability at run time. */
  setLostResponse(probability: number): void;
  /** Change which operations lose their response (`lostResponseOperations`) at run time. */
  setLostResponseOperations(operations: string[]): void;
  /** Change the nodes' clock offset and whether their time call fails, at run time. */
  setClock(profile: { skewInMs?: number; timeCheck?: 'ok' | 'fault' }): void;
  /** Change how OutboundStatusRequest is answered at run time. */
  setOutboundStatus(profile: EcmsOutboundStatusProfile): void;
  /** Requests served per operation, per node (refused requests count as `fault`). */
  counters(organizationId: string): Record<string, number>;
  close(): Promise<void>;
}

interface NodeState {
  spec: EcmsOrganizationSpec;
  server: RunningServer;
  url: string;
  items: EcmsQueueItem[];
  outbound: EcmsOutboundRecord[];
  counters: Record<string, number>;
}

function resolveOrganizations(o: EcmsNetworkOptions['organizations']): EcmsOrganizationSpec[] {
  if (Array.isArray(o)) return o;
  const n = typeof o === 'number' ? o : 2;
  if (n < 1 || n > ECMS_ORGANIZATIONS.length) {
    throw new RangeError(`organizations must be between 1 and ${ECMS_ORGANIZATIONS.length}`);
  }
  return ECMS_ORGANIZATIONS.slice(0, n);
}

/** Starts one e-CMS node per organisation, each on its own 127.0.0.1 port, routing to each other by `wsa:To`. */
export async function startEcmsNetwork(options: EcmsNetworkOptions = {}): Promise<EcmsNetwork> {
  const organizations = resolveOrganizations(options.organizations);
  const random: Random = createRandom(options.seed ?? 7);
  const faults = new FaultInjector(options.faults ?? { rules: [] });
  let lostResponse = options.lostResponse ?? 0;
  let statusProfile: EcmsOutboundStatusProfile = { ...options.outboundStatus };
  let lostOps = new Set(options.lostResponseOperations ?? ['sendLetter']);
  const redeliveryAfterInMs = options.redeliveryAfterInMs ?? 0;
  const echoDocument = options.echoDocument ?? true;
  const maxBytes = options.maxRequestBytes ?? 128 * 1024 * 1024;
  let clockSkewInMs = options.clockSkewInMs ?? 0;
  let timeCheckMode = options.timeCheck ?? 'ok';
  const now = () => new Date(Date.now() + clockSkewInMs);
  const wrap = (wrapper: string, inner: string) =>
    options.answerStyle === 'unwrapped' ? inner : `<${wrapper}>${inner}</${wrapper}>`;
  let seq = 0;
  const nodes = new Map<string, NodeState>();
  const byUrl = new Map<string, NodeState>();

  const newProcessId = (n: NodeState) => {
    seq++;
    const d = bangkokTime(now()).slice(0, 10).replace(/-/g, '');
    return `${n.spec.organizationId.slice(0, 4)}${d}${String(seq).padStart(7, '0')}${random.int(100, 999)}`;
  };

  const routeTo = (to: string | undefined): NodeState => {
    const dest = to ? byUrl.get(to.replace(/\/+$/, '')) : undefined;
    if (!dest) throw new SoapInputError('E_DESTINATION', 'wsa:To is not a node of this network');
    return dest;
  };

  const itemResponse = (item: EcmsQueueItem) =>
    `<CorrespondenceLetterInboundResponse>${el('ProcessID', item.processId)}${el(
      'ProcessTime',
      bangkokTime(now()),
    )}${options.dateStyle === 'buddhist' ? buddhistDayFirstDates(item.xml) : item.xml}</CorrespondenceLetterInboundResponse>`;

  const handle = async (node: NodeState, req: IncomingMessage, res: ServerResponse) => {
    if (await faults.intercept(req, res)) return;
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
    let op = 'unknown';
    let status = 200;
    let body: string;
    try {
      let raw: Buffer;
      try {
        raw = await readBody(req, maxBytes);
      } catch {
        throw new SoapInputError('E_TOO_LARGE', 'request body too large', 413);
      }
      const envelopeIn = parseEnvelope(raw.toString('utf8'));
      const result = dispatch(node, envelopeIn.body, envelopeIn.to);
      op = result.op;
      body = result.body;
    } catch (err) {
      if (err instanceof SoapInputError) {
        op = 'fault';
        status = err.httpStatus;
        body = errorDetail(err.errorCode, err.message);
      } else throw err;
    }
    node.counters[op] = (node.counters[op] ?? 0) + 1;
    const text = envelope(body);
    if (status === 200 && lostOps.has(op) && lostResponse > 0 && random.chance(lostResponse)) {
      // Committed, but the answer never arrives: the caller cannot tell whether the send happened.
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, {
      'content-type': 'text/xml; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  };

  const dispatch = (
    node: NodeState,
    body: XmlElement,
    to: string | undefined,
  ): { op: string; body: string } => {
    const name = body.localName;
    switch (name) {
      case 'CorrespondenceLetterOutboundRequest': {
        const item = elementChildren(body)[0];
        if (!item) throw new SoapInputError('E_REQUEST', 'empty outbound request');
        if (item.localName === 'GovernmentDocument')
          return { op: 'sendLetter', body: sendLetter(node, item, to) };
        const kind = NOTIFIER_BY_ELEMENT[item.localName ?? ''];
        if (!kind) throw new SoapInputError('E_REQUEST', `unknown outbound item ${item.localName}`);
        return { op: `notifier.${kind}`, body: notify(node, item, kind, to) };
      }
      case 'CorrespondenceLetterInboundRequest':
        return { op: 'fetchNext', body: fetchNext(node) };
      case 'CorrespondenceLetterDeleteRequest':
        return { op: 'dequeue', body: dequeue(node, body) };
      case 'CorrespondenceLetterInboundSpecialRequest':
        return { op: 'reRequest', body: reRequest(node, body) };
      case 'CorrespondenceDeleteGovernmentDocumentRequest':
        return { op: 'withdraw', body: withdraw(node, body) };
      case 'OutboundStatusRequest':
        return { op: 'outboundStatus', body: outboundStatus(node) };
      case 'GetMinistryOrganizationList':
        return {
          op: 'ministries',
          body: wrap(
            'GetMinistryOrganizationListResponse',
            ECMS_MINISTRIES.map(
              (m) =>
                `<MinistryOrganizationList>${el('Th-Name', m.nameTh)}${el('MinistryID', m.ministryId)}</MinistryOrganizationList>`,
            ).join(''),
          ),
        };
      case 'GetOrganizationList':
        return {
          op: 'organizations',
          body: wrap(
            'GetOrganizationListResponse',
            [...nodes.values()]
              .map(
                (n) =>
                  `<OrganizationList>${el('En-Name', n.spec.nameEn)}${el('Th-Name', n.spec.nameTh)}${el(
                    'ECMS-URL',
                    n.url,
                  )}${el('OrganizationID', n.spec.organizationId)}</OrganizationList>`,
              )
              .join(''),
          ),
        };
      case 'GetSecretCodes':
        return {
          op: 'secretCodes',
          body: codeList('GetSecretCodesResponse', 'SecretCode', ECMS_SECRET_CODES),
        };
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
        if (timeCheckMode === 'fault') throw new SoapInputError('E_TIME', 'time service unavailable');
        return {
          op: 'timeCheck',
          body: wrap('TimeCheckResponse', el('ECMSTime', bangkokTime(now()))),
        };
      default:
        throw new SoapInputError('E_OPERATION', `unknown operation ${name}`);
    }
  };

  const outboundStatus = (node: NodeState): string => {
    const lag = statusProfile.lagRequests ?? 0;
    const minimal = statusProfile.entries === 'minimal';
    const visible = node.outbound.filter((o) => o.statusRequestsSeen >= lag);
    for (const o of node.outbound) o.statusRequestsSeen++;
    return `<OutboundStatusResponse>${visible
      .map(
        (o) =>
          `<Outbound>${el('ProcessID', o.processId)}${el('LetterID', o.letterId)}${
            minimal
              ? ''
              : `${el('CorrespondenceDate', o.correspondenceDate)}<AcceptDepartment>${el(
                  'Code',
                  o.acceptDepartmentId,
                )}</AcceptDepartment>`
          }${el('ProcessStatus', o.status)}</Outbound>`,
      )
      .join('')}</OutboundStatusResponse>`;
  };

  const codeList = (
    wrapper: string,
    entry: string,
    list: readonly { value: string; description: string }[],
  ) =>
    `<${wrapper}>${list.map((c) => `<${entry}>${el('Value', c.value)}${el('Description', c.description)}</${entry}>`).join('')}</${wrapper}>`;

  const required = (parent: XmlElement | undefined, where: string, ...locals: string[]): string => {
    const v = textOf(path(parent, ...locals));
    if (!v) throw new SoapInputError('E_REQUIRED', `${where}: ${locals.join('/')} is required`);
    return v;
  };

  const checkDate = (v: string, where: string) => {
    if (!/^\d{4}-\d{2}-\d{2}/.test(v)) throw new SoapInputError('E_DATE', `${where}: not a date`);
  };

  const sendLetter = (node: NodeState, doc: XmlElement, to: string | undefined): string => {
    const letter = firstChild(doc, 'CorrespondenceLetter');
    if (!letter) throw new SoapInputError('E_REQUIRED', 'CorrespondenceLetter is required');
    const letterId = required(letter, 'letter', 'ID');
    const correspondenceDate = required(letter, 'letter', 'CorrespondenceDate');
    checkDate(correspondenceDate, 'CorrespondenceDate');
    const subject = required(letter, 'letter', 'Subject');
    const senderDept = required(letter, 'letter', 'SenderParty', 'DepartmentOrganization', 'ID');
    const receiverDept = required(letter, 'letter', 'ReceiverParty', 'DepartmentOrganization', 'ID');
    const main = firstChild(letter, 'MainLetterBinaryObject');
    if (!main || !textOf(main)) throw new SoapInputError('E_REQUIRED', 'MainLetterBinaryObject is required');
    if (senderDept !== node.spec.organizationId) {
      throw new SoapInputError('E_SENDER', 'SenderParty is not the organisation of this node');
    }
    const dest = routeTo(to);
    if (receiverDept !== dest.spec.organizationId) {
      throw new SoapInputError('E_RECEIVER', 'ReceiverParty does not belong to the node in wsa:To');
    }
    const xml = serialize(doc);
    const processId = newProcessId(node);
    dest.items.push({
      processId,
      kind: 'letter',
      letterId,
      correspondenceDate,
      subject,
      senderDepartmentId: senderDept,
      acceptDepartmentId: receiverDept,
      acceptId: undefined,
      xml,
      enqueuedAt: now(),
      deleted: false,
      fetchCount: 0,
      leasedUntil: 0,
    });
    node.outbound.push({
      processId,
      letterId,
      correspondenceDate,
      subject,
      acceptDepartmentId: receiverDept,
      status: 'Sent',
      statusRequestsSeen: 0,
    });
    return `<CorrespondenceLetterOutboundResponse>${el('ProcessID', processId)}${el(
      'ProcessTime',
      bangkokTime(now()),
    )}${echoDocument ? xml : ''}</CorrespondenceLetterOutboundResponse>`;
  };

  const notify = (node: NodeState, n: XmlElement, kind: EcmsItemKind, to: string | undefined): string => {
    const where = n.localName ?? 'notifier';
    const letterId = required(n, where, 'LetterID');
    const correspondenceDate = required(n, where, 'CorrespondenceDate');
    checkDate(correspondenceDate, `${where}/CorrespondenceDate`);
    const subject = required(n, where, 'Subject');
    const acceptId = textOf(firstChild(n, 'AcceptID'));
    if ((kind === 'accept' || kind === 'invalid_accept_id') && !acceptId) {
      throw new SoapInputError('E_REQUIRED', `${where}: AcceptID is required`);
    }
    const dest = routeTo(to);
    // Receiver → sender notifiers concern a letter the destination sent to us; the disputed-number
    // notifier goes the other way.
    const fromSender = kind === 'invalid_accept_id';
    const senderDept = fromSender ? node.spec.organizationId : dest.spec.organizationId;
    const acceptDept = fromSender ? dest.spec.organizationId : node.spec.organizationId;
    const letterOwner = fromSender ? node : dest;
    const record = [...letterOwner.outbound]
      .reverse()
      .find(
        (o) =>
          o.letterId === letterId &&
          o.correspondenceDate.slice(0, 10) === correspondenceDate.slice(0, 10) &&
          o.acceptDepartmentId === acceptDept,
      );
    if (!record || record.status === 'Deleted') {
      throw new SoapInputError('E_LETTER_NOT_FOUND', 'no such letter between these organisations');
    }
    const acceptDate = kind === 'accept' ? bangkokTime(now()) : undefined;
    const processId = newProcessId(node);
    const xml = `<${ELEMENT_BY_KIND[kind]}>${el('LetterID', letterId)}${el('AcceptID', acceptId)}${el(
      'CorrespondenceDate',
      correspondenceDate,
    )}${el('Subject', subject)}${el('AcceptDate', acceptDate)}<SenderDepartment>${el(
      'Code',
      senderDept,
    )}</SenderDepartment><AcceptDepartment>${el('Code', acceptDept)}</AcceptDepartment></${ELEMENT_BY_KIND[kind]}>`;
    dest.items.push({
      processId,
      kind,
      letterId,
      correspondenceDate,
      subject,
      senderDepartmentId: senderDept,
      acceptDepartmentId: acceptDept,
      acceptId,
      xml,
      enqueuedAt: now(),
      deleted: false,
      fetchCount: 0,
      leasedUntil: 0,
    });
    const status = STATUS_BY_KIND[kind];
    if (status) record.status = status;
    return `<CorrespondenceLetterOutboundResponse>${el('ProcessID', processId)}${el('ProcessTime', bangkokTime(now()))}${xml}${
      acceptDate
        ? `${el('AcceptDate', acceptDate)}<AcceptDepartment>${el('Code', acceptDept)}</AcceptDepartment>`
        : ''
    }</CorrespondenceLetterOutboundResponse>`;
  };

  const fetchNext = (node: NodeState): string => {
    const t = Date.now();
    const item = node.items.find((i) => !i.deleted && i.leasedUntil <= t);
    if (!item) return '<CorrespondenceLetterInboundResponse/>';
    item.fetchCount++;
    if (redeliveryAfterInMs > 0) item.leasedUntil = t + redeliveryAfterInMs;
    return itemResponse(item);
  };

  const dequeue = (node: NodeState, body: XmlElement): string => {
    const processId = required(body, 'CorrespondenceLetterDeleteRequest', 'ProcessID');
    const item = node.items.find((i) => i.processId === processId);
    if (!item) throw new SoapInputError('E_PROCESS_NOT_FOUND', 'no queue item with this ProcessID');
    item.deleted = true;
    return `<CorrespondenceLetterDeleteResponse>${el('ProcessID', processId)}${el(
      'ProcessTime',
      bangkokTime(now()),
    )}</CorrespondenceLetterDeleteResponse>`;
  };

  const readKey = (n: XmlElement, where: string) => ({
    letterId: required(n, where, 'LetterID'),
    correspondenceDate: required(n, where, 'CorrespondenceDate'),
    senderDepartmentId: required(n, where, 'SenderDepartment', 'Code'),
    acceptDepartmentId: required(n, where, 'AcceptDepartment', 'Code'),
  });

  const sameKey = (i: EcmsQueueItem, k: ReturnType<typeof readKey>) =>
    i.letterId === k.letterId &&
    i.correspondenceDate.slice(0, 10) === k.correspondenceDate.slice(0, 10) &&
    i.senderDepartmentId === k.senderDepartmentId &&
    i.acceptDepartmentId === k.acceptDepartmentId;

  const reRequest = (node: NodeState, body: XmlElement): string => {
    const kindEl = elementChildren(body)[0];
    const kind: EcmsItemKind | undefined =
      kindEl?.localName === 'GovernmentDocument' ? 'letter' : NOTIFIER_BY_ELEMENT[kindEl?.localName ?? ''];
    if (!kindEl || !kind) throw new SoapInputError('E_REQUEST', 'unknown item kind');
    const key = readKey(kindEl, kindEl.localName ?? 'item');
    const item = [...node.items].reverse().find((i) => i.kind === kind && sameKey(i, key));
    if (!item) throw new SoapInputError('E_ITEM_NOT_FOUND', 'no such item for this organisation');
    item.deleted = false;
    item.leasedUntil = 0;
    item.fetchCount++;
    return itemResponse(item);
  };

  const withdraw = (node: NodeState, body: XmlElement): string => {
    const key = readKey(body, 'CorrespondenceDeleteGovernmentDocumentRequest');
    if (key.senderDepartmentId !== node.spec.organizationId) {
      throw new SoapInputError('E_SENDER', 'only the sender can withdraw a letter');
    }
    const record = [...node.outbound]
      .reverse()
      .find(
        (o) =>
          o.letterId === key.letterId &&
          o.correspondenceDate.slice(0, 10) === key.correspondenceDate.slice(0, 10) &&
          o.acceptDepartmentId === key.acceptDepartmentId &&
          o.status !== 'Deleted',
      );
    if (!record) throw new SoapInputError('E_LETTER_NOT_FOUND', 'no such letter to withdraw');
    if (record.status !== 'Rejected' && record.status !== 'Invalid' && record.status !== 'Sent') {
      throw new SoapInputError('E_WITHDRAW_STATE', `a letter in status ${record.status} cannot be withdrawn`);
    }
    record.status = 'Deleted';
    const dest = nodes.get(key.acceptDepartmentId);
    const pending = dest?.items.find((i) => i.processId === record.processId && !i.deleted);
    if (pending) pending.deleted = true;
    return `<CorrespondenceDeleteGovernmentDocumentResponse>${el('ProcessID', record.processId)}${el(
      'ProcessTime',
      bangkokTime(now()),
    )}</CorrespondenceDeleteGovernmentDocumentResponse>`;
  };

  try {
    for (const spec of organizations) {
      if (!/^\d{10}$/.test(spec.organizationId)) throw new RangeError('organizationId must have 10 digits');
      const state = { spec, items: [], outbound: [], counters: {} } as unknown as NodeState;
      state.server = await listen((req, res) => handle(state, req, res), { host: options.host });
      state.url = `${state.server.url}${ECMS_ENDPOINT_PATH}`;
      nodes.set(spec.organizationId, state);
      byUrl.set(state.url, state);
    }
  } catch (err) {
    await Promise.all([...nodes.values()].map((n) => n.server.close()));
    throw err;
  }

  const get = (organizationId: string): NodeState => {
    const n = nodes.get(organizationId);
    if (!n) throw new RangeError(`no e-CMS node for organisation ${organizationId}`);
    return n;
  };
  const handleOf = (n: NodeState): EcmsNodeHandle => ({
    organizationId: n.spec.organizationId,
    nameTh: n.spec.nameTh,
    nameEn: n.spec.nameEn,
    bookPrefix: n.spec.bookPrefix,
    url: n.url,
  });

  return {
    nodes: [...nodes.values()].map(handleOf),
    organizations,
    ministries: ECMS_MINISTRIES,
    faults,
    node: (id) => handleOf(get(id)),
    queue: (id) => {
      const n = get(id);
      return { pending: n.items.filter((i) => !i.deleted), all: [...n.items] };
    },
    outbound: (id) => [...get(id).outbound],
    injectItem: (id, item) => {
      const n = get(id);
      const processId = newProcessId(n);
      n.items.push({
        processId,
        kind: item.kind ?? 'letter',
        letterId: item.letterId ?? '',
        correspondenceDate: item.correspondenceDate ?? '',
        subject: item.subject ?? '',
        senderDepartmentId: item.senderDepartmentId ?? '',
        acceptDepartmentId: n.spec.organizationId,
        acceptId: undefined,
        xml: item.xml,
        enqueuedAt: now(),
        deleted: false,
        fetchCount: 0,
        leasedUntil: 0,
      });
      return processId;
    },
    setLostResponse: (p) => {
      lostResponse = p;
    },
    setLostResponseOperations: (operations) => {
      lostOps = new Set(operations);
    },
    setClock: (profile) => {
      if (profile.skewInMs !== undefined) clockSkewInMs = profile.skewInMs;
      if (profile.timeCheck !== undefined) timeCheckMode = profile.timeCheck;
    },
    setOutboundStatus: (profile) => {
      statusProfile = { ...profile };
    },
    counters: (id) => ({ ...get(id).counters }),
    close: async () => {
      await Promise.all([...nodes.values()].map((n) => n.server.close()));
    },
  };
}
