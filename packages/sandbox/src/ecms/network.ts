import type { FaultInjector, FaultProfile } from '../faults.js';
import { listen } from '../http-server.js';
import {
  ECMS_MINISTRIES,
  ECMS_ORGANIZATIONS,
  type EcmsMinistry,
  type EcmsOrganizationSpec,
} from './directory.js';
import { ECMS_ENDPOINT_PATH, handleNodeRequest } from './dispatch.js';
import { newQueueItem } from './fields.js';
import { EcmsNetworkState, type NodeState } from './node-state.js';

export { ECMS_ENDPOINT_PATH };

/** What a queue item is: a letter or one of the notifiers. */
export type EcmsItemKind = 'letter' | 'receive' | 'accept' | 'reject' | 'invalid' | 'invalid_accept_id';

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

/** A letter a node sent, with the status its outbound status reports. */
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

/**
 * Options of `startEcmsNetwork`: the organisations, faults, lost responses, redelivery and the quirks of real nodes.
 */
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
  /**
   * How a notifier is queued for the other side. `reference` (default): as shared/reference/ecms.md gives it,
   * the element as the notifying saraban wrote it (LetterID, AcceptID, CorrespondenceDate, Subject; the node
   * adds AcceptDate to AcceptLetterNotifier) — the fetcher is not told which department answered. `routed`: a
   * node that also adds SenderDepartment/Code and AcceptDepartment/Code.
   */
  notifierShape?: 'reference' | 'routed';
  /** `fault`: TimeCheckRequest is answered with an ErrorDetail (a node whose time call fails). Default `ok`. */
  timeCheck?: 'ok' | 'fault';
  /** Largest request body. Default 128 MiB. */
  maxRequestBytes?: number;
  host?: string;
}

/**
 * An item put into a node's queue byte for byte (`EcmsNetwork.injectItem`), as a broken or hostile peer would send it.
 */
export interface InjectedItem {
  /** The item element as it will appear in the fetch answer (not checked, not escaped). */
  xml: string;
  kind?: EcmsItemKind;
  letterId?: string;
  correspondenceDate?: string;
  subject?: string;
  senderDepartmentId?: string;
}

/** One node of the network: its organisation and the endpoint a client uses as `nodeUrl`. */
export interface EcmsNodeHandle {
  organizationId: string;
  nameTh: string;
  nameEn: string;
  bookPrefix: string;
  /** The node's endpoint: what goes into `wsa:To` and `EcmsClient({ nodeUrl })`. */
  url: string;
}

/** A running e-CMS network: its nodes, their queues and what they sent, fault injection and run-time switches. */
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

function resolveOrganizations(o: EcmsNetworkOptions['organizations']): EcmsOrganizationSpec[] {
  if (Array.isArray(o)) return o;
  const n = typeof o === 'number' ? o : 2;
  if (n < 1 || n > ECMS_ORGANIZATIONS.length) {
    throw new RangeError(`organizations must be between 1 and ${ECMS_ORGANIZATIONS.length}`);
  }
  return ECMS_ORGANIZATIONS.slice(0, n);
}

/**
 * Starts one e-CMS node per organisation, each on its own 127.0.0.1 port, routing to each other by `wsa:To`.
 * The SOAP operations live in letters.ts (send, notifiers) and queue.ts (fetch, dequeue, re-request, withdraw,
 * outbound status); dispatch.ts routes a request to them.
 */
export async function startEcmsNetwork(options: EcmsNetworkOptions = {}): Promise<EcmsNetwork> {
  const organizations = resolveOrganizations(options.organizations);
  const state = new EcmsNetworkState(options);
  try {
    for (const spec of organizations) {
      if (!/^\d{10}$/.test(spec.organizationId)) throw new RangeError('organizationId must have 10 digits');
      const node = { spec, items: [], outbound: [], counters: {} } as unknown as NodeState;
      node.server = await listen((req, res) => handleNodeRequest(state, node, req, res), {
        host: options.host,
      });
      node.url = `${node.server.url}${ECMS_ENDPOINT_PATH}`;
      state.nodes.set(spec.organizationId, node);
      state.byUrl.set(node.url, node);
    }
  } catch (err) {
    await closeNodes(state);
    throw err;
  }
  return networkHandle(state, organizations);
}

async function closeNodes(state: EcmsNetworkState): Promise<void> {
  await Promise.all([...state.nodes.values()].map((n) => n.server.close()));
}

function handleOf(n: NodeState): EcmsNodeHandle {
  return {
    organizationId: n.spec.organizationId,
    nameTh: n.spec.nameTh,
    nameEn: n.spec.nameEn,
    bookPrefix: n.spec.bookPrefix,
    url: n.url,
  };
}

/** The test-facing handle: inspection, injection and the run-time switches. */
function networkHandle(state: EcmsNetworkState, organizations: EcmsOrganizationSpec[]): EcmsNetwork {
  return {
    nodes: [...state.nodes.values()].map(handleOf),
    organizations,
    ministries: ECMS_MINISTRIES,
    faults: state.faults,
    node: (id) => handleOf(state.node(id)),
    queue: (id) => {
      const n = state.node(id);
      return { pending: n.items.filter((i) => !i.deleted), all: [...n.items] };
    },
    outbound: (id) => [...state.node(id).outbound],
    injectItem: (id, item) => {
      const n = state.node(id);
      const processId = state.newProcessId(n);
      const fields = {
        processId,
        kind: item.kind ?? 'letter',
        letterId: item.letterId ?? '',
        correspondenceDate: item.correspondenceDate ?? '',
        subject: item.subject ?? '',
        senderDepartmentId: item.senderDepartmentId ?? '',
        acceptDepartmentId: n.spec.organizationId,
        acceptId: undefined,
        xml: item.xml,
      };
      n.items.push(newQueueItem(fields, state.now()));
      return processId;
    },
    setLostResponse: (p) => {
      state.lostResponse = p;
    },
    setLostResponseOperations: (operations) => {
      state.lostOperations = new Set(operations);
    },
    setClock: (profile) => {
      if (profile.skewInMs !== undefined) state.clockSkewInMs = profile.skewInMs;
      if (profile.timeCheck !== undefined) state.timeCheck = profile.timeCheck;
    },
    setOutboundStatus: (profile) => {
      state.statusProfile = { ...profile };
    },
    counters: (id) => ({ ...state.node(id).counters }),
    close: () => closeNodes(state),
  };
}
