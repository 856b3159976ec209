import { FaultInjector } from '../faults.js';
import type { RunningServer } from '../http-server.js';
import { createRandom, type Random } from '../random.js';
import type { EcmsOrganizationSpec } from './directory.js';
import type {
  EcmsNetworkOptions,
  EcmsOutboundRecord,
  EcmsOutboundStatusProfile,
  EcmsQueueItem,
} from './network.js';
import { bangkokTime, SoapInputError } from './soap.js';

/** One organisation's node: its server, its queue and the letters it sent. */
export interface NodeState {
  spec: EcmsOrganizationSpec;
  server: RunningServer;
  url: string;
  items: EcmsQueueItem[];
  outbound: EcmsOutboundRecord[];
  counters: Record<string, number>;
}

/**
 * What every node of one network shares: the options (some switchable at run time), the seeded random source,
 * the ProcessID sequence and the routing table. The operation modules take it as their first argument.
 */
export class EcmsNetworkState {
  readonly random: Random;
  readonly faults: FaultInjector;
  readonly redeliveryAfterInMs: number;
  readonly echoDocument: boolean;
  readonly maxRequestBytes: number;
  readonly answerStyle: 'wrapped' | 'unwrapped';
  readonly dateStyle: 'iso' | 'buddhist';
  readonly notifierShape: 'reference' | 'routed';
  lostResponse: number;
  lostOperations: Set<string>;
  statusProfile: EcmsOutboundStatusProfile;
  clockSkewInMs: number;
  timeCheck: 'ok' | 'fault';
  readonly nodes = new Map<string, NodeState>();
  readonly byUrl = new Map<string, NodeState>();
  #seq = 0;

  constructor(options: EcmsNetworkOptions) {
    this.random = createRandom(options.seed ?? 7);
    this.faults = new FaultInjector(options.faults ?? { rules: [] });
    this.redeliveryAfterInMs = options.redeliveryAfterInMs ?? 0;
    this.echoDocument = options.echoDocument ?? true;
    this.maxRequestBytes = options.maxRequestBytes ?? 128 * 1024 * 1024;
    this.answerStyle = options.answerStyle ?? 'wrapped';
    this.dateStyle = options.dateStyle ?? 'iso';
    this.notifierShape = options.notifierShape ?? 'reference';
    this.lostResponse = options.lostResponse ?? 0;
    this.lostOperations = new Set(options.lostResponseOperations ?? ['sendLetter']);
    this.statusProfile = { ...options.outboundStatus };
    this.clockSkewInMs = options.clockSkewInMs ?? 0;
    this.timeCheck = options.timeCheck ?? 'ok';
  }

  /** The nodes' clock, skewed by `clockSkewInMs`. */
  now(): Date {
    return new Date(Date.now() + this.clockSkewInMs);
  }

  /** A directory or clock answer in its response wrapper, or bare as `answerStyle: 'unwrapped'` nodes send it. */
  wrap(wrapper: string, inner: string): string {
    return this.answerStyle === 'unwrapped' ? inner : `<${wrapper}>${inner}</${wrapper}>`;
  }

  newProcessId(node: NodeState): string {
    this.#seq++;
    const day = bangkokTime(this.now()).slice(0, 10).replace(/-/g, '');
    return `${node.spec.organizationId.slice(0, 4)}${day}${String(this.#seq).padStart(7, '0')}${this.random.int(100, 999)}`;
  }

  /** The node a request's `wsa:To` names. */
  routeTo(to: string | undefined): NodeState {
    const dest = to ? this.byUrl.get(to.replace(/\/+$/, '')) : undefined;
    if (!dest) throw new SoapInputError('E_DESTINATION', 'wsa:To is not a node of this network');
    return dest;
  }

  node(organizationId: string): NodeState {
    const n = this.nodes.get(organizationId);
    if (!n) throw new RangeError(`no e-CMS node for organisation ${organizationId}`);
    return n;
  }

  /** Whether this committed answer is to be lost (the ambiguous send). */
  losesResponse(operation: string): boolean {
    return (
      this.lostOperations.has(operation) && this.lostResponse > 0 && this.random.chance(this.lostResponse)
    );
  }
}
